/// What an account authenticates with: the password, SCRAM credentials cached from an earlier
/// login (RFC 5802 §5.1), or nothing (ANONYMOUS, RFC 4505).
///
/// Its descriptions and reflection never show the password or the cached keys.
public enum SASLCredentials: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The password (prepared with OpaqueString, RFC 8265 §4.2, before use).
    case password(String)
    /// Credentials from an earlier SCRAM login: usable only with SCRAM over the same hash, and
    /// only while the server keeps the same salt and iteration count.
    case scram(SCRAMCredentials)
    /// An anonymous login (RFC 4505): only ANONYMOUS is used.
    case anonymous
    /// No login at all: after TLS the stream stays unauthenticated, for in-band registration
    /// (XEP-0077 §3) and nothing else; no resource is bound.
    case unauthenticated

    public var description: String {
        switch self {
        case .password: "password(<redacted>)"
        case .scram(let credentials): "scram(\(credentials))"
        case .anonymous: "anonymous"
        case .unauthenticated: "unauthenticated"
        }
    }

    public var debugDescription: String {
        description
    }

    public var customMirror: Mirror {
        Mirror(self, children: ["kind": description])
    }
}
