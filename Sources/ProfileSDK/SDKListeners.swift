/// What the SDK reports as it happens: the documented listeners as callbacks, and the same events
/// as an `AsyncStream` (``SDK/events``).
public enum SDKEvent: Sendable, Hashable {
    /// `connectionListener`'s states.
    public enum ConnectionStatus: String, Sendable, Hashable {
        case connected = "CONNECTED", disconnected = "DISCONNECTED", connectionFailed = "CONNECTIONFAILED"
        case reconnecting = "RECONNECTING", authFail = "AUTHFAIL"
    }

    case connection(ConnectionStatus)
    /// `blockUserListener`: we blocked or unblocked someone.
    case blockUser(jid: String, blocked: Bool)
    /// `userBlockedMeListener`: someone blocked or unblocked us (blocked-notice protocol).
    case userBlockedMe(jid: String, blocked: Bool)
    /// `friendsListListener`: the same list `getFriendsList` returned.
    case friendsList([FriendProfile])
    /// `userProfileListener`: a profile read or stored.
    case userProfile(UserProfile)
    /// `qrLoginListener`: a QR-login code's outcome, or a refused request (Specs/qr-login.md §8.1, §9).
    case qrLogin(QRLoginResult)
}

/// The documented listener callbacks. Each is optional; all are also events on ``SDK/events``.
public struct SDKListeners: Sendable {
    public var connectionListener: (@Sendable (SDKEvent.ConnectionStatus) -> Void)?
    public var blockUserListener: (@Sendable (_ jid: String, _ blocked: Bool) -> Void)?
    public var userBlockedMeListener: (@Sendable (_ jid: String, _ blocked: Bool) -> Void)?
    public var friendsListListener: (@Sendable ([FriendProfile]) -> Void)?
    public var userProfileListener: (@Sendable (UserProfile) -> Void)?
    public var qrLoginListener: (@Sendable (QRLoginResult) -> Void)?

    public init(connectionListener: (@Sendable (SDKEvent.ConnectionStatus) -> Void)? = nil,
                blockUserListener: (@Sendable (_ jid: String, _ blocked: Bool) -> Void)? = nil,
                userBlockedMeListener: (@Sendable (_ jid: String, _ blocked: Bool) -> Void)? = nil,
                friendsListListener: (@Sendable ([FriendProfile]) -> Void)? = nil,
                userProfileListener: (@Sendable (UserProfile) -> Void)? = nil,
                qrLoginListener: (@Sendable (QRLoginResult) -> Void)? = nil) {
        self.connectionListener = connectionListener
        self.blockUserListener = blockUserListener
        self.userBlockedMeListener = userBlockedMeListener
        self.friendsListListener = friendsListListener
        self.userProfileListener = userProfileListener
        self.qrLoginListener = qrLoginListener
    }

    func deliver(_ event: SDKEvent) {
        switch event {
        case .connection(let status): connectionListener?(status)
        case .blockUser(let jid, let blocked): blockUserListener?(jid, blocked)
        case .userBlockedMe(let jid, let blocked): userBlockedMeListener?(jid, blocked)
        case .friendsList(let friends): friendsListListener?(friends)
        case .userProfile(let profile): userProfileListener?(profile)
        case .qrLogin(let result): qrLoginListener?(result)
        }
    }
}
