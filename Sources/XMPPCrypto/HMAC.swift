internal import COpenSSL

/// HMAC, the keyed-hash message authentication code of RFC 2104, over SHA-1, SHA-256 or SHA-512
/// (RFC 2104 §2, with the SHA-2 identifiers of RFC 4231). Used by SCRAM (RFC 5802 §3) for the
/// client and server keys and signatures.
public enum HMAC {
    /// `HMAC(key, message)` per RFC 2104 §2, with `hashFunction` as H; the result is
    /// `hashFunction.digestLength` bytes. Any key length is allowed: keys longer than the hash's
    /// block size are hashed first, shorter ones zero-padded (RFC 2104 §2, RFC 4231 §4.7).
    ///
    /// To check a received code, compare with ``ConstantTime/equals(_:_:)``, never `==`.
    /// Throws `CryptoError.inputTooLarge` for a key over `Int32.max` bytes, and
    /// `CryptoError.openSSLFailure` if OpenSSL's `HMAC()` fails.
    public static func authenticationCode(
        for message: [UInt8], key: [UInt8], using hashFunction: HashFunction
    ) throws -> [UInt8] {
        let keyLength = try int32Length(key.count, "HMAC key")
        var code = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var size: UInt32 = 0
        let result = key.withNonNullPointer { keyPointer, _ in
            message.withNonNullPointer { messagePointer, messageCount in
                code.withUnsafeMutableBufferPointer { output in
                    COpenSSL.HMAC(
                        hashFunction.messageDigest, keyPointer, keyLength,
                        messagePointer, messageCount, output.baseAddress, &size)
                }
            }
        }
        guard result != nil, Int(size) == hashFunction.digestLength else {
            throw OpenSSLErrorQueue.failure("HMAC(\(hashFunction.rawValue))")
        }
        code.removeSubrange(hashFunction.digestLength...)
        return code
    }
}
