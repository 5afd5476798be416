import Foundation
import XMPPCrypto

/// The server side of SCRAM (RFC 5802 §3, §5), written independently of the client (Foundation's
/// base64, XMPPCrypto directly) so that tests can run whole exchanges over any hash and binding.
struct SCRAMTestServer {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let hash: HashFunction
    let password: String
    let salt: [UInt8]
    let iterations: Int
    let serverNonce: String
    /// The binding data the server's end of the channel computes, by type.
    var channelBindings: [String: [UInt8]] = [:]

    private(set) var gs2Header = ""
    private(set) var clientFirstBare = ""
    private(set) var serverFirst = ""
    private(set) var combinedNonce = ""

    init(hash: HashFunction, password: String, salt: [UInt8] = Array("NaCl-salt-16byte".utf8), iterations: Int = 4096, serverNonce: String = "server-part-3rfcNHYJ") {
        self.hash = hash
        self.password = password
        self.salt = salt
        self.iterations = iterations
        self.serverNonce = serverNonce
    }

    /// Reads `gs2-header client-first-message-bare` and answers `r=…,s=…,i=…`.
    mutating func serverFirst(for clientFirst: [UInt8]) throws -> [UInt8] {
        let text = String(decoding: clientFirst, as: UTF8.self)
        let parts = text.split(separator: ",", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw Failure(description: "no gs2 header") }
        gs2Header = "\(parts[0]),\(parts[1]),"
        clientFirstBare = String(parts[2])
        guard let nonceRange = clientFirstBare.range(of: ",r=") else { throw Failure(description: "no nonce") }
        combinedNonce = String(clientFirstBare[nonceRange.upperBound...]) + serverNonce
        serverFirst = "r=\(combinedNonce),s=\(Data(salt).base64EncodedString()),i=\(iterations)"
        return Array(serverFirst.utf8)
    }

    /// Checks `c=` and the proof of a client-final-message and answers `v=…`.
    func serverFinal(for clientFinal: [UInt8]) throws -> [UInt8] {
        let text = String(decoding: clientFinal, as: UTF8.self)
        guard let proofRange = text.range(of: ",p=") else { throw Failure(description: "no proof") }
        let withoutProof = String(text[..<proofRange.lowerBound])
        let proof = Array(Data(base64Encoded: String(text[proofRange.upperBound...]))!)
        let attributes = withoutProof.split(separator: ",")
        guard attributes.count == 2, attributes[0].hasPrefix("c="), attributes[1] == "r=\(combinedNonce)" else {
            throw Failure(description: "bad client-final-message-without-proof \(withoutProof)")
        }
        var expectedBindingInput = Array(gs2Header.utf8)
        if gs2Header.hasPrefix("p=") {
            let type = String(gs2Header.dropFirst(2).prefix { $0 != "," })
            guard let data = channelBindings[type] else { throw Failure(description: "unsupported binding \(type)") }
            expectedBindingInput += data
        }
        guard Array(Data(base64Encoded: String(attributes[0].dropFirst(2)))!) == expectedBindingInput else {
            throw Failure(description: "channel bindings don't match")
        }
        let saltedPassword = try PBKDF2.deriveKey(password: Array(password.utf8), salt: salt, iterations: iterations, using: hash)
        let clientKey = try HMAC.authenticationCode(for: Array("Client Key".utf8), key: saltedPassword, using: hash)
        let storedKey = try hash.hash(clientKey)
        let authMessage = Array("\(clientFirstBare),\(serverFirst),\(withoutProof)".utf8)
        let clientSignature = try HMAC.authenticationCode(for: authMessage, key: storedKey, using: hash)
        let recovered = zip(proof, clientSignature).map { $0 ^ $1 }
        guard try hash.hash(recovered) == storedKey else { throw Failure(description: "invalid proof") }
        let serverKey = try HMAC.authenticationCode(for: Array("Server Key".utf8), key: saltedPassword, using: hash)
        let signature = try HMAC.authenticationCode(for: authMessage, key: serverKey, using: hash)
        return Array("v=\(Data(signature).base64EncodedString())".utf8)
    }
}

extension Array where Element == UInt8 {
    /// The bytes as UTF-8 text (SASL tests).
    var saslText: String { String(decoding: self, as: UTF8.self) }
}

extension String {
    /// The UTF-8 bytes (SASL tests).
    var saslBytes: [UInt8] { Array(utf8) }
}
