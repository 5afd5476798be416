import Foundation
import Testing
import XMPPCrypto

/// The SCRAM computations of RFC 5802 §3, run through XMPPCrypto on the RFCs' own example
/// exchanges. SCRAM itself lives in XMPPClient; this checks that the primitives it needs agree
/// with the published proofs and signatures.
@Suite("SCRAM examples (RFC 5802 §5, RFC 7677 §3)")
struct SCRAMExampleTests {
    struct Vector: Decodable, Sendable, CustomTestStringConvertible {
        let rfc: String
        let hash: HashFunction
        let password: String
        let salt: String
        let iterations: Int
        let clientFirstBare: String
        let serverFirst: String
        let clientFinalWithoutProof: String
        let proof: String
        let serverSignature: String
        var testDescription: String { "RFC \(rfc) SCRAM-\(hash.rawValue)" }
    }

    static let vectors = (try? Vectors.load("scram-examples.json", as: VectorList<Vector>.self).vectors) ?? []

    @Test func vectorFileLoads() throws {
        #expect(try Vectors.load("scram-examples.json", as: VectorList<Vector>.self).vectors.count == 2)
    }

    @Test(arguments: vectors)
    func proofAndServerSignature(_ vector: Vector) throws {
        let salt = try #require(Data(base64Encoded: vector.salt))
        let h = vector.hash

        // SaltedPassword := Hi(Normalize(password), salt, i)   ("pencil" is already SASLprep-normal)
        let saltedPassword = try PBKDF2.deriveKey(
            password: Array(vector.password.utf8), salt: Array(salt), iterations: vector.iterations, using: h)
        let clientKey = try HMAC.authenticationCode(for: Array("Client Key".utf8), key: saltedPassword, using: h)
        let storedKey = try h.hash(clientKey)
        let authMessage = Array(
            (vector.clientFirstBare + "," + vector.serverFirst + "," + vector.clientFinalWithoutProof).utf8)
        let clientSignature = try HMAC.authenticationCode(for: authMessage, key: storedKey, using: h)
        let clientProof = zip(clientKey, clientSignature).map { $0 ^ $1 }
        let serverKey = try HMAC.authenticationCode(for: Array("Server Key".utf8), key: saltedPassword, using: h)
        let serverSignature = try HMAC.authenticationCode(for: authMessage, key: serverKey, using: h)

        #expect(Data(clientProof).base64EncodedString() == vector.proof)
        #expect(Data(serverSignature).base64EncodedString() == vector.serverSignature)

        // A client checks v= in constant time (RFC 5802 §3).
        let received = try #require(Data(base64Encoded: vector.serverSignature))
        #expect(ConstantTime.equals(serverSignature, Array(received)))

        // And the server's check (RFC 5802 §3): ClientKey = ClientProof XOR ClientSignature; H(ClientKey) == StoredKey.
        let recovered = zip(clientProof, clientSignature).map { $0 ^ $1 }
        #expect(ConstantTime.equals(try h.hash(recovered), storedKey))
    }
}
