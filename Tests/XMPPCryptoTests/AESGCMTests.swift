import Testing
import XMPPCrypto

@Suite("AES-256-GCM (NIST SP 800-38D)")
struct AESGCMTests {
    struct Vector: Decodable, Sendable, CustomTestStringConvertible {
        let `case`: Int
        let key: String
        let iv: String
        let plaintext: String
        let aad: String
        let ciphertext: String
        let tag: String
        var testDescription: String { "GCM test case \(`case`) (\(iv.count / 2)-byte IV)" }
    }

    static let vectors =
        (try? Vectors.load("aes256gcm-mcgrew-viega.json", as: VectorList<Vector>.self).vectors) ?? []

    @Test func vectorFileLoads() throws {
        let vectors = try Vectors.load("aes256gcm-mcgrew-viega.json", as: VectorList<Vector>.self).vectors
        #expect(vectors.map(\.case) == [13, 14, 15, 16, 17, 18])
    }

    @Test(arguments: vectors)
    func sealMatchesSpecification(_ vector: Vector) throws {
        let box = try AESGCM.seal(
            [UInt8](hex: vector.plaintext), key: [UInt8](hex: vector.key), nonce: [UInt8](hex: vector.iv),
            authenticating: [UInt8](hex: vector.aad))
        #expect(box.ciphertext.hex == vector.ciphertext)
        #expect(box.tag.hex == vector.tag)
        #expect(box.combined.hex == vector.ciphertext + vector.tag)
    }

    @Test(arguments: vectors)
    func openMatchesSpecification(_ vector: Vector) throws {
        let key = try [UInt8](hex: vector.key)
        let nonce = try [UInt8](hex: vector.iv)
        let aad = try [UInt8](hex: vector.aad)
        let plaintext = try AESGCM.open(
            ciphertext: [UInt8](hex: vector.ciphertext), tag: [UInt8](hex: vector.tag), key: key, nonce: nonce,
            authenticating: aad)
        #expect(plaintext.hex == vector.plaintext)
        let fromCombined = try AESGCM.open(
            combined: [UInt8](hex: vector.ciphertext + vector.tag), key: key, nonce: nonce, authenticating: aad)
        #expect(fromCombined == plaintext)
    }

    // MARK: - Tampering: every change is an authentication failure, never a crash or plaintext.

    static func sample() throws -> (key: [UInt8], nonce: [UInt8], aad: [UInt8], plaintext: [UInt8], box: AESGCM.SealedBox) {
        let key = try SecureRandom.bytes(count: AESGCM.keyByteCount)
        let nonce = try SecureRandom.bytes(count: AESGCM.nonceByteCount)
        let aad = Array("aesgcm://upload.example/file".utf8)
        let plaintext = Array("the profile picture, byte for byte".utf8)
        return (key, nonce, aad, plaintext, try AESGCM.seal(plaintext, key: key, nonce: nonce, authenticating: aad))
    }

    @Test func roundTrip() throws {
        let s = try Self.sample()
        #expect(s.box.ciphertext != s.plaintext)
        #expect(try AESGCM.open(s.box, key: s.key, nonce: s.nonce, authenticating: s.aad) == s.plaintext)
    }

