import Testing
import XMPPCrypto

@Suite("ConstantTime")
struct ConstantTimeTests {
    @Test func equalBytes() {
        #expect(ConstantTime.equals([], []))
        #expect(ConstantTime.equals([1, 2, 3], [1, 2, 3]))
        #expect(ConstantTime.equals([UInt8](repeating: 0xab, count: 64), [UInt8](repeating: 0xab, count: 64)))
    }

    @Test func differentBytes() {
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equals([0, 2, 3], [1, 2, 3]))
        for index in 0..<32 {
            var other = [UInt8](repeating: 7, count: 32)
            other[index] ^= 0x40
            #expect(!ConstantTime.equals([UInt8](repeating: 7, count: 32), other))
        }
    }

    @Test func differentLengthsAreUnequal() {
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2]))
        #expect(!ConstantTime.equals([], [0]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2, 3, 0]))
    }
}
