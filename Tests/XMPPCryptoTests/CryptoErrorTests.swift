import Testing
import XMPPCrypto

@Suite("CryptoError")
struct CryptoErrorTests {
    @Test func equalityIgnoresTheDetail() {
        do {
            _ = try AESGCM.seal([], key: [1, 2, 3], nonce: [UInt8](repeating: 0, count: 12))
            Issue.record("a 3-byte key must be refused")
        } catch let error as CryptoError {
            #expect(error == .invalidKeyLength)
            #expect(error != .invalidNonceLength)
            #expect(error.hashValue == CryptoError.invalidKeyLength.hashValue)
            #expect(error.detail.contains("32"))
            #expect(error.description.hasPrefix("CryptoError: invalid key length"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func kindsAreDistinct() {
        let all: [CryptoError] = [
            .invalidKeyLength, .invalidNonceLength, .invalidTagLength, .invalidIterationCount,
            .invalidOutputLength, .inputTooLarge, .authenticationFailure, .invalidPublicKey, .openSSLFailure,
        ]
        #expect(Set(all).count == all.count)
        #expect(all.allSatisfy { !$0.description.isEmpty })
    }

    @Test func authenticationFailureSaysSoWithoutSecrets() throws {
        let key = [UInt8](repeating: 0x42, count: 32)
        let nonce = [UInt8](repeating: 0, count: 12)
        let box = try AESGCM.seal([1, 2, 3], key: key, nonce: nonce)
        do {
            _ = try AESGCM.open(ciphertext: box.ciphertext, tag: [UInt8](repeating: 0, count: 16), key: key, nonce: nonce)
            Issue.record("a zero tag must not verify")
        } catch let error as CryptoError {
            #expect(error == .authenticationFailure)
            #expect(!error.description.contains("4242"))
        }
    }
}
