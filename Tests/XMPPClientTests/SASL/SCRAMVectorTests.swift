import Foundation
import TestSupport
import Testing
import XMPPClient
import XMPPCrypto

/// The example exchanges of RFC 5802 §5 (SCRAM-SHA-1) and RFC 7677 §3 (SCRAM-SHA-256), from
/// `Fixtures/sasl/`, run through ``SCRAMMechanism`` message by message.
@Suite("SCRAM RFC example exchanges")
struct SCRAMVectorTests {
    struct Vector: Decodable, Sendable, CustomTestStringConvertible {
        let source: String
        let mechanism: String
        let hash: String
        let username: String
        let password: String
        let clientNonce: String
        let clientFirst: String
        let serverFirst: String
        let clientFinal: String
        let serverFinal: String

        var hashFunction: HashFunction { HashFunction(rawValue: hash)! }
        var testDescription: String { mechanism }
    }

    static let files = ["sasl/rfc5802-scram-sha-1.json", "sasl/rfc7677-scram-sha-256.json"]

    static func load(_ file: String) throws -> Vector {
        let vector = try JSONDecoder().decode(Vector.self, from: Fixtures.data(file))
        #expect(!vector.source.isEmpty, "every fixture says where it comes from")
        return vector
    }

    static func mechanism(_ vector: Vector, secret: SCRAMMechanism.Secret? = nil) throws -> SCRAMMechanism {
        try SCRAMMechanism(
            hash: vector.hashFunction, username: vector.username, secret: secret ?? .password(vector.password),
            clientNonce: vector.clientNonce)
    }

    @Test(arguments: files)
    func exchangeMatchesTheRFC(file: String) throws {
        let vector = try Self.load(file)
        var scram = try Self.mechanism(vector)
        #expect(scram.name.rawValue == vector.mechanism)
        #expect(try scram.initialResponse()?.saslText == vector.clientFirst)
        #expect(try scram.respond(to: vector.serverFirst.saslBytes).saslText == vector.clientFinal)
        #expect(scram.derivedCredentials == nil, "nothing to cache before the server is verified")
        try scram.verifySuccess(vector.serverFinal.saslBytes)
        #expect(scram.isComplete)
        let credentials = try #require(scram.derivedCredentials)
        #expect(credentials.hash == vector.hashFunction)
        #expect(credentials.iterations == 4096)
    }

    /// Prosody and ejabberd put `v=` in `<success/>`; a server may instead send it as a last
    /// challenge, answered with an empty response (RFC 6120 §6.4.4 / RFC 5802 §5).
    @Test(arguments: files)
    func serverFinalAsChallenge(file: String) throws {
        let vector = try Self.load(file)
        var scram = try Self.mechanism(vector)
        _ = try scram.initialResponse()
        _ = try scram.respond(to: vector.serverFirst.saslBytes)
        #expect(try scram.respond(to: vector.serverFinal.saslBytes) == [])
        #expect(scram.derivedCredentials == nil, "not before <success/>")
        try scram.verifySuccess(nil)
        #expect(scram.derivedCredentials != nil)
    }

    /// Logging in from cached credentials (RFC 5802 §5.1) produces the same proof as the password.
    @Test(arguments: files)
    func cachedCredentialsGiveTheSameProof(file: String) throws {
        let vector = try Self.load(file)
        var first = try Self.mechanism(vector)
        _ = try first.initialResponse()
        _ = try first.respond(to: vector.serverFirst.saslBytes)
        try first.verifySuccess(vector.serverFinal.saslBytes)
        let credentials = try #require(first.derivedCredentials)

        // Through Codable, as an account store would keep them.
        let stored = try JSONEncoder().encode(credentials)
        let restored = try JSONDecoder().decode(SCRAMCredentials.self, from: stored)
        #expect(restored == credentials)

        var second = try Self.mechanism(vector, secret: .credentials(restored))
        #expect(try second.initialResponse()?.saslText == vector.clientFirst)
        #expect(try second.respond(to: vector.serverFirst.saslBytes).saslText == vector.clientFinal)
        try second.verifySuccess(vector.serverFinal.saslBytes)
        #expect(second.derivedCredentials == credentials)
    }

    @Test(arguments: files)
    func derivingMatchesTheExchange(file: String) throws {
        let vector = try Self.load(file)
        let salt = try #require(Data(base64Encoded: String(vector.serverFirst.split(separator: ",")[1].dropFirst(2))))
        let derived = try SCRAMCredentials.derive(password: vector.password, salt: Array(salt), iterations: 4096, hash: vector.hashFunction)
        var scram = try Self.mechanism(vector, secret: .credentials(derived))
        _ = try scram.initialResponse()
        #expect(try scram.respond(to: vector.serverFirst.saslBytes).saslText == vector.clientFinal)
    }

    @Test(arguments: files)
    func wrongServerSignatureIsRefused(file: String) throws {
        let vector = try Self.load(file)
        var scram = try Self.mechanism(vector)
        _ = try scram.initialResponse()
        _ = try scram.respond(to: vector.serverFirst.saslBytes)
        // Flip one bit of the signature.
        var signature = Array(Data(base64Encoded: String(vector.serverFinal.dropFirst(2)))!)
        signature[0] ^= 1
        let forged = "v=\(Data(signature).base64EncodedString())"
        #expect(throws: SASLError.serverSignatureMismatch) { try scram.verifySuccess(forged.saslBytes) }
        #expect(scram.derivedCredentials == nil)
        // And the mechanism stays failed.
        #expect(throws: SASLError.self) { try scram.verifySuccess(vector.serverFinal.saslBytes) }
    }
}
