internal import COpenSSL

/// Cryptographically secure random bytes from OpenSSL's DRBG (`RAND_bytes`, NIST SP 800-90A),
/// seeded from the operating system. For keys, nonces, salts, SCRAM nonces (RFC 5802 §5.1) and
/// generated passwords.
public enum SecureRandom {
    /// `count` random bytes.
    ///
    /// - Throws: `CryptoError.invalidOutputLength` if `count` is negative;
    ///   `CryptoError.openSSLFailure` if OpenSSL cannot produce random bytes (e.g. an unseeded
    ///   generator) — never returns predictable bytes instead.
    public static func bytes(count: Int) throws -> [UInt8] {
        guard count >= 0 else {
            throw CryptoError.invalidOutputLength.with(detail: "random byte count must be ≥ 0, got \(count)")
        }
        var bytes = [UInt8](repeating: 0, count: count)
        try fill(&bytes)
        return bytes
    }

    /// Overwrites every byte of `bytes` with random bytes. Throws `CryptoError.openSSLFailure`
    /// if OpenSSL cannot produce them.
    public static func fill(_ bytes: inout [UInt8]) throws {
        let chunk = 1 << 30
        var offset = 0
        while offset < bytes.count {
            let length = min(chunk, bytes.count - offset)
            let ok = bytes.withUnsafeMutableBufferPointer { buffer in
                RAND_bytes(buffer.baseAddress.map { $0 + offset }, Int32(length))
            }
            guard ok == 1 else {
                throw OpenSSLErrorQueue.failure("RAND_bytes")
            }
            offset += length
        }
    }
}
