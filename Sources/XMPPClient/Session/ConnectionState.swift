/// Where an ``XMPPClient`` session stands, as callers observe it (the design's connection states).
public enum ConnectionState: Sendable, Hashable, CustomStringConvertible {
    /// Not connected, and not trying to be.
    case disconnected
    /// Opening the transport and negotiating the stream (TLS, SASL, binding).
    case connecting
    /// Bound to a resource: stanzas flow.
    case connected
    /// The connection dropped; waiting to try again (attempt counts from 1).
    case reconnecting(attempt: Int)
    /// The server refused the credentials (RFC 6120 §6.5); no automatic retry follows.
    case authenticationFailed
    /// The transport or the stream failed in a way a retry may fix.
    case connectionFailed

    public var description: String {
        switch self {
        case .disconnected: return "disconnected"
        case .connecting: return "connecting"
        case .connected: return "connected"
        case .reconnecting(let attempt): return "reconnecting (attempt \(attempt))"
        case .authenticationFailed: return "authenticationFailed"
        case .connectionFailed: return "connectionFailed"
        }
    }
}
