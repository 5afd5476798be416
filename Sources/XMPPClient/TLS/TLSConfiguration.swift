public import NIOCore

/// A TLS protocol version XMPPKit speaks. Nothing older than TLS 1.2 is ever offered or accepted
/// (RFC 6120 §13.8 asks for TLS with strong ciphers; RFC 8996 deprecates TLS 1.0 and 1.1).
public enum TLSVersion: Sendable, Hashable, Comparable, CaseIterable, CustomStringConvertible {
    /// TLS 1.2, RFC 5246.
    case v1_2
    /// TLS 1.3, RFC 8446.
    case v1_3

    /// OpenSSL's spelling: "TLSv1.2", "TLSv1.3".
    public var description: String {
        switch self {
        case .v1_2: "TLSv1.2"
        case .v1_3: "TLSv1.3"
        }
    }
}

/// How a TLS client decides to trust the server's certificate.
public enum TLSTrust: Sendable, Hashable {
    /// The system's trust store (OpenSSL's default verify paths: on Debian `/etc/ssl/certs`),
    /// with the host name checked against ``TLSConfiguration/serverName`` (RFC 6125, RFC 6120
    /// §13.7.2.1). The default.
    case systemDefault
    /// The CA certificates in a PEM file, used *instead of* the system store, with the same host
    /// name check. For a private or test CA (`xmppkit --ca FILE`).
    case certificateAuthorities(file: String)
    /// Exactly one server certificate: the SHA-256 digest of the leaf certificate's DER must
    /// equal these 32 bytes. Chain and host name are not checked; a mismatch aborts the handshake
    /// with ``TLSError/Kind/pinMismatch``.
    case pinnedCertificateSHA256([UInt8])
    /// No verification at all: anyone on the path can impersonate the server. For tests only;
    /// the handler logs a warning each time it is created with it.
    case insecureNoVerificationForTestingOnly
}

/// What a TLS client offers and accepts. A plain value: build one per connection attempt, or
/// keep one per account.
///
/// ```swift
/// let tls = TLSConfiguration(serverName: "example.org")             // system CAs, host name checked
/// let test = TLSConfiguration(trust: .certificateAuthorities(file: "ca.pem"), serverName: "xmpp.test")
/// ```
public struct TLSConfiguration: Sendable, Hashable {
    /// How the server's certificate is verified. Default ``TLSTrust/systemDefault``.
    public var trust: TLSTrust
    /// The lowest version offered and accepted. Default TLS 1.2.
    public var minimumVersion: TLSVersion
    /// The highest version offered, or `nil` for the highest OpenSSL supports (TLS 1.3).
    public var maximumVersion: TLSVersion?
    /// The name sent as SNI (RFC 6066) and checked against the certificate: the XMPP domain
    /// (RFC 6120 §13.7.2.1), not the host the SRV record pointed to. An IP address literal is
    /// checked against the certificate's IP SANs and not sent as SNI. Required unless the trust
    /// is a pin or insecure.
    public var serverName: String?
    /// How long the handshake may take before it fails with ``TLSError/Kind/handshakeTimedOut``,
    /// or `nil` for no limit. Default 30 seconds: a peer that accepts the connection and then
    /// sends nothing (or half a record) must not hang the client.
    public var handshakeTimeout: TimeAmount?

    public init(
        trust: TLSTrust = .systemDefault,
        serverName: String?,
        minimumVersion: TLSVersion = .v1_2,
        maximumVersion: TLSVersion? = nil,
        handshakeTimeout: TimeAmount? = .seconds(30)
    ) {
        self.trust = trust
        self.serverName = serverName
        self.minimumVersion = minimumVersion
        self.maximumVersion = maximumVersion
        self.handshakeTimeout = handshakeTimeout
    }
}
