internal import COpenSSL

/// HKDF, the HMAC-based extract-and-expand key derivation function of RFC 5869, over SHA-1,
/// SHA-256 or SHA-512, computed by OpenSSL's HKDF (`EVP_PKEY_derive` on an `EVP_PKEY_HKDF`
/// context).
public enum HKDF {
    /// The most bytes HKDF can produce with `hashFunction`: 255 × HashLen (RFC 5869 §2.3).
    public static func maximumOutputByteCount(using hashFunction: HashFunction) -> Int {
        255 * hashFunction.digestLength
    }

    /// `HKDF(salt, IKM, info, L)`: extract then expand (RFC 5869 §2.2 and §2.3).
    ///
    /// An empty `salt` means "not provided", which RFC 5869 §2.2 defines as HashLen zero bytes
    /// (HMAC pads a short key with zeros, so both give the same result).
    ///
    /// - Throws: `CryptoError.invalidOutputLength` unless 1 ≤ `outputByteCount` ≤ 255 × HashLen;
    ///   `CryptoError.inputTooLarge` for an input over `Int32.max` bytes;
    ///   `CryptoError.openSSLFailure` if OpenSSL fails.
    public static func deriveKey(
        inputKeyMaterial: [UInt8], salt: [UInt8] = [], info: [UInt8] = [], outputByteCount: Int,
        using hashFunction: HashFunction
    ) throws -> [UInt8] {
        try checkOutputByteCount(outputByteCount, hashFunction)
        return try derive(
            mode: Int32(EVP_PKEY_HKDEF_MODE_EXTRACT_AND_EXPAND), key: inputKeyMaterial, salt: salt,
            info: info, outputByteCount: outputByteCount, hashFunction: hashFunction)
    }

    /// `HKDF-Extract(salt, IKM) -> PRK` (RFC 5869 §2.2): a pseudorandom key of HashLen bytes.
    /// An empty `salt` stands for HashLen zero bytes, as in ``deriveKey(inputKeyMaterial:salt:info:outputByteCount:using:)``.
    public static func extract(
        inputKeyMaterial: [UInt8], salt: [UInt8] = [], using hashFunction: HashFunction
    ) throws -> [UInt8] {
        try derive(
            mode: Int32(EVP_PKEY_HKDEF_MODE_EXTRACT_ONLY), key: inputKeyMaterial, salt: salt,
            info: [], outputByteCount: hashFunction.digestLength, hashFunction: hashFunction)
    }

    /// `HKDF-Expand(PRK, info, L) -> OKM` (RFC 5869 §2.3).
    ///
    /// - Throws: `CryptoError.invalidKeyLength` if `pseudorandomKey` is shorter than HashLen
    ///   (RFC 5869 §2.3 requires "at least HashLen octets"); `CryptoError.invalidOutputLength`
    ///   unless 1 ≤ `outputByteCount` ≤ 255 × HashLen.
    public static func expand(
        pseudorandomKey: [UInt8], info: [UInt8] = [], outputByteCount: Int,
        using hashFunction: HashFunction
    ) throws -> [UInt8] {
        guard pseudorandomKey.count >= hashFunction.digestLength else {
            throw CryptoError.invalidKeyLength.with(
                detail: "HKDF-Expand needs a PRK of at least \(hashFunction.digestLength) bytes (RFC 5869 §2.3), got \(pseudorandomKey.count)")
        }
        try checkOutputByteCount(outputByteCount, hashFunction)
        return try derive(
            mode: Int32(EVP_PKEY_HKDEF_MODE_EXPAND_ONLY), key: pseudorandomKey, salt: [],
            info: info, outputByteCount: outputByteCount, hashFunction: hashFunction)
    }

    private static func checkOutputByteCount(_ count: Int, _ hashFunction: HashFunction) throws {
        let maximum = maximumOutputByteCount(using: hashFunction)
        guard count >= 1, count <= maximum else {
            throw CryptoError.invalidOutputLength.with(
                detail: "HKDF-\(hashFunction.rawValue) output must be 1...\(maximum) bytes (RFC 5869 §2.3), got \(count)")
        }
    }

    private static func derive(
        mode: Int32, key: [UInt8], salt: [UInt8], info: [UInt8], outputByteCount: Int,
        hashFunction: HashFunction
    ) throws -> [UInt8] {
        let keyLength = try int32Length(key.count, "HKDF input key material")
        let saltLength = try int32Length(salt.count, "HKDF salt")
        let infoLength = try int32Length(info.count, "HKDF info")

        guard let context = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nil) else {
            throw OpenSSLErrorQueue.failure("EVP_PKEY_CTX_new_id(HKDF)")
        }
        defer { EVP_PKEY_CTX_free(context) }

        guard EVP_PKEY_derive_init(context) == 1 else {
            throw OpenSSLErrorQueue.failure("EVP_PKEY_derive_init(HKDF)")
        }
        guard EVP_PKEY_CTX_set_hkdf_mode(context, mode) == 1 else {
            throw OpenSSLErrorQueue.failure("EVP_PKEY_CTX_set_hkdf_mode")
        }
        guard EVP_PKEY_CTX_set_hkdf_md(context, hashFunction.messageDigest) == 1 else {
            throw OpenSSLErrorQueue.failure("EVP_PKEY_CTX_set_hkdf_md(\(hashFunction.rawValue))")
        }
        let keySet = key.withNonNullPointer { pointer, _ in EVP_PKEY_CTX_set1_hkdf_key(context, pointer, keyLength) }
        guard keySet == 1 else {
            throw OpenSSLErrorQueue.failure("EVP_PKEY_CTX_set1_hkdf_key")
        }
        // OpenSSL ignores an empty salt and then uses HashLen zero bytes, as RFC 5869 §2.2 says.
        if !salt.isEmpty {
            let saltSet = salt.withNonNullPointer { pointer, _ in EVP_PKEY_CTX_set1_hkdf_salt(context, pointer, saltLength) }
            guard saltSet == 1 else {
                throw OpenSSLErrorQueue.failure("EVP_PKEY_CTX_set1_hkdf_salt")
            }
        }
        if !info.isEmpty {
            let infoSet = info.withNonNullPointer { pointer, _ in EVP_PKEY_CTX_add1_hkdf_info(context, pointer, infoLength) }
            guard infoSet == 1 else {
                throw OpenSSLErrorQueue.failure("EVP_PKEY_CTX_add1_hkdf_info")
            }
        }

        var output = [UInt8](repeating: 0, count: outputByteCount)
        var length = outputByteCount
        let derived = output.withUnsafeMutableBufferPointer {
            EVP_PKEY_derive(context, $0.baseAddress, &length)
        }
        guard derived == 1, length == outputByteCount else {
            throw OpenSSLErrorQueue.failure("EVP_PKEY_derive(HKDF)")
        }
        return output
    }
}