    @Test func tamperedCiphertextFails() throws {
        let s = try Self.sample()
        for index in s.box.ciphertext.indices {
            var ciphertext = s.box.ciphertext
            ciphertext[index] ^= 0x01
            #expect(throws: CryptoError.authenticationFailure) {
                try AESGCM.open(ciphertext: ciphertext, tag: s.box.tag, key: s.key, nonce: s.nonce, authenticating: s.aad)
            }
        }
    }

    @Test func tamperedTagFails() throws {
        let s = try Self.sample()
        for index in s.box.tag.indices {
            var tag = s.box.tag
            tag[index] ^= 0x80
            #expect(throws: CryptoError.authenticationFailure) {
                try AESGCM.open(ciphertext: s.box.ciphertext, tag: tag, key: s.key, nonce: s.nonce, authenticating: s.aad)
            }
        }
    }

    @Test func tamperedOrMissingAADFails() throws {
        let s = try Self.sample()
        #expect(throws: CryptoError.authenticationFailure) {
            try AESGCM.open(s.box, key: s.key, nonce: s.nonce, authenticating: s.aad + [0])
        }
        #expect(throws: CryptoError.authenticationFailure) {
            try AESGCM.open(s.box, key: s.key, nonce: s.nonce)
        }
    }

    @Test func wrongKeyOrNonceFails() throws {
        let s = try Self.sample()
        var key = s.key
        key[0] ^= 1
        var nonce = s.nonce
        nonce[11] ^= 1
        #expect(throws: CryptoError.authenticationFailure) {
            try AESGCM.open(s.box, key: key, nonce: s.nonce, authenticating: s.aad)
        }
        #expect(throws: CryptoError.authenticationFailure) {
            try AESGCM.open(s.box, key: s.key, nonce: nonce, authenticating: s.aad)
        }
        #expect(throws: CryptoError.authenticationFailure) {
            try AESGCM.open(s.box, key: s.key, nonce: s.nonce + [0, 0, 0, 0], authenticating: s.aad)
        }
    }

    @Test func truncatedCombinedFails() throws {
        let s = try Self.sample()
        let combined = s.box.combined
        #expect(throws: CryptoError.authenticationFailure) {
            try AESGCM.open(combined: Array(combined.dropLast()), key: s.key, nonce: s.nonce, authenticating: s.aad)
        }
        #expect(throws: CryptoError.invalidTagLength) {
            try AESGCM.open(combined: Array(combined.prefix(15)), key: s.key, nonce: s.nonce)
        }
        #expect(throws: CryptoError.invalidTagLength) {
            try AESGCM.open(combined: [], key: s.key, nonce: s.nonce)
        }
    }

    // MARK: - Bad lengths are typed errors.

    @Test(arguments: [0, 1, 16, 24, 31, 33, 64])
    func rejectsKeyLength(_ length: Int) {
        let key = [UInt8](repeating: 7, count: length)
        #expect(throws: CryptoError.invalidKeyLength) {
            try AESGCM.seal([1, 2, 3], key: key, nonce: [UInt8](repeating: 0, count: 12))
        }
        #expect(throws: CryptoError.invalidKeyLength) {
            try AESGCM.open(
                ciphertext: [1, 2, 3], tag: [UInt8](repeating: 0, count: 16), key: key,
                nonce: [UInt8](repeating: 0, count: 12))
        }
    }

    @Test(arguments: [0, 129, 1000])
    func rejectsNonceLength(_ length: Int) {
        let nonce = [UInt8](repeating: 0, count: length)
        let key = [UInt8](repeating: 7, count: 32)
        #expect(throws: CryptoError.invalidNonceLength) {
            try AESGCM.seal([1, 2, 3], key: key, nonce: nonce)
        }
        #expect(throws: CryptoError.invalidNonceLength) {
            try AESGCM.open(ciphertext: [1], tag: [UInt8](repeating: 0, count: 16), key: key, nonce: nonce)
        }
    }

    @Test(arguments: [1, 8, 12, 16, 60, 128])
    func acceptsNonceLength(_ length: Int) throws {
        let key = [UInt8](repeating: 7, count: 32)
        let nonce = [UInt8](repeating: 3, count: length)
        let box = try AESGCM.seal([9, 8, 7], key: key, nonce: nonce)
        #expect(try AESGCM.open(box, key: key, nonce: nonce) == [9, 8, 7])
    }

    @Test(arguments: [0, 4, 8, 12, 15, 17, 32])
    func rejectsTagLength(_ length: Int) {
        #expect(throws: CryptoError.invalidTagLength) {
            try AESGCM.open(
                ciphertext: [1, 2], tag: [UInt8](repeating: 0, count: length),
                key: [UInt8](repeating: 7, count: 32), nonce: [UInt8](repeating: 0, count: 12))
        }
        #expect(throws: CryptoError.invalidTagLength) {
            try AESGCM.SealedBox(ciphertext: [], tag: [UInt8](repeating: 0, count: length))
        }
    }

    @Test func emptyPlaintextAndLargePlaintext() throws {
        let key = try SecureRandom.bytes(count: 32)
        let nonce = try SecureRandom.bytes(count: 12)
        let empty = try AESGCM.seal([], key: key, nonce: nonce)
        #expect(empty.ciphertext.isEmpty && empty.tag.count == 16)
        #expect(try AESGCM.open(empty, key: key, nonce: nonce).isEmpty)

        let large = try SecureRandom.bytes(count: 3 * 1024 * 1024 + 5)
        let box = try AESGCM.seal(large, key: key, nonce: nonce)
        #expect(box.ciphertext.count == large.count)
        #expect(try AESGCM.open(box, key: key, nonce: nonce) == large)
    }

    @Test func sealedBoxFromCombinedSplitsTheTag() throws {
        let combined = [UInt8](0..<20)
        let box = try AESGCM.SealedBox(combined: combined)
        #expect(box.ciphertext == [0, 1, 2, 3])
        #expect(box.tag == [UInt8](4..<20))
        #expect(box.combined == combined)
    }
}
