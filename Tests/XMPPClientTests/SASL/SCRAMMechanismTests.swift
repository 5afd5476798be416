import Foundation
import Testing
import XMPPClient
import XMPPCrypto

/// SCRAM beyond the RFC examples: GS2 flags and `c=`, the checks on the server's messages, the
/// iteration bounds, cached credentials, and whole exchanges against ``SCRAMTestServer``.
@Suite("SCRAM mechanism")
struct SCRAMMechanismTests {
    static let nonce = "fyko+d2lbbFgONRv9qkxdawL"
    static let saltB64 = "QSXCR+Q6sek8bf92"

    static func started(
        hash: HashFunction = .sha1, username: String = "user", password: String = "pencil",
        binding: SCRAMChannelBinding = .unsupported, iterations: ClosedRange<Int> = SCRAMMechanism.defaultIterationCounts
    ) throws -> SCRAMMechanism {
        var scram = try SCRAMMechanism(
            hash: hash, username: username, secret: .password(password), channelBinding: binding,
            acceptedIterationCounts: iterations, clientNonce: nonce)
        _ = try scram.initialResponse()
        return scram
    }

    static func serverFirst(nonceSuffix: String = "3rfcNHYJY1ZVvWVs7j", salt: String = saltB64, iterations: String = "4096") -> [UInt8] {
        "r=\(nonce)\(nonceSuffix),s=\(salt),i=\(iterations)".saslBytes
    }

