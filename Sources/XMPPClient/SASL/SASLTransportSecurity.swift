/// What protects the stream SASL runs over, as far as mechanism selection cares: whether it is
/// encrypted (PLAIN needs that, RFC 6120 §6.4.3 with RFC 4616 §6) and the TLS version (which
/// decides the default channel-binding type, RFC 5802 §6 and RFC 9266 §3).
public enum SASLTransportSecurity: Sendable, Hashable, Codable {
    /// No TLS: no channel binding, no PLAIN.
    case unencrypted
    /// TLS 1.2 (STARTTLS, RFC 6120 §5, or direct TLS, XEP-0368).
    case tls12
    /// TLS 1.3.
    case tls13

    /// Whether the stream is encrypted.
    public var isEncrypted: Bool {
        self != .unencrypted
    }
}
