/// What a check needs from the server under test besides a reachable port.
public enum CheckNeeds: String, Sendable, Hashable, Codable {
    /// A TCP connection and nothing else.
    case connection
    /// One account.
    case oneAccount = "one-account"
    /// Two accounts (a second user as the peer).
    case twoAccounts = "two-accounts"
    /// Three accounts (a stranger besides the two peers).
    case threeAccounts = "three-accounts"
    /// Creating and deleting accounts of its own (`--register`).
    case registration
    /// An RFC 7395 endpoint (`--websocket`).
    case webSocket = "websocket"
}
