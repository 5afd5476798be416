internal import COpenSSL

/// AES-256 in Galois/Counter Mode, the authenticated cipher of NIST SP 800-38D, computed by
/// OpenSSL's `aes-256-gcm` `EVP_CIPHER`. XEP-0454 (OMEMO media sharing, the `aesgcm://` URL
/// form) and XMPPKit's QR login use it.
///
/// The nonce (SP 800-38D's IV) must never repeat under one key: draw it from
/// ``SecureRandom/bytes(count:)`` for each message.
public enum AESGCM {
    /// The key length: 32 bytes (AES-256).
    public static let keyByteCount = 32
    /// The recommended nonce length: 12 bytes, 96 bits (SP 800-38D §5.2.1.1, §8.2).
    public static let nonceByteCount = 12
    /// The nonce lengths accepted: SP 800-38D allows any length of at least one byte; OpenSSL's
    /// GCM takes up to 128 bytes. XEP-0454 uses 12 (or, in older clients, 16).
    public static let nonceByteCounts: ClosedRange<Int> = 1...128
    /// The tag length: 16 bytes, the full 128-bit tag (SP 800-38D §5.2.1.2). Shorter tags are
    /// neither produced nor accepted.
    public static let tagByteCount = 16

    /// A ciphertext and its authentication tag, as ``seal(_:key:nonce:authenticating:)`` makes.
    public struct SealedBox: Sendable, Hashable {
        /// The encrypted bytes, as long as the plaintext.
        public let ciphertext: [UInt8]
        /// The 16-byte authentication tag.
        public let tag: [UInt8]

        /// `ciphertext || tag`: the layout XEP-0454 uses for an encrypted file.
        public var combined: [UInt8] { ciphertext + tag }

        /// A box from its parts. Throws `CryptoError.invalidTagLength` unless `tag` is 16 bytes.
        public init(ciphertext: [UInt8], tag: [UInt8]) throws {
            guard tag.count == AESGCM.tagByteCount else {
                throw CryptoError.invalidTagLength.with(
                    detail: "AES-GCM tag must be \(AESGCM.tagByteCount) bytes, got \(tag.count)")
            }
            self.ciphertext = ciphertext
            self.tag = tag
        }

        /// A box from `ciphertext || tag` (XEP-0454). Throws `CryptoError.invalidTagLength` if
        /// `combined` is shorter than the 16-byte tag.
        public init(combined: [UInt8]) throws {
            guard combined.count >= AESGCM.tagByteCount else {
                throw CryptoError.invalidTagLength.with(
                    detail: "an AES-GCM box holds at least the \(AESGCM.tagByteCount)-byte tag, got \(combined.count) bytes")
            }
            let split = combined.count - AESGCM.tagByteCount
            self.ciphertext = Array(combined[..<split])
            self.tag = Array(combined[split...])
        }
    }

    /// Encrypts and authenticates `plaintext`, also authenticating `aad` (not encrypted):
    /// GCM-AE of NIST SP 800-38D §7.1.
    ///
    /// - Throws: `CryptoError.invalidKeyLength` unless `key` is 32 bytes;
    ///   `CryptoError.invalidNonceLength` unless `nonce` is 1...128 bytes;
    ///   `CryptoError.openSSLFailure` if OpenSSL fails (e.g. a plaintext beyond GCM's limit).
    public static func seal(
        _ plaintext: [UInt8], key: [UInt8], nonce: [UInt8], authenticating aad: [UInt8] = []
    ) throws -> SealedBox {
        try checkKeyAndNonce(key, nonce)
        let context = try CipherContext()
        try context.initialize(encrypting: true, key: key, nonce: nonce)
        try context.addAuthenticatedData(aad, encrypting: true)
        var ciphertext = try context.update(plaintext, encrypting: true)
        ciphertext += try context.finishEncryption()
        guard ciphertext.count == plaintext.count else {
            throw CryptoError.openSSLFailure.with(
                detail: "aes-256-gcm produced \(ciphertext.count) bytes for \(plaintext.count)")
        }
        var tag = [UInt8](repeating: 0, count: tagByteCount)
        let got = tag.withUnsafeMutableBytes {
            EVP_CIPHER_CTX_ctrl(context.pointer, EVP_CTRL_GCM_GET_TAG, Int32(tagByteCount), $0.baseAddress)
        }
        guard got == 1 else {
            throw OpenSSLErrorQueue.failure("EVP_CIPHER_CTX_ctrl(GET_TAG)")
        }
        return try SealedBox(ciphertext: ciphertext, tag: tag)
    }

