internal import COpenSSL

/// PBKDF2 with HMAC as its pseudorandom function: RFC 8018 §5.2 (PBKDF2), used as `Hi()` in
/// SCRAM (RFC 5802 §2.2, where the output length is the hash's digest length).
public enum PBKDF2 {
    /// The largest `length` ``deriveKey(password:salt:iterations:using:length:)`` accepts.
    /// RFC 8018 allows up to (2^32 − 1) × HashLen, which no protocol here needs; the cap keeps a
    /// hostile parameter from buying unbounded work.
    public static let maximumLength = 1 << 16

    /// The largest iteration count accepted: OpenSSL takes a C `int`.
    public static let maximumIterations = Int(Int32.max)

    /// `PBKDF2(P = password, S = salt, c = iterations, dkLen = length)` with HMAC-`hashFunction`
    /// as PRF (RFC 8018 §5.2). With `length` nil the output is one digest long, which is exactly
    /// SCRAM's `Hi(str, salt, i)` (RFC 5802 §2.2).
    ///
    /// Computed by OpenSSL's `PKCS5_PBKDF2_HMAC`, which applies none of SP 800-132's minimums,
    /// so RFC 6070's short salts and single iterations work. Callers choosing parameters should
    /// use a salt of at least 16 random bytes and a high iteration count (RFC 5802 §5.1 asks for
    /// at least 4096).
    ///
    /// - Throws: `CryptoError.invalidIterationCount` unless 1 ≤ `iterations` ≤
    ///   ``maximumIterations``; `CryptoError.invalidOutputLength` unless 1 ≤ `length` ≤
    ///   ``maximumLength``; `CryptoError.inputTooLarge` for a password or salt over `Int32.max`
    ///   bytes; `CryptoError.openSSLFailure` if OpenSSL fails.
    public static func deriveKey(
        password: [UInt8], salt: [UInt8], iterations: Int, using hashFunction: HashFunction,
        length: Int? = nil
    ) throws -> [UInt8] {
        guard iterations >= 1, iterations <= maximumIterations else {
            throw CryptoError.invalidIterationCount.with(
                detail: "PBKDF2 needs 1...\(maximumIterations) iterations (RFC 8018 §5.2), got \(iterations)")
        }
        let outputLength = length ?? hashFunction.digestLength
        guard outputLength >= 1, outputLength <= maximumLength else {
            throw CryptoError.invalidOutputLength.with(
                detail: "PBKDF2 output must be 1...\(maximumLength) bytes, got \(outputLength)")
        }
        let passwordLength = try int32Length(password.count, "PBKDF2 password")
        let saltLength = try int32Length(salt.count, "PBKDF2 salt")
        var derived = [UInt8](repeating: 0, count: outputLength)
        let ok = password.withNonNullPointer { passwordPointer, _ in
            salt.withNonNullPointer { saltPointer, _ in
                derived.withUnsafeMutableBufferPointer { output in
                    passwordPointer.withMemoryRebound(to: CChar.self, capacity: max(password.count, 1)) {
                        PKCS5_PBKDF2_HMAC(
                            $0, passwordLength, saltPointer, saltLength, Int32(iterations),
                            hashFunction.messageDigest, Int32(outputLength), output.baseAddress)
                    }
                }
            }
        }
        guard ok == 1 else {
            throw OpenSSLErrorQueue.failure("PKCS5_PBKDF2_HMAC(\(hashFunction.rawValue))")
        }
        return derived
    }
}
