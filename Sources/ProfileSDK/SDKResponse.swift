/// A successful SDK call: `statusCode` 200, the documented `message`, and the method's data.
/// Encodes as `{"statusCode":200,"message":"…","data":…}`; `data` is left out when there is none.
public struct SDKResponse<Payload: Sendable & Encodable>: Sendable, Encodable {
    public var statusCode: Int
    public var message: String
    public var data: Payload?

    public init(statusCode: Int = 200, message: String = "Success", data: Payload? = nil) {
        self.statusCode = statusCode
        self.message = message
        self.data = data
    }
}

/// The data of a method that returns none.
public struct NoData: Sendable, Encodable, Hashable {
    public init() {}
}

/// `getCurrentUserJid()`: the JID sits beside `statusCode` (Specs/sdk/profile.json).
public struct CurrentUserJidResponse: Sendable, Encodable, Hashable {
    public var statusCode = 200
    public var message = "Success"
    public var userJid: String
}

/// `getUserToken(username:password:)`: the token sits beside `statusCode`.
public struct UserTokenResponse: Sendable, Encodable, Hashable {
    public var statusCode = 200
    public var message = "Success"
    public var userToken: String
}

/// `register(userIdentifier:autoLogin:)`'s data.
public struct RegisterData: Sendable, Encodable, Hashable {
    public var username: String
    public var password: String
    public var isSandbox: Bool
    public var isProfileUpdated: Bool
    public var userJid: String
}

/// `getLastSeen(toUserJid:)`'s data.
public struct LastSeen: Sendable, Encodable, Hashable {
    public var fromUserJid: String
    public var seconds: UInt64

    public init(fromUserJid: String, seconds: UInt64) {
        self.fromUserJid = fromUserJid
        self.seconds = seconds
    }
}

/// One entry of `getUsersIBlocked()` / `getUsersWhoBlockedMe()`.
public struct BlockedUser: Sendable, Encodable, Hashable {
    public var jid: String

    public init(jid: String) {
        self.jid = jid
    }
}