    /// The `c=` attribute of a client-final-message, decoded.
    static func channelBindingAttribute(_ clientFinal: [UInt8]) throws -> [UInt8] {
        let c = try #require(clientFinal.saslText.split(separator: ",").first)
        #expect(c.hasPrefix("c="))
        return Array(try #require(Data(base64Encoded: String(c.dropFirst(2)))))
    }

    // MARK: - GS2 header and c=

    @Test func gs2HeaderWithoutBindingSupport() throws {
        var scram = try SCRAMMechanism(hash: .sha1, username: "user", secret: .password("pencil"), clientNonce: Self.nonce)
        #expect(scram.name == .scramSHA1)
        #expect(try scram.initialResponse()?.saslText == "n,,n=user,r=\(Self.nonce)")
        let final = try scram.respond(to: Self.serverFirst())
        #expect(try Self.channelBindingAttribute(final) == "n,,".saslBytes)
        #expect(final.saslText.hasPrefix("c=biws,"))
    }

    @Test func gs2HeaderWhenTheClientCouldBindButNoPlusIsOffered() throws {
        var scram = try SCRAMMechanism(
            hash: .sha1, username: "user", secret: .password("pencil"), channelBinding: .supportedButNotOffered,
            clientNonce: Self.nonce)
        #expect(scram.name == .scramSHA1, "y is not -PLUS")
        #expect(try scram.initialResponse()?.saslText == "y,,n=user,r=\(Self.nonce)")
        let final = try scram.respond(to: Self.serverFirst())
        #expect(try Self.channelBindingAttribute(final) == "y,,".saslBytes)
        #expect(final.saslText.hasPrefix("c=eSws,"))
    }

    @Test(arguments: [ChannelBindingType.tlsUnique, .tlsExporter, .tlsServerEndPoint])
    func gs2HeaderWithBinding(type: ChannelBindingType) throws {
        let data: [UInt8] = [0xDE, 0xAD, 0xBE, 0xEF, 0x00, 0x2C, 0x3D, 0xFF, 0x10, 0x20, 0x30, 0x40]
        var scram = try SCRAMMechanism(
            hash: .sha256, username: "user", secret: .password("pencil"), channelBinding: .bound(type, data: data),
            clientNonce: Self.nonce)
        #expect(scram.name == .scramSHA256Plus)
        #expect(try scram.initialResponse()?.saslText == "p=\(type.rawValue),,n=user,r=\(Self.nonce)")
        let final = try scram.respond(to: Self.serverFirst())
        #expect(try Self.channelBindingAttribute(final) == "p=\(type.rawValue),,".saslBytes + data)
    }

    @Test func tlsUniqueGS2HeaderIsExact() {
        #expect(SCRAMChannelBinding.bound(.tlsUnique, data: [1]).gs2Header == "p=tls-unique,,")
        #expect(SCRAMChannelBinding.supportedButNotOffered.gs2Header == "y,,")
        #expect(SCRAMChannelBinding.unsupported.gs2Header == "n,,")
    }

    // MARK: - Whole exchanges

    static let plusCases: [(HashFunction, ChannelBindingType?)] = [
        (.sha1, nil), (.sha256, nil), (.sha512, nil),
        (.sha1, .tlsUnique), (.sha256, .tlsExporter), (.sha512, .tlsServerEndPoint),
    ]

    @Test(arguments: plusCases)
    func roundTripAgainstTheTestServer(hash: HashFunction, bindingType: ChannelBindingType?) throws {
        let bindingData = Array(repeating: UInt8(0xA5), count: 32)
        let binding: SCRAMChannelBinding = bindingType.map { .bound($0, data: bindingData) } ?? .unsupported
        var server = SCRAMTestServer(hash: hash, password: "correct horse", iterations: 4096)
        if let bindingType { server.channelBindings[bindingType.rawValue] = bindingData }

        var scram = try SCRAMMechanism(hash: hash, username: "al=ice,x", secret: .password("correct horse"), channelBinding: binding)
        #expect(scram.name == .scram(hash, channelBinding: bindingType != nil))
        let first = try #require(try scram.initialResponse())
        #expect(first.saslText.contains("n=al=3Dice=2Cx,r="), "RFC 5802 §5.1 saslname escaping")
        let final = try scram.respond(to: server.serverFirst(for: first))
        try scram.verifySuccess(server.serverFinal(for: final))
        let credentials = try #require(scram.derivedCredentials)
        #expect(credentials.clientKey.count == hash.digestLength)

        // Again from the cached credentials, with a fresh random nonce.
        var cached = try SCRAMMechanism(hash: hash, username: "al=ice,x", secret: .credentials(credentials), channelBinding: binding)
        let first2 = try #require(try cached.initialResponse())
        #expect(first2 != first, "a new nonce each time")
        let final2 = try cached.respond(to: server.serverFirst(for: first2))
        try cached.verifySuccess(server.serverFinal(for: final2))
        #expect(cached.derivedCredentials == credentials)
    }

    @Test func bindingMismatchIsCaughtByTheServer() throws {
        var server = SCRAMTestServer(hash: .sha256, password: "pw")
        server.channelBindings["tls-unique"] = [1, 2, 3]
        var scram = try SCRAMMechanism(hash: .sha256, username: "u", secret: .password("pw"), channelBinding: .bound(.tlsUnique, data: [9, 9, 9]))
        let final = try scram.respond(to: server.serverFirst(for: try #require(try scram.initialResponse())))
        #expect(throws: SCRAMTestServer.Failure.self) { try server.serverFinal(for: final) }
        // The server's e= then ends the exchange on the client.
        #expect(throws: SASLError.scramServerError("channel-bindings-dont-match")) {
            try scram.verifySuccess("e=channel-bindings-dont-match".saslBytes)
        }
    }

    // MARK: - The server's nonce

    @Test func nonceNotExtendingOursIsRefused() throws {
        var scram = try Self.started()
        #expect(throws: SASLError.nonceMismatch) {
            try scram.respond(to: "r=someoneElsesNonce3rfcNHYJ,s=\(Self.saltB64),i=4096".saslBytes)
        }
    }

    @Test func nonceEqualToOursIsRefused() throws {
        var scram = try Self.started()
        #expect(throws: SASLError.nonceMismatch) { try scram.respond(to: Self.serverFirst(nonceSuffix: "")) }
    }

    @Test func truncatedNonceIsRefused() throws {
        var scram = try Self.started()
        #expect(throws: SASLError.nonceMismatch) {
            try scram.respond(to: "r=\(Self.nonce.dropLast()),s=\(Self.saltB64),i=4096".saslBytes)
        }
    }

