import Testing
import XMPPCrypto

extension Tag {
    /// Tests that take seconds, not milliseconds (a 16,777,216-iteration PBKDF2).
    @Tag static var slow: Self
}

@Suite("PBKDF2 (RFC 8018 §5.2; vectors RFC 6070, RFC 7914 §11)")
struct PBKDF2Tests {
    struct Vector: Decodable, Sendable, CustomTestStringConvertible {
        let hash: HashFunction
        let password: String
        let salt: String
        let iterations: Int
        let length: Int
        let derivedKey: String
        var testDescription: String { "PBKDF2-HMAC-\(hash.rawValue) c=\(iterations) dkLen=\(length)" }
    }

    static let all: [Vector] =
        ((try? Vectors.load("pbkdf2-rfc6070.json", as: VectorList<Vector>.self).vectors) ?? [])
        + ((try? Vectors.load("pbkdf2-rfc7914.json", as: VectorList<Vector>.self).vectors) ?? [])
    /// RFC 6070's 16,777,216-iteration case takes several seconds; it runs on its own, tagged slow.
    static let fast = all.filter { $0.iterations < 1_000_000 }
    static let slow = all.filter { $0.iterations >= 1_000_000 }

    @Test func vectorFilesLoad() throws {
        #expect(try Vectors.load("pbkdf2-rfc6070.json", as: VectorList<Vector>.self).vectors.count == 6)
        #expect(try Vectors.load("pbkdf2-rfc7914.json", as: VectorList<Vector>.self).vectors.count == 2)
        #expect(Self.slow.count == 1)
    }

    @Test(arguments: fast)
    func rfcVectors(_ vector: Vector) throws {
        let key = try PBKDF2.deriveKey(
            password: [UInt8](hex: vector.password), salt: [UInt8](hex: vector.salt),
            iterations: vector.iterations, using: vector.hash, length: vector.length)
        #expect(key.hex == vector.derivedKey)
    }

    @Test(.tags(.slow), arguments: slow)
    func rfc6070SixteenMillionIterations(_ vector: Vector) throws {
        let key = try PBKDF2.deriveKey(
            password: [UInt8](hex: vector.password), salt: [UInt8](hex: vector.salt),
            iterations: vector.iterations, using: vector.hash, length: vector.length)
        #expect(key.hex == vector.derivedKey)
    }

    @Test func defaultLengthIsTheDigestLength() throws {
        for hash in HashFunction.allCases {
            let key = try PBKDF2.deriveKey(password: Array("pencil".utf8), salt: [1, 2, 3], iterations: 2, using: hash)
            #expect(key.count == hash.digestLength)
        }
        // Hi() of RFC 5802 §2.2 is the first block: the prefix of any longer output.
        let long = try PBKDF2.deriveKey(
            password: Array("password".utf8), salt: Array("salt".utf8), iterations: 4096, using: .sha1, length: 25)
        let hi = try PBKDF2.deriveKey(
            password: Array("password".utf8), salt: Array("salt".utf8), iterations: 4096, using: .sha1)
        #expect(Array(long.prefix(20)) == hi)
    }

    @Test func emptyPasswordAndSaltWork() throws {
        let key = try PBKDF2.deriveKey(password: [], salt: [], iterations: 1, using: .sha256)
        #expect(key.count == 32)
    }

    @Test(arguments: [0, -1, Int.min, Int(Int32.max) + 1, Int.max])
    func rejectsIterationCount(_ iterations: Int) {
        #expect(throws: CryptoError.invalidIterationCount) {
            try PBKDF2.deriveKey(password: [1], salt: [2], iterations: iterations, using: .sha256)
        }
    }

    @Test(arguments: [0, -5, PBKDF2.maximumLength + 1, Int.max])
    func rejectsOutputLength(_ length: Int) {
        #expect(throws: CryptoError.invalidOutputLength) {
            try PBKDF2.deriveKey(password: [1], salt: [2], iterations: 1, using: .sha1, length: length)
        }
    }
}