    /// Checks the tag and decrypts: GCM-AD of NIST SP 800-38D §7.2. No plaintext is returned
    /// unless the tag verifies.
    ///
    /// - Throws: `CryptoError.authenticationFailure` if the ciphertext, tag, `aad`, key or nonce
    ///   differs from what was sealed; `CryptoError.invalidKeyLength`,
    ///   `CryptoError.invalidNonceLength` for bad lengths; `CryptoError.openSSLFailure` if
    ///   OpenSSL fails otherwise.
    public static func open(
        _ box: SealedBox, key: [UInt8], nonce: [UInt8], authenticating aad: [UInt8] = []
    ) throws -> [UInt8] {
        try checkKeyAndNonce(key, nonce)
        let context = try CipherContext()
        try context.initialize(encrypting: false, key: key, nonce: nonce)
        try context.addAuthenticatedData(aad, encrypting: false)
        var plaintext = try context.update(box.ciphertext, encrypting: false)
        var tag = box.tag
        let set = tag.withUnsafeMutableBytes {
            EVP_CIPHER_CTX_ctrl(context.pointer, EVP_CTRL_GCM_SET_TAG, Int32(tagByteCount), $0.baseAddress)
        }
        guard set == 1 else {
            throw OpenSSLErrorQueue.failure("EVP_CIPHER_CTX_ctrl(SET_TAG)")
        }
        var finalLength: Int32 = 0
        var scratch = [UInt8](repeating: 0, count: 32)
        let verified = scratch.withUnsafeMutableBufferPointer {
            EVP_DecryptFinal_ex(context.pointer, $0.baseAddress, &finalLength)
        }
        guard verified == 1 else {
            // Overwrite what was decrypted so unauthenticated plaintext never escapes.
            for index in plaintext.indices { plaintext[index] = 0 }
            OpenSSLErrorQueue.clear()
            throw CryptoError.authenticationFailure.with(detail: "AES-256-GCM tag mismatch")
        }
        return plaintext
    }

    /// Checks and decrypts a ciphertext and tag given apart; see ``open(_:key:nonce:authenticating:)``.
    /// Throws `CryptoError.invalidTagLength` unless `tag` is 16 bytes.
    public static func open(
        ciphertext: [UInt8], tag: [UInt8], key: [UInt8], nonce: [UInt8],
        authenticating aad: [UInt8] = []
    ) throws -> [UInt8] {
        try open(SealedBox(ciphertext: ciphertext, tag: tag), key: key, nonce: nonce, authenticating: aad)
    }

    /// Checks and decrypts `ciphertext || tag`, the layout XEP-0454 uses; see
    /// ``open(_:key:nonce:authenticating:)``. Throws `CryptoError.invalidTagLength` if
    /// `combined` is shorter than 16 bytes.
    public static func open(
        combined: [UInt8], key: [UInt8], nonce: [UInt8], authenticating aad: [UInt8] = []
    ) throws -> [UInt8] {
        try open(SealedBox(combined: combined), key: key, nonce: nonce, authenticating: aad)
    }

    private static func checkKeyAndNonce(_ key: [UInt8], _ nonce: [UInt8]) throws {
        guard key.count == keyByteCount else {
            throw CryptoError.invalidKeyLength.with(
                detail: "AES-256-GCM key must be \(keyByteCount) bytes, got \(key.count)")
        }
        guard nonceByteCounts.contains(nonce.count) else {
            throw CryptoError.invalidNonceLength.with(
                detail: "AES-GCM nonce must be \(nonceByteCounts.lowerBound)...\(nonceByteCounts.upperBound) bytes, got \(nonce.count)")
        }
    }
}

/// An `EVP_CIPHER_CTX` for aes-256-gcm, freed when the wrapper goes away. Used by one call on one
/// thread only, never shared, so not `Sendable`.
private final class CipherContext {
    let pointer: OpaquePointer

