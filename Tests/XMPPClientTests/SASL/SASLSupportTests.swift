import XMPPCore
import Foundation
import Testing
@testable import XMPPClient
import XMPPCrypto

/// Mechanism names, the strict base64 of SCRAM attributes, `SCRAMCredentials` coding, errors.
@Suite("SASL support types")
struct SASLSupportTests {
    // MARK: - Names

    @Test func mechanismNamesFollowRFC4422() {
        #expect(SASLMechanismName(rawValue: "SCRAM-SHA-1") == .scramSHA1)
        #expect(SASLMechanismName(rawValue: "X_OAUTH2") != nil)
        for invalid in ["", "scram-sha-1", "SCRAM SHA", "ABCDEFGHIJKLMNOPQRSTU", "PLAIN\n"] {
            #expect(SASLMechanismName(rawValue: invalid) == nil, "\(invalid)")
        }
        #expect(SASLMechanismName(rawValue: "X-OAUTH2")?.isKnown == false)
    }

    @Test func strengthOrder() {
        let order: [SASLMechanismName] = [.anonymous, .plain, .scramSHA1, .scramSHA256, .scramSHA512, .scramSHA1Plus, .scramSHA256Plus, .scramSHA512Plus]
        #expect(SASLMechanismName.known == order)
        #expect(order.map(\.strength) == Array(0..<8))
        for hash in HashFunction.allCases {
            #expect(SASLMechanismName.scram(hash, channelBinding: true).usesChannelBinding)
            #expect(!SASLMechanismName.scram(hash, channelBinding: false).usesChannelBinding)
            #expect(SASLMechanismName.scram(hash, channelBinding: true).scramHash == hash)
        }
        #expect(SASLMechanismName.plain.scramHash == nil)
    }

    // MARK: - Base64

    @Test func base64RoundTrips() {
        for length in 0..<40 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            let encoded = Base64.encode(bytes)
            #expect(encoded == Data(bytes).base64EncodedString())
            #expect(Base64.decode(encoded) == bytes)
        }
    }

    @Test func base64IsStrict() {
        for invalid in ["QQ", "QQ=", "Q===", "QQ=A", "=QQA", "QR==", "QUI=QUI=", "QU I", "QUI\n", "QUJD-A==", "QUJD_A=="] {
            #expect(Base64.decode(invalid) == nil, "\(invalid)")
        }
        #expect(Base64.decode("") == [])
        #expect(Base64.decode("QQ==") == [0x41])
        #expect(Base64.decode("QUI=") == [0x41, 0x42])
    }

    // MARK: - SCRAMCredentials

    static func credentials() throws -> SCRAMCredentials {
        try SCRAMCredentials.derive(password: "pencil", salt: Array("0123456789abcdef".utf8), iterations: 4096, hash: .sha512)
    }

    @Test func credentialsCodeAsBase64JSON() throws {
        let credentials = try Self.credentials()
        let object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(credentials)) as? [String: Any])
        #expect(Set(object.keys) == ["hash", "salt", "iterations", "clientKey", "serverKey"])
        #expect(object["hash"] as? String == "sha512")
        #expect(object["iterations"] as? Int == 4096)
        #expect(object["salt"] as? String == Data("0123456789abcdef".utf8).base64EncodedString())
        #expect(try JSONDecoder().decode(SCRAMCredentials.self, from: JSONEncoder().encode(credentials)) == credentials)
    }

    @Test func credentialsDecodingValidates() throws {
        let key = Data(repeating: 1, count: 20).base64EncodedString()
        let good = #"{"hash":"sha1","salt":"c2FsdA==","iterations":4096,"clientKey":"\#(key)","serverKey":"\#(key)"}"#
        _ = try JSONDecoder().decode(SCRAMCredentials.self, from: Data(good.utf8))
        let bad = [
            good.replacingOccurrences(of: "sha1", with: "md5"),
            good.replacingOccurrences(of: "4096", with: "0"),
            good.replacingOccurrences(of: "c2FsdA==", with: ""),
            good.replacingOccurrences(of: "c2FsdA==", with: "c2FsdA"),
            good.replacingOccurrences(of: "\"hash\":\"sha1\"", with: "\"hash\":\"sha256\""),
            #"{"hash":"sha1","salt":"c2FsdA==","iterations":4096}"#,
        ]
        for json in bad {
            #expect(throws: DecodingError.self, "\(json)") { try JSONDecoder().decode(SCRAMCredentials.self, from: Data(json.utf8)) }
        }
    }

    @Test func credentialsInitValidates() {
        let key = [UInt8](repeating: 1, count: 32)
        #expect(throws: SASLError.self) { try SCRAMCredentials(hash: .sha256, salt: [], iterations: 1, clientKey: key, serverKey: key) }
        #expect(throws: SASLError.self) { try SCRAMCredentials(hash: .sha256, salt: [1], iterations: 0, clientKey: key, serverKey: key) }
        #expect(throws: SASLError.self) { try SCRAMCredentials(hash: .sha1, salt: [1], iterations: 1, clientKey: key, serverKey: key) }
    }

    // MARK: - Errors

    @Test func serverFailureConditionsAreRFC6120s() {
        #expect(SASLFailureCondition.allCases.count == 11)
        #expect(SASLFailureCondition(rawValue: "not-authorized") == .notAuthorized)
        #expect(SASLFailureCondition(rawValue: "temporary-auth-failure") == .temporaryAuthFailure)
        let error = SASLError.serverFailure(.accountDisabled, text: "Call 212-555-1212 for help.")
        #expect(error.code == .serverFailure)
        #expect(error.failureCondition == .accountDisabled)
        #expect(error.serverText == "Call 212-555-1212 for help.")
        #expect(error.isServerRejection)
        #expect(error.description.contains("account-disabled"))
        #expect(!SASLError.nonceMismatch.isServerRejection)
    }

    @Test func serverTextIsEscapedAndBounded() {
        let error = SASLError.serverFailure(.notAuthorized, text: "line\u{1B}[31m\n" + String(repeating: "x", count: 500))
        #expect(!error.description.contains("\u{1B}"))
        #expect(!error.description.contains("\n"))
        #expect(error.description.count < 400)
    }

    @Test func everyCodeHasADistinctDescription() {
        let pin = SASLPin(strongestMechanism: .scramSHA1Plus)
        let errors: [SASLError] = [
            .serverFailure(.notAuthorized), .scramServerError("invalid-proof"), .malformedChallenge("x"),
            .protocolViolation("x"), .nonceMismatch, .iterationCountTooLow(1), .iterationCountTooHigh(2),
            .serverSignatureMismatch, .noAcceptableMechanism(offered: [.plain]), .mechanismNotOffered(.plain),
            .policyViolation("x"), .downgradeDetected(pinned: pin, offered: nil), .credentialsOutdated,
            .channelBindingUnavailable, .plainWithoutTLS, .passwordPreparationFailed, .invalidArgument("x"),
            .cryptoFailure("x"),
        ]
        #expect(Set(errors.map(\.code)).count == errors.count)
        #expect(Set(errors.map(\.description)).count == errors.count)
        #expect(errors.allSatisfy { $0.description.hasPrefix("SASL: ") })
        #expect(SASLError.iterationCountTooHigh(5) != .iterationCountTooHigh(6))
    }
}