    // MARK: - Iteration counts

    /// Refused before PBKDF2: at 100 million iterations the derivation would take about a minute.
    @Test(.timeLimit(.minutes(1)), arguments: ["100000000", "2147483647", "99999999999999999999999"])
    func hugeIterationCountIsRefusedWithoutComputing(count: String) throws {
        var scram = try Self.started()
        let expected = Int(count) ?? Int.max
        #expect(throws: SASLError.iterationCountTooHigh(expected)) {
            try scram.respond(to: Self.serverFirst(iterations: count))
        }
    }

    @Test func iterationCountJustAboveTheMaximumIsRefused() throws {
        var scram = try Self.started(iterations: 4096...5000)
        #expect(throws: SASLError.iterationCountTooHigh(5001)) { try scram.respond(to: Self.serverFirst(iterations: "5001")) }
        var atMaximum = try Self.started(iterations: 4096...5000)
        _ = try atMaximum.respond(to: Self.serverFirst(iterations: "5000"))
    }

    @Test(arguments: ["1", "4095"])
    func lowIterationCountIsRefused(count: String) throws {
        var scram = try Self.started()
        #expect(throws: SASLError.iterationCountTooLow(Int(count)!)) { try scram.respond(to: Self.serverFirst(iterations: count)) }
    }

    @Test func lowIterationCountCanBeAllowed() throws {
        var scram = try Self.started(iterations: 1...10)
        _ = try scram.respond(to: Self.serverFirst(iterations: "2"))
    }

    // MARK: - Malformed server-first-messages

    static let malformedServerFirsts: [(String, String)] = [
        ("empty", ""),
        ("missing r", "s=\(saltB64),i=4096"),
        ("missing s", "r=\(nonce)abc,i=4096"),
        ("missing i", "r=\(nonce)abc,s=\(saltB64)"),
        ("out of order", "s=\(saltB64),r=\(nonce)abc,i=4096"),
        ("bad base64 salt", "r=\(nonce)abc,s=QSXCR+Q6sek8bf9,i=4096"),
        ("salt with junk", "r=\(nonce)abc,s=QSXC*+Q6sek8bf92,i=4096"),
        ("empty salt", "r=\(nonce)abc,s=,i=4096"),
        ("i=0", "r=\(nonce)abc,s=\(saltB64),i=0"),
        ("i=-5", "r=\(nonce)abc,s=\(saltB64),i=-5"),
        ("i=abc", "r=\(nonce)abc,s=\(saltB64),i=abc"),
        ("i empty", "r=\(nonce)abc,s=\(saltB64),i="),
        ("i=04096", "r=\(nonce)abc,s=\(saltB64),i=04096"),
        ("i=+4096", "r=\(nonce)abc,s=\(saltB64),i=+4096"),
        ("i=4096.0", "r=\(nonce)abc,s=\(saltB64),i=4096.0"),
        ("mandatory extension m=", "m=ext,r=\(nonce)abc,s=\(saltB64),i=4096"),
        ("attribute without =", "r=\(nonce)abc,s=\(saltB64),i=4096,junk"),
        ("empty attribute", "r=\(nonce)abc,,s=\(saltB64),i=4096"),
        ("trailing comma", "r=\(nonce)abc,s=\(saltB64),i=4096,"),
        ("nonce with a space", "r=\(nonce)a c,s=\(saltB64),i=4096"),
    ]

    @Test(arguments: malformedServerFirsts)
    func malformedServerFirstIsRefused(label: String, message: String) throws {
        var scram = try Self.started()
        do {
            _ = try scram.respond(to: message.saslBytes)
            Issue.record("accepted a server-first-message with \(label)")
        } catch {
            #expect(error.code == .malformedChallenge, "\(label): \(error)")
        }
    }

    @Test func notUTF8IsRefused() throws {
        var scram = try Self.started()
        #expect(throws: SASLError.self) { try scram.respond(to: [0x72, 0x3D, 0xFF, 0xFE]) }
    }

    @Test func optionalExtensionsAfterTheIterationCountAreIgnored() throws {
        var scram = try Self.started()
        let final = try scram.respond(to: "r=\(Self.nonce)3rfcNHYJY1ZVvWVs7j,s=\(Self.saltB64),i=4096,x=future".saslBytes)
        #expect(final.saslText.hasPrefix("c=biws,r=\(Self.nonce)3rfcNHYJY1ZVvWVs7j,p="))
    }

    // MARK: - e=

    @Test func serverErrorInServerFinal() throws {
        var scram = try Self.started()
        _ = try scram.respond(to: Self.serverFirst())
        do {
            try scram.verifySuccess("e=invalid-proof".saslBytes)
            Issue.record("accepted e=")
        } catch {
            #expect(error == .scramServerError("invalid-proof"))
            #expect(error.code == .scramServerError)
            #expect(error.scramServerErrorValue == "invalid-proof")
            #expect(error.isServerRejection)
        }
    }

    @Test func serverErrorAsChallenge() throws {
        var scram = try Self.started()
        _ = try scram.respond(to: Self.serverFirst())
        #expect(throws: SASLError.scramServerError("other-error")) { try scram.respond(to: "e=other-error".saslBytes) }
    }

    @Test func serverErrorInsteadOfServerFirst() throws {
        var scram = try Self.started()
        #expect(throws: SASLError.scramServerError("unknown-user")) { try scram.respond(to: "e=unknown-user".saslBytes) }
    }

    @Test func strippedPlusIsExplained() {
        let error = SASLError.scramServerError("server-does-support-channel-binding")
        #expect(error.description.contains("stripped"))
    }

    // MARK: - Server signature

    @Test func successWithoutSignatureIsRefused() throws {
        var scram = try Self.started()
        _ = try scram.respond(to: Self.serverFirst())
        #expect(throws: SASLError.serverSignatureMismatch) { try scram.verifySuccess(nil) }
        #expect(scram.derivedCredentials == nil)
    }

    @Test func successBeforeTheProofIsRefused() throws {
        var scram = try Self.started()
        #expect(throws: SASLError.serverSignatureMismatch) { try scram.verifySuccess(nil) }
    }

    @Test func serverFinalWithoutVerifierIsMalformed() throws {
        var scram = try Self.started()
        _ = try scram.respond(to: Self.serverFirst())
        do {
            try scram.verifySuccess("x=1".saslBytes)
            Issue.record("accepted a server-final-message without v=")
        } catch {
            #expect(error.code == .malformedChallenge)
        }
    }

    @Test func signatureThatIsNotBase64IsMalformed() throws {
        var scram = try Self.started()
        _ = try scram.respond(to: Self.serverFirst())
        do {
            try scram.verifySuccess("v=not base64!".saslBytes)
            Issue.record("accepted a non-base64 v=")
        } catch {
            #expect(error.code == .malformedChallenge)
        }
    }

    @Test func truncatedSignatureIsRefused() throws {
        var scram = try Self.started()
        _ = try scram.respond(to: Self.serverFirst())
        #expect(throws: SASLError.serverSignatureMismatch) { try scram.verifySuccess("v=rmF9pqV8S7suAoZW".saslBytes) }
    }

    // MARK: - Order of calls

    @Test func challengeBeforeInitialResponseIsRefused() throws {
        var scram = try SCRAMMechanism(hash: .sha1, username: "user", secret: .password("pencil"), clientNonce: Self.nonce)
        do {
            _ = try scram.respond(to: Self.serverFirst())
            Issue.record("answered a challenge before the client-first-message")
        } catch {
            #expect(error.code == .protocolViolation)
        }
    }

    @Test func secondInitialResponseIsRefused() throws {
        var scram = try Self.started()
        #expect(throws: SASLError.self) { try scram.initialResponse() }
    }

    @Test func everythingAfterAFailureIsRefused() throws {
        var scram = try Self.started()
        #expect(throws: SASLError.nonceMismatch) { try scram.respond(to: "r=x,s=\(Self.saltB64),i=4096".saslBytes) }
        do {
            _ = try scram.respond(to: Self.serverFirst())
            Issue.record("went on after a failure")
        } catch {
            #expect(error.code == .protocolViolation)
        }
    }

    // MARK: - Cached credentials

    static func credentials(salt: [UInt8] = Array(Data(base64Encoded: saltB64)!), iterations: Int = 4096, hash: HashFunction = .sha1) throws -> SCRAMCredentials {
        try SCRAMCredentials.derive(password: "pencil", salt: salt, iterations: iterations, hash: hash)
    }

    @Test func cachedCredentialsWithAnotherSaltAreOutdated() throws {
        var scram = try SCRAMMechanism(
            hash: .sha1, username: "user", secret: .credentials(Self.credentials(salt: Array("another salt".utf8))),
            clientNonce: Self.nonce)
        _ = try scram.initialResponse()
        #expect(throws: SASLError.credentialsOutdated) { try scram.respond(to: Self.serverFirst()) }
    }

    @Test func cachedCredentialsWithAnotherIterationCountAreOutdated() throws {
        var scram = try SCRAMMechanism(
            hash: .sha1, username: "user", secret: .credentials(Self.credentials(iterations: 4097)), clientNonce: Self.nonce)
        _ = try scram.initialResponse()
        #expect(throws: SASLError.credentialsOutdated) { try scram.respond(to: Self.serverFirst()) }
    }

    @Test func cachedCredentialsForAnotherHashAreOutdated() throws {
        #expect(throws: SASLError.credentialsOutdated) {
            try SCRAMMechanism(hash: .sha256, username: "user", secret: .credentials(Self.credentials(hash: .sha1)))
        }
    }

    @Test func cachedCredentialsNeedNoIterationBound() throws {
        // The cap limits derivation work; cached keys involve none.
        var scram = try SCRAMMechanism(
            hash: .sha1, username: "user", secret: .credentials(Self.credentials()), acceptedIterationCounts: 1...10,
            clientNonce: Self.nonce)
        _ = try scram.initialResponse()
        _ = try scram.respond(to: Self.serverFirst())
    }

    // MARK: - Arguments

    @Test func invalidArgumentsAreRefused() {
        #expect(throws: SASLError.invalidArgument("the SCRAM username is empty")) {
            try SCRAMMechanism(hash: .sha1, username: "", secret: .password("pencil"))
        }
        for username in ["a\u{0}b", "a\nb"] {
            #expect(throws: SASLError.self) { try SCRAMMechanism(hash: .sha1, username: username, secret: .password("pencil")) }
        }
        for nonce in ["", "a,b", "a b", "é"] {
            #expect(throws: SASLError.self) {
                try SCRAMMechanism(hash: .sha1, username: "u", secret: .password("pencil"), clientNonce: nonce)
            }
        }
        #expect(throws: SASLError.self) {
            try SCRAMMechanism(hash: .sha1, username: "u", secret: .password("pencil"), channelBinding: .bound(.tlsUnique, data: []))
        }
        #expect(throws: SASLError.self) {
            try SCRAMMechanism(hash: .sha1, username: "u", secret: .password("pencil"), acceptedIterationCounts: 0...10)
        }
    }

    @Test func passwordsArePreparedWithOpaqueString() throws {
        #expect(throws: SASLError.passwordPreparationFailed) { try SCRAMMechanism(hash: .sha1, username: "u", secret: .password("")) }
        #expect(throws: SASLError.passwordPreparationFailed) { try SCRAMMechanism(hash: .sha1, username: "u", secret: .password("a\u{7}b")) }

        // U+00A0 NO-BREAK SPACE maps to U+0020 and decomposed é composes (RFC 8265 §4.2.2):
        // the same keys as the prepared form.
        let salt = Array("salt-salt-salt-1".utf8)
        let prepared = try SCRAMCredentials.derive(password: "caf\u{E9} au lait", salt: salt, iterations: 4096, hash: .sha256)
        let raw = try SCRAMCredentials.derive(password: "cafe\u{301}\u{A0}au lait", salt: salt, iterations: 4096, hash: .sha256)
        #expect(prepared == raw)
    }
}
