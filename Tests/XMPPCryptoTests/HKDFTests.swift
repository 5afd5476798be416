import Testing
import XMPPCrypto

@Suite("HKDF (RFC 5869)")
struct HKDFTests {
    struct Vector: Decodable, Sendable, CustomTestStringConvertible {
        let `case`: Int
        let hash: HashFunction
        let ikm: String
        let salt: String
        let info: String
        let length: Int
        let prk: String
        let okm: String
        var testDescription: String { "RFC 5869 test case \(`case`) (\(hash.rawValue))" }
    }

    static let vectors = (try? Vectors.load("hkdf-rfc5869.json", as: VectorList<Vector>.self).vectors) ?? []

    @Test func vectorFileLoads() throws {
        let vectors = try Vectors.load("hkdf-rfc5869.json", as: VectorList<Vector>.self).vectors
        #expect(vectors.map(\.case).sorted() == [1, 2, 3, 4, 5, 6, 7])
    }

    @Test(arguments: vectors)
    func appendixA(_ vector: Vector) throws {
        let ikm = try [UInt8](hex: vector.ikm)
        let salt = try [UInt8](hex: vector.salt)
        let info = try [UInt8](hex: vector.info)

        let okm = try HKDF.deriveKey(
            inputKeyMaterial: ikm, salt: salt, info: info, outputByteCount: vector.length, using: vector.hash)
        #expect(okm.hex == vector.okm)

        let prk = try HKDF.extract(inputKeyMaterial: ikm, salt: salt, using: vector.hash)
        #expect(prk.hex == vector.prk)
        let expanded = try HKDF.expand(
            pseudorandomKey: prk, info: info, outputByteCount: vector.length, using: vector.hash)
        #expect(expanded.hex == vector.okm)
    }

    @Test func missingSaltEqualsHashLenZeros() throws {
        // RFC 5869 §2.2: "if not provided, [salt] is set to a string of HashLen zeros".
        let ikm = [UInt8](repeating: 0x0c, count: 22)
        for hash in HashFunction.allCases {
            let none = try HKDF.deriveKey(inputKeyMaterial: ikm, outputByteCount: 42, using: hash)
            let zeros = try HKDF.deriveKey(
                inputKeyMaterial: ikm, salt: [UInt8](repeating: 0, count: hash.digestLength),
                outputByteCount: 42, using: hash)
            #expect(none == zeros)
        }
    }

    @Test(arguments: HashFunction.allCases)
    func maximumOutputIsAllowed(_ hash: HashFunction) throws {
        let maximum = HKDF.maximumOutputByteCount(using: hash)
        #expect(maximum == 255 * hash.digestLength)
        let okm = try HKDF.deriveKey(inputKeyMaterial: [1, 2, 3], outputByteCount: maximum, using: hash)
        #expect(okm.count == maximum)
    }

    @Test(arguments: HashFunction.allCases)
    func rejectsOversizedOutput(_ hash: HashFunction) {
        let tooMany = HKDF.maximumOutputByteCount(using: hash) + 1
        #expect(throws: CryptoError.invalidOutputLength) {
            try HKDF.deriveKey(inputKeyMaterial: [1], outputByteCount: tooMany, using: hash)
        }
        #expect(throws: CryptoError.invalidOutputLength) {
            try HKDF.expand(
                pseudorandomKey: [UInt8](repeating: 1, count: hash.digestLength), outputByteCount: tooMany,
                using: hash)
        }
    }

    @Test(arguments: [0, -1, Int.min])
    func rejectsEmptyOrNegativeOutput(_ count: Int) {
        #expect(throws: CryptoError.invalidOutputLength) {
            try HKDF.deriveKey(inputKeyMaterial: [1], outputByteCount: count, using: .sha256)
        }
    }

    @Test func expandRejectsShortPseudorandomKey() {
        #expect(throws: CryptoError.invalidKeyLength) {
            try HKDF.expand(pseudorandomKey: [UInt8](repeating: 1, count: 31), outputByteCount: 32, using: .sha256)
        }
    }

    @Test func emptyInputKeyMaterialWorks() throws {
        let okm = try HKDF.deriveKey(inputKeyMaterial: [], outputByteCount: 32, using: .sha256)
        #expect(okm.count == 32)
    }
}
