import Testing
import XMPPClient

/// PLAIN (RFC 4616) and ANONYMOUS (RFC 4505).
@Suite("PLAIN and ANONYMOUS")
struct PlainAnonymousTests {
    @Test func plainMessageHasEmptyAuthzid() throws {
        var plain = try PlainMechanism(username: "juliet", password: "r0m30myr0m30", transport: .tls12)
        #expect(plain.name == .plain)
        #expect(try plain.initialResponse() == [0] + Array("juliet".utf8) + [0] + Array("r0m30myr0m30".utf8))
        try plain.verifySuccess(nil)
    }

    @Test func plainPreparesThePassword() throws {
        var plain = try PlainMechanism(username: "u", password: "a\u{A0}b", transport: .tls13)
        #expect(try plain.initialResponse() == [0, 0x75, 0, 0x61, 0x20, 0x62])
    }

    @Test func plainRefusesAnUnencryptedStream() {
        #expect(throws: SASLError.plainWithoutTLS) { try PlainMechanism(username: "u", password: "p", transport: .unencrypted) }
    }

    @Test func plainRefusesBadInput() {
        #expect(throws: SASLError.self) { try PlainMechanism(username: "", password: "p", transport: .tls12) }
        #expect(throws: SASLError.self) { try PlainMechanism(username: "a\u{0}b", password: "p", transport: .tls12) }
        #expect(throws: SASLError.passwordPreparationFailed) { try PlainMechanism(username: "u", password: "", transport: .tls12) }
        #expect(throws: SASLError.passwordPreparationFailed) { try PlainMechanism(username: "u", password: "p\u{0}", transport: .tls12) }
    }

    @Test func plainRefusesChallengesAndRepeats() throws {
        var plain = try PlainMechanism(username: "u", password: "p", transport: .tls12)
        _ = try plain.initialResponse()
        #expect(throws: SASLError.self) { try plain.initialResponse() }
        var challenged = try PlainMechanism(username: "u", password: "p", transport: .tls12)
        _ = try challenged.initialResponse()
        #expect(throws: SASLError.self) { try challenged.respond(to: []) }
        #expect(throws: SASLError.self) { try challenged.verifySuccess(nil) }
        var early = try PlainMechanism(username: "u", password: "p", transport: .tls12)
        #expect(throws: SASLError.self) { try early.verifySuccess(nil) }
        var extra = try PlainMechanism(username: "u", password: "p", transport: .tls12)
        _ = try extra.initialResponse()
        #expect(throws: SASLError.self) { try extra.verifySuccess([1]) }
    }

    @Test func anonymousSendsItsTrace() throws {
        var anonymous = try AnonymousMechanism()
        #expect(anonymous.name == .anonymous)
        #expect(try anonymous.initialResponse() == [])
        try anonymous.verifySuccess(nil)

        var traced = try AnonymousMechanism(trace: "sirhc")
        #expect(try traced.initialResponse() == Array("sirhc".utf8))
        try traced.verifySuccess([1, 2, 3])
    }

    @Test func anonymousRefusesBadTracesAndChallenges() throws {
        #expect(throws: SASLError.self) { try AnonymousMechanism(trace: String(repeating: "x", count: 256)) }
        #expect(throws: SASLError.self) { try AnonymousMechanism(trace: "a\nb") }
        var anonymous = try AnonymousMechanism()
        _ = try anonymous.initialResponse()
        #expect(throws: SASLError.self) { try anonymous.respond(to: []) }
        #expect(throws: SASLError.self) { try anonymous.verifySuccess(nil) }
    }
}