    /// OpenSSL's `int` lengths: feed large buffers in chunks of this size.
    private static let chunk = 1 << 30

    init() throws {
        guard let pointer = EVP_CIPHER_CTX_new() else {
            throw OpenSSLErrorQueue.failure("EVP_CIPHER_CTX_new")
        }
        self.pointer = pointer
    }

    deinit {
        EVP_CIPHER_CTX_free(pointer)
    }

    func initialize(encrypting: Bool, key: [UInt8], nonce: [UInt8]) throws {
        let cipher = EVP_aes_256_gcm()
        let selected = encrypting
            ? EVP_EncryptInit_ex(pointer, cipher, nil, nil, nil)
            : EVP_DecryptInit_ex(pointer, cipher, nil, nil, nil)
        guard selected == 1 else {
            throw OpenSSLErrorQueue.failure("EVP_CipherInit_ex(aes-256-gcm)")
        }
        // Set the IV length before the IV: GCM takes any length (SP 800-38D §7.1 step 2).
        guard EVP_CIPHER_CTX_ctrl(pointer, EVP_CTRL_GCM_SET_IVLEN, Int32(nonce.count), nil) == 1 else {
            throw CryptoError.invalidNonceLength.with(
                detail: "OpenSSL refused a \(nonce.count)-byte GCM nonce: \(OpenSSLErrorQueue.drain())")
        }
        let keyed = key.withNonNullPointer { keyPointer, _ in
            nonce.withNonNullPointer { noncePointer, _ in
                encrypting
                    ? EVP_EncryptInit_ex(pointer, nil, nil, keyPointer, noncePointer)
                    : EVP_DecryptInit_ex(pointer, nil, nil, keyPointer, noncePointer)
            }
        }
        guard keyed == 1 else {
            throw OpenSSLErrorQueue.failure("EVP_CipherInit_ex(key, iv)")
        }
    }

    func addAuthenticatedData(_ aad: [UInt8], encrypting: Bool) throws {
        var offset = 0
        while offset < aad.count {
            let length = min(Self.chunk, aad.count - offset)
            var written: Int32 = 0
            let ok = aad.withNonNullPointer { input, _ in
                encrypting
                    ? EVP_EncryptUpdate(pointer, nil, &written, input + offset, Int32(length))
                    : EVP_DecryptUpdate(pointer, nil, &written, input + offset, Int32(length))
            }
            guard ok == 1 else {
                throw OpenSSLErrorQueue.failure("EVP_CipherUpdate(aad)")
            }
            offset += length
        }
    }

    func update(_ input: [UInt8], encrypting: Bool) throws -> [UInt8] {
        // GCM is a stream mode: output length equals input length; the spare block is slack.
        var output = [UInt8](repeating: 0, count: input.count + 32)
        var produced = 0
        var offset = 0
        while offset < input.count {
            let length = min(Self.chunk, input.count - offset)
            var written: Int32 = 0
            let ok = input.withNonNullPointer { source, _ in
                output.withUnsafeMutableBufferPointer { destination in
                    encrypting
                        ? EVP_EncryptUpdate(
                            pointer, destination.baseAddress.map { $0 + produced }, &written,
                            source + offset, Int32(length))
                        : EVP_DecryptUpdate(
                            pointer, destination.baseAddress.map { $0 + produced }, &written,
                            source + offset, Int32(length))
                }
            }
            guard ok == 1, written >= 0, produced + Int(written) <= output.count else {
                throw OpenSSLErrorQueue.failure("EVP_CipherUpdate")
            }
            produced += Int(written)
            offset += length
        }
        output.removeSubrange(produced...)
        return output
    }

    func finishEncryption() throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: 32)
        var written: Int32 = 0
        let ok = output.withUnsafeMutableBufferPointer {
            EVP_EncryptFinal_ex(pointer, $0.baseAddress, &written)
        }
        guard ok == 1, written >= 0, Int(written) <= output.count else {
            throw OpenSSLErrorQueue.failure("EVP_EncryptFinal_ex")
        }
        output.removeSubrange(Int(written)...)
        return output
    }
}
