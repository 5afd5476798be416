/// Why an encrypted file (XEP-0454) could not be opened. No plaintext is ever returned with one
/// of these: a file that fails its check yields nothing, not "mostly right" bytes.
public enum MediaEncryptionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Not an `aesgcm://` (or XMPPKit's `aesgcm+http://`) URL with an IV and key in its
    /// fragment (XEP-0454 §3); the reason says what is wrong. Never contains the fragment.
    case invalidURL(reason: String)
    /// The GCM tag did not verify: the file was changed, cut, or the key or IV is wrong.
    case authenticationFailed
    /// The file is shorter than the 16-byte tag XEP-0454 §3 appends, so it cannot be an
    /// encrypted file at all.
    case truncated(byteCount: Int)
    /// The cipher could not run (an OpenSSL failure, not a property of the file).
    case cryptoFailure(String)

    public var description: String {
        switch self {
        case .invalidURL(let reason): "not an aesgcm URL: \(reason)"
        case .authenticationFailed: "the encrypted file does not verify (changed, truncated, or the wrong key)"
        case .truncated(let count): "the encrypted file is \(count) bytes, shorter than its 16-byte tag"
        case .cryptoFailure(let detail): "AES-256-GCM failed: \(detail)"
        }
    }
}
