import XMPPCore
import XMPPXML

/// Why connecting, negotiating or a request failed.
public struct XMPPClientError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable {
        /// The transport could not be opened or broke (DNS, refused, reset).
        case connectionFailed(String)
        /// The server offers no STARTTLS and plaintext was not allowed (RFC 6120 §13.7.1).
        case tlsRequired
        /// The TLS handshake or certificate verification failed.
        case tls(TLSError)
        /// SASL failed: wrong password, refused mechanism, downgrade, bad server signature (RFC 6120 §6.5).
        case authentication(SASLError)
        /// The server ended the stream with an error (RFC 6120 §4.9).
        case stream(StreamError)
        /// What the server sent could not be parsed (RFC 6120 §11), or broke the limits.
        case malformedInput(XMLStreamError)
        /// The server broke the protocol in a way the RFC does not give a condition for.
        case protocolViolation(String)
        /// Resource binding failed (RFC 6120 §7.6.2).
        case bind(StanzaError)
        /// Nothing came back in time.
        case timeout(String)
        /// The stream or connection closed.
        case closed
        /// The client is not connected, or is connecting already.
        case notConnected
        /// The server does not offer what was asked for.
        case featureNotOffered(String)
        /// A module was used before it was registered with a client, or after the client went away.
        case notRegistered
    }

    public var kind: Kind

    public init(_ kind: Kind) {
        self.kind = kind
    }

    /// True for failures a reconnect cannot fix (credentials, policy, certificates).
    public var isPermanent: Bool {
        switch kind {
        case .authentication, .tlsRequired, .tls: return true
        default: return false
        }
    }

    public var description: String {
        switch kind {
        case .connectionFailed(let reason): return "connection failed: \(reason)"
        case .tlsRequired: return "the server offers no STARTTLS and plaintext is not allowed (RFC 6120 §13.7.1)"
        case .tls(let error): return "TLS failed: \(error)"
        case .authentication(let error): return "authentication failed: \(error)"
        case .stream(let error): return "\(error)"
        case .malformedInput(let error): return "malformed input from the server: \(error)"
        case .protocolViolation(let reason): return "protocol violation: \(reason)"
        case .bind(let error): return "resource binding failed: \(error)"
        case .timeout(let what): return "timed out: \(what)"
        case .closed: return "the stream closed"
        case .notConnected: return "not connected"
        case .featureNotOffered(let feature): return "the server does not offer \(feature)"
        case .notRegistered: return "the module is not registered with a client"
        }
    }
}
