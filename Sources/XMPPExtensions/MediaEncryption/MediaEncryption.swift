import XMPPCrypto

/// AES-256-GCM file encryption as XEP-0454 §3 does it: a fresh 32-byte key and 12-byte IV per
/// file, the file encrypted whole, and the 16-byte authentication tag appended to the ciphertext.
/// The key and IV travel in the fragment of an ``AESGCMURL``.
///
/// ```swift
/// let sealed = try MediaEncryption.encrypt(fileBytes)        // upload sealed.ciphertext
/// let url = AESGCMURL(transportURL: getURL, key: sealed.key, iv: sealed.iv)
/// let plain = try MediaEncryption.decrypt(downloaded, key: url.key, iv: url.iv)
/// ```
public enum MediaEncryption {
    /// The key length: 32 bytes (AES-256, XEP-0454 §3).
    public static let keyByteCount = 32
    /// The IV length XMPPKit generates: 12 bytes (XEP-0454 §3).
    public static let ivByteCount = 12
    /// The IV lengths accepted when decrypting: 12 (XEP-0454 §3) and 16, which older clients
    /// (Conversations before 2018, and those that copied it) still send. Not in the XEP.
    public static let acceptedIVByteCounts: Set<Int> = [12, 16]
    /// The tag appended to every encrypted file: 16 bytes.
    public static let tagByteCount = 16

    /// A file encrypted for sharing: what to upload, and the key and IV for the URL.
    public struct Sealed: Sendable {
        /// The encrypted bytes followed by the tag: `plaintext.count + 16` bytes.
        public var ciphertext: [UInt8]
        public var key: [UInt8]
        public var iv: [UInt8]
    }

    /// The size of `plaintextByteCount` bytes once encrypted: the tag adds 16 (XEP-0454 §6 asks
    /// the slot request to use this size).
    public static func encryptedSize(ofPlaintext plaintextByteCount: Int) -> Int {
        plaintextByteCount + tagByteCount
    }

    /// Encrypts `plaintext` under a fresh random key and IV from ``SecureRandom``.
    /// - Throws: ``MediaEncryptionError/cryptoFailure(_:)`` if no random bytes or cipher are available.
    public static func encrypt(_ plaintext: [UInt8]) throws -> Sealed {
        do {
            let key = try SecureRandom.bytes(count: keyByteCount)
            let iv = try SecureRandom.bytes(count: ivByteCount)
            return Sealed(ciphertext: try encrypt(plaintext, key: key, iv: iv), key: key, iv: iv)
        } catch let error as MediaEncryptionError {
            throw error
        } catch {
            throw MediaEncryptionError.cryptoFailure("\(error)")
        }
    }

    /// Encrypts `plaintext` under `key` and `iv`: `ciphertext || tag`. For test vectors and
    /// re-encryption; never reuse an IV under one key.
    /// - Throws: ``MediaEncryptionError/cryptoFailure(_:)`` for a key that is not 32 bytes or an
    ///   IV that is not 12 or 16 bytes.
    public static func encrypt(_ plaintext: [UInt8], key: [UInt8], iv: [UInt8]) throws -> [UInt8] {
        guard key.count == keyByteCount, acceptedIVByteCounts.contains(iv.count) else {
            throw MediaEncryptionError.cryptoFailure("XEP-0454 needs a 32-byte key and a 12-byte IV (got \(key.count) and \(iv.count))")
        }
        do {
            return try AESGCM.seal(plaintext, key: key, nonce: iv).combined
        } catch {
            throw MediaEncryptionError.cryptoFailure("\(error)")
        }
    }

    /// Checks the tag and decrypts `ciphertext || tag`.
    /// - Throws: ``MediaEncryptionError/truncated(byteCount:)`` for fewer than 16 bytes;
    ///   ``MediaEncryptionError/authenticationFailed`` when the tag does not verify (a changed or
    ///   cut file, a wrong key or IV); ``MediaEncryptionError/cryptoFailure(_:)`` for a key or IV
    ///   of the wrong length.
    public static func decrypt(_ ciphertext: [UInt8], key: [UInt8], iv: [UInt8]) throws -> [UInt8] {
        guard ciphertext.count >= tagByteCount else { throw MediaEncryptionError.truncated(byteCount: ciphertext.count) }
        guard key.count == keyByteCount, acceptedIVByteCounts.contains(iv.count) else {
            throw MediaEncryptionError.cryptoFailure("XEP-0454 needs a 32-byte key and a 12- or 16-byte IV (got \(key.count) and \(iv.count))")
        }
        do {
            return try AESGCM.open(combined: ciphertext, key: key, nonce: iv)
        } catch let error as CryptoError where error == .authenticationFailure {
            throw MediaEncryptionError.authenticationFailed
        } catch {
            throw MediaEncryptionError.cryptoFailure("\(error)")
        }
    }
}
