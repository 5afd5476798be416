/// A channel-binding type of the IANA "Channel-Binding Types" registry, as SCRAM-PLUS
/// (RFC 5802 §6) and XEP-0440 name them.
public enum ChannelBindingType: String, Sendable, CaseIterable, Codable {
    /// RFC 5929 §3: the first Finished message of the most recent handshake. TLS 1.2 only
    /// (RFC 8446 §C.5 leaves it undefined for TLS 1.3).
    case tlsUnique = "tls-unique"
    /// RFC 9266: 32 bytes of the TLS exporter, label "EXPORTER-Channel-Binding", empty context.
    /// Defined for TLS 1.3, and for TLS 1.2 only with the extended master secret (RFC 7627).
    case tlsExporter = "tls-exporter"
    /// RFC 5929 §4.1: the hash of the server's DER certificate, with the certificate's signature
    /// hash algorithm (SHA-256 if that is MD5 or SHA-1).
    case tlsServerEndPoint = "tls-server-end-point"
}

/// What a completed TLS handshake established, computed once when it completes and delivered in
/// ``TLSEvent/handshakeCompleted(_:)``.
public struct TLSSessionInfo: Sendable, Hashable {
    /// The negotiated protocol version.
    public var version: TLSVersion
    /// The cipher suite's IANA name, e.g. "TLS_AES_256_GCM_SHA384",
    /// "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384".
    public var cipherSuite: String
    /// SHA-256 of the peer's leaf certificate (DER), the value a ``TLSTrust/pinnedCertificateSHA256(_:)``
    /// pin holds; `nil` if the peer sent none (a server seeing a client without a certificate).
    public var peerCertificateSHA256: [UInt8]?
    /// The channel-binding data this connection supports, by type; a type the connection does
    /// not define (tls-unique on TLS 1.3, tls-exporter on TLS 1.2 without extended master
    /// secret, tls-server-end-point for a certificate whose signature names no hash, such as
    /// Ed25519) is absent. Both ends of one connection compute the same values.
    public var channelBindings: [ChannelBindingType: [UInt8]]

    public init(
        version: TLSVersion,
        cipherSuite: String,
        peerCertificateSHA256: [UInt8]?,
        channelBindings: [ChannelBindingType: [UInt8]]
    ) {
        self.version = version
        self.cipherSuite = cipherSuite
        self.peerCertificateSHA256 = peerCertificateSHA256
        self.channelBindings = channelBindings
    }

    /// The version as OpenSSL names it: "TLSv1.2", "TLSv1.3".
    public var versionString: String { version.description }

    /// The channel-binding data of `type`, or `nil` if this connection does not define it.
    public func channelBinding(_ type: ChannelBindingType) -> [UInt8]? {
        channelBindings[type]
    }
}

/// The user inbound events ``OpenSSLTLSHandler`` fires.
public enum TLSEvent: Sendable, Hashable {
    /// The handshake succeeded (and, for a client, the server's certificate passed the configured
    /// trust check). Writes queued before it now go out; decrypted data follows.
    case handshakeCompleted(TLSSessionInfo)
}
