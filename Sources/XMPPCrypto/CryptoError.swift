/// An error from `XMPPCrypto`: bad input (a wrong length, a zero iteration count), a failed
/// authentication check, or a failure inside OpenSSL.
///
/// A struct over a private enum, so that new cases can be added without breaking callers (see
/// STYLE.md, "Errors"). Compare against the static members:
///
/// ```swift
/// do { _ = try AESGCM.open(box, key: key, nonce: nonce) }
/// catch let error as CryptoError where error == .authenticationFailure { … }
/// ```
///
/// Equality and hashing look only at the kind of error, never at ``detail``, which says what was
/// expected and, where OpenSSL failed, carries OpenSSL's own error strings.
public struct CryptoError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Kind: String, Sendable, Hashable {
        case invalidKeyLength = "invalid key length"
        case invalidNonceLength = "invalid nonce length"
        case invalidTagLength = "invalid tag length"
        case invalidIterationCount = "invalid iteration count"
        case invalidOutputLength = "invalid output length"
        case inputTooLarge = "input too large"
        case authenticationFailure = "authentication failure"
        case invalidPublicKey = "invalid public key"
        case openSSLFailure = "OpenSSL failure"
    }

    private let kind: Kind

    /// What went wrong in words: the expected and actual lengths, or OpenSSL's error strings.
    /// Never contains key material. Not part of equality.
    public let detail: String

    private init(_ kind: Kind, _ detail: String = "") {
        self.kind = kind
        self.detail = detail
    }

    /// A key has the wrong length (e.g. an AES-256 key that is not 32 bytes, an X25519 key that
    /// is not 32 bytes, an HKDF pseudorandom key shorter than the hash output).
    public static let invalidKeyLength = CryptoError(.invalidKeyLength)
    /// A nonce (IV) has a length the cipher does not accept.
    public static let invalidNonceLength = CryptoError(.invalidNonceLength)
    /// An authentication tag is not the expected length, or a combined box is too short to hold one.
    public static let invalidTagLength = CryptoError(.invalidTagLength)
    /// An iteration count is below 1 or above what OpenSSL accepts (`Int32.max`).
    public static let invalidIterationCount = CryptoError(.invalidIterationCount)
    /// A requested output length is out of range (e.g. HKDF beyond 255 × HashLen, RFC 5869 §2.3).
    public static let invalidOutputLength = CryptoError(.invalidOutputLength)
    /// An input is larger than the underlying OpenSSL call can take.
    public static let inputTooLarge = CryptoError(.inputTooLarge)
    /// An AEAD tag did not verify: the ciphertext, tag, associated data, key or nonce is wrong.
    public static let authenticationFailure = CryptoError(.authenticationFailure)
    /// A peer's public key cannot be used: for X25519, one that yields the all-zero shared
    /// secret (a low-order point, RFC 7748 §6.1).
    public static let invalidPublicKey = CryptoError(.invalidPublicKey)
    /// OpenSSL reported a failure that no input check predicted; ``detail`` holds its error queue.
    public static let openSSLFailure = CryptoError(.openSSLFailure)

    /// The same kind of error, with a detail message.
    func with(detail: String) -> CryptoError {
        CryptoError(kind, detail)
    }

    public var description: String {
        detail.isEmpty ? "CryptoError: \(kind.rawValue)" : "CryptoError: \(kind.rawValue): \(detail)"
    }

    public static func == (lhs: CryptoError, rhs: CryptoError) -> Bool {
        lhs.kind == rhs.kind
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(kind)
    }
}
