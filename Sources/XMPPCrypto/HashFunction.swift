internal import COpenSSL

/// The hash functions XMPP needs: SHA-1 (SCRAM-SHA-1, XEP-0115 caps, XEP-0153 avatars),
/// SHA-256 and SHA-512 (SCRAM-SHA-256/-512, RFC 7677), all as specified in FIPS 180-4.
///
/// Every operation that runs OpenSSL `throws`: OpenSSL can fail (memory exhaustion, a provider
/// configuration that disables an algorithm), and a library must report that, not crash.
public enum HashFunction: String, Sendable, CaseIterable {
    /// SHA-1, FIPS 180-4 §6.1. 20-byte digest. Only for protocols that require it.
    case sha1
    /// SHA-256, FIPS 180-4 §6.2. 32-byte digest.
    case sha256
    /// SHA-512, FIPS 180-4 §6.4. 64-byte digest.
    case sha512

    /// The digest length in bytes (HashLen in RFC 2104 and RFC 5869): 20, 32 or 64.
    public var digestLength: Int {
        switch self {
        case .sha1: 20
        case .sha256: 32
        case .sha512: 64
        }
    }

    /// The digest of `data` (FIPS 180-4), computed by OpenSSL's `EVP_Digest`.
    ///
    /// Throws `CryptoError.openSSLFailure` only if OpenSSL itself fails.
    public func hash(_ data: [UInt8]) throws -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var size: UInt32 = 0
        let ok = data.withNonNullPointer { input, count in
            digest.withUnsafeMutableBufferPointer { output in
                EVP_Digest(input, count, output.baseAddress, &size, messageDigest, nil)
            }
        }
        guard ok == 1, Int(size) == digestLength else {
            throw OpenSSLErrorQueue.failure("EVP_Digest(\(rawValue))")
        }
        digest.removeSubrange(digestLength...)
        return digest
    }

    /// OpenSSL's `EVP_MD` for this function (a static object owned by OpenSSL; never freed).
    var messageDigest: OpaquePointer? {
        switch self {
        case .sha1: EVP_sha1()
        case .sha256: EVP_sha256()
        case .sha512: EVP_sha512()
        }
    }
}
