import Testing
import XMPPCrypto

@Suite("HashFunction (FIPS 180-4)")
struct HashFunctionTests {
    struct Vector: Decodable, Sendable, CustomTestStringConvertible {
        let hash: HashFunction
        let message: String
        let `repeat`: Int
        let digest: String
        var testDescription: String { "\(hash.rawValue) of \(message.prefix(12))… ×\(`repeat`)" }
    }

    static let vectors: [Vector] = (try? Vectors.load("sha-fips180.json", as: VectorList<Vector>.self).vectors) ?? []

    @Test func vectorFileLoads() throws {
        let file = try Vectors.load("sha-fips180.json", as: VectorList<Vector>.self)
        #expect(file.vectors.count == 12)
        #expect(Set(file.vectors.map(\.hash)) == Set(HashFunction.allCases))
    }

    @Test(arguments: vectors)
    func fipsExamples(_ vector: Vector) throws {
        let unit = try [UInt8](hex: vector.message)
        let message = (0..<vector.repeat).flatMap { _ in unit }
        let digest = try vector.hash.hash(message)
        #expect(digest.hex == vector.digest)
        #expect(digest.count == vector.hash.digestLength)
    }

    @Test func digestLengths() {
        #expect(HashFunction.sha1.digestLength == 20)
        #expect(HashFunction.sha256.digestLength == 32)
        #expect(HashFunction.sha512.digestLength == 64)
    }

    @Test func rawValuesAreStable() {
        #expect(HashFunction(rawValue: "sha256") == .sha256)
        #expect(HashFunction.allCases == [.sha1, .sha256, .sha512])
    }
}
