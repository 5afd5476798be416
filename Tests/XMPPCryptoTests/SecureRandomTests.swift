import Testing
import XMPPCrypto

@Suite("SecureRandom")
struct SecureRandomTests {
    @Test(arguments: [0, 1, 12, 32, 4096])
    func producesTheRequestedCount(_ count: Int) throws {
        #expect(try SecureRandom.bytes(count: count).count == count)
    }

    @Test func successiveDrawsDiffer() throws {
        let a = try SecureRandom.bytes(count: 32)
        let b = try SecureRandom.bytes(count: 32)
        #expect(a != b)
        #expect(a != [UInt8](repeating: 0, count: 32))
    }

    @Test func fillOverwrites() throws {
        var buffer = [UInt8](repeating: 0, count: 64)
        try SecureRandom.fill(&buffer)
        #expect(buffer != [UInt8](repeating: 0, count: 64))
        var empty: [UInt8] = []
        try SecureRandom.fill(&empty)
        #expect(empty.isEmpty)
    }

    @Test func rejectsNegativeCount() {
        #expect(throws: CryptoError.invalidOutputLength) { try SecureRandom.bytes(count: -1) }
    }
}
