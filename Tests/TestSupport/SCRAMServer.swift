import Foundation
import XMPPCrypto

/// The server side of SCRAM (RFC 5802 §3), for scripted servers in tests.
public struct SCRAMServer: Sendable {
    public var hash: HashFunction = .sha1
    public var password: String
    public var salt: [UInt8] = Array("QSXCR+Q6sek8bf92".utf8)
    public var iterations = 4096
    /// The channel-binding data the server expects after a `p=` GS2 header.
    public var channelBindingData: [UInt8] = []
    /// SaltedPassword (RFC 5802 §3) for ``password``, ``salt`` and ``iterations``, when the server
    /// keeps it instead of deriving it again for every exchange.
    public var saltedPassword: [UInt8]?
    /// Whether the server offered a -PLUS mechanism (then a `y` client is a downgrade, RFC 5802 §6).
    public var offeredPlus = false

    private var clientFirstBare = ""
    private var serverFirst = ""
    private var gs2Header = ""
    private var nonce = ""

    public enum Outcome: Equatable, Sendable {
        case challenge(String)
        case success(String)
        case failure(String)
    }

    public init(password: String) {
        self.password = password
    }

    public mutating func clientFirst(_ message: String) -> Outcome {
        let parts = message.split(separator: ",", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { return .failure("malformed-request") }
        gs2Header = parts[0] + "," + parts[1] + ","
        if parts[0] == "y" && offeredPlus { return .failure("not-authorized") }
        clientFirstBare = String(parts[2])
        guard let clientNonce = Self.attribute("r", in: clientFirstBare) else { return .failure("malformed-request") }
        nonce = clientNonce + "3rfcNHYJY1ZVvWVs7j"
        serverFirst = "r=\(nonce),s=\(Data(salt).base64EncodedString()),i=\(iterations)"
        return .challenge(serverFirst)
    }

    public mutating func clientFinal(_ message: String) -> Outcome {
        guard let proofRange = message.range(of: ",p=") else { return .failure("malformed-request") }
        let withoutProof = String(message[..<proofRange.lowerBound])
        guard let channel = Self.attribute("c", in: withoutProof), let cbind = Data(base64Encoded: channel),
              Self.attribute("r", in: withoutProof) == nonce,
              let proof = Data(base64Encoded: String(message[proofRange.upperBound...])) else {
            return .failure("malformed-request")
        }
        var expectedBinding = Array(gs2Header.utf8)
        if gs2Header.hasPrefix("p=") { expectedBinding += channelBindingData }
        guard Array(cbind) == expectedBinding else { return .failure("not-authorized") }
        do {
            let salted = try saltedPassword ?? PBKDF2.deriveKey(password: Array(password.utf8), salt: salt, iterations: iterations, using: hash)
            let clientKey = try HMAC.authenticationCode(for: Array("Client Key".utf8), key: salted, using: hash)
            let storedKey = try hash.hash(clientKey)
            let authMessage = Array("\(clientFirstBare),\(serverFirst),\(withoutProof)".utf8)
            let clientSignature = try HMAC.authenticationCode(for: authMessage, key: storedKey, using: hash)
            let recoveredKey = zip(Array(proof), clientSignature).map { $0 ^ $1 }
            guard try hash.hash(recoveredKey) == storedKey else { return .failure("not-authorized") }
            let serverKey = try HMAC.authenticationCode(for: Array("Server Key".utf8), key: salted, using: hash)
            let signature = try HMAC.authenticationCode(for: authMessage, key: serverKey, using: hash)
            return .success("v=" + Data(signature).base64EncodedString())
        } catch {
            return .failure("temporary-auth-failure")
        }
    }

    public static func attribute(_ name: Character, in message: String) -> String? {
        for part in message.split(separator: ",") where part.first == name && part.dropFirst().first == "=" {
            return String(part.dropFirst(2))
        }
        return nil
    }
}
