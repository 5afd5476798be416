/// A TLS failure, as ``OpenSSLTLSHandler`` reports it through `errorCaught` before it closes the
/// channel (or throws it from its initializer for a configuration it cannot use).
///
/// Compare the ``kind``; read ``certificateError`` for why a certificate was refused and
/// ``detail`` for OpenSSL's own words:
///
/// ```swift
/// if let error = error as? TLSError, error.kind == .certificateVerificationFailed {
///     log("certificate refused: \(error.certificateError ?? "?")")   // "certificate has expired"
/// }
/// ```
public struct TLSError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure. A struct of constants rather than an enum, so that kinds can be
    /// added without breaking callers' switches (STYLE.md, "Errors").
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The handshake failed for a reason other than the certificate: no common version or
        /// cipher, an alert from the peer, the peer closing TLS during the handshake.
        public static let handshakeFailed = Kind("handshake failed")
        /// The handshake did not finish within ``TLSConfiguration/handshakeTimeout``.
        public static let handshakeTimedOut = Kind("handshake timed out")
        /// The server's certificate did not verify: untrusted issuer, expired, or issued for
        /// another name (``TLSError/certificateError`` says which).
        public static let certificateVerificationFailed = Kind("certificate verification failed")
        /// The server's certificate does not match the configured SHA-256 pin.
        public static let pinMismatch = Kind("certificate pin mismatch")
        /// The connection closed (TCP end of file) before the handshake finished.
        public static let unexpectedEOF = Kind("unexpected end of file")
        /// The peer sent bytes that are not valid TLS: plaintext where a TLS record belongs (a
        /// server that did not switch to TLS), a corrupt or forged record after the handshake.
        public static let protocolError = Kind("TLS protocol error")
        /// The configuration cannot be used: a missing server name, an unreadable CA file, a pin
        /// that is not 32 bytes, a minimum version above the maximum, an unloadable key.
        public static let invalidConfiguration = Kind("invalid TLS configuration")
    }

    /// What kind of failure.
    public let kind: Kind
    /// For ``Kind/certificateVerificationFailed``: OpenSSL's reason
    /// (`X509_verify_cert_error_string`), e.g. "certificate has expired", "hostname mismatch",
    /// "unable to get local issuer certificate". `nil` for other kinds.
    public let certificateError: String?
    /// Details: what the handler saw, and OpenSSL's error queue where it had something to say.
    public let detail: String

    init(_ kind: Kind, certificateError: String? = nil, _ detail: String) {
        self.kind = kind
        self.certificateError = certificateError
        self.detail = detail
    }

    public var description: String {
        var text = "TLS error: \(kind)"
        if let certificateError { text += " (\(certificateError))" }
        if !detail.isEmpty { text += ": \(detail)" }
        return text
    }
}
