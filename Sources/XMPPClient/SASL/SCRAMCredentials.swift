import XMPPCore
import XMPPCrypto

/// What a SCRAM client may cache to log in again without the password (RFC 5802 §5.1: "a client
/// implementation MAY cache ClientKey&ServerKey … for later reauthentication to the same
/// service"): the hash, the server's salt and iteration count, and
/// `ClientKey = HMAC(SaltedPassword, "Client Key")`, `ServerKey = HMAC(SaltedPassword, "Server
/// Key")` (RFC 5802 §3). Never the password, and not SaltedPassword itself.
///
/// These keys log in to this account as well as the password does, on this server until the
/// password changes: store them like a password. They do not reveal the password, and do not
/// work where the server uses another salt. ``SCRAMMechanism/derivedCredentials`` hands them out
/// after a verified login; a server that later sends another salt or iteration count fails with
/// ``SASLError/credentialsOutdated``.
///
/// `Codable` as a JSON object with base64 strings:
/// `{"hash":"sha256","salt":"…","iterations":4096,"clientKey":"…","serverKey":"…"}`.
/// Descriptions, `dump` and reflection show the hash and iteration count only. `==` is not
/// constant-time: don't use it to check a secret.
public struct SCRAMCredentials: Sendable, Hashable, Codable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The SCRAM hash (SCRAM-SHA-1, -256 or -512, with or without `-PLUS`).
    public let hash: HashFunction
    /// The salt the server sent (`s=`).
    public let salt: [UInt8]
    /// The iteration count the server sent (`i=`).
    public let iterations: Int
    /// `ClientKey` (RFC 5802 §3), `hash.digestLength` bytes.
    public let clientKey: [UInt8]
    /// `ServerKey` (RFC 5802 §3), `hash.digestLength` bytes.
    public let serverKey: [UInt8]

    /// Credentials from their parts. Throws ``SASLError/invalidArgument(_:)`` for an empty salt,
    /// an iteration count below 1, or keys that are not one digest long.
    public init(hash: HashFunction, salt: [UInt8], iterations: Int, clientKey: [UInt8], serverKey: [UInt8]) throws(SASLError) {
        guard !salt.isEmpty else { throw .invalidArgument("SCRAM credentials need a non-empty salt") }
        guard iterations >= 1 else { throw .invalidArgument("SCRAM credentials need an iteration count of at least 1") }
        guard clientKey.count == hash.digestLength, serverKey.count == hash.digestLength else {
            throw .invalidArgument("SCRAM-\(hash.rawValue) keys must be \(hash.digestLength) bytes")
        }
        self.hash = hash
        self.salt = salt
        self.iterations = iterations
        self.clientKey = clientKey
        self.serverKey = serverKey
    }

    /// Derives the credentials from a password, as a login would (RFC 5802 §3):
    /// `SaltedPassword = Hi(Normalize(password), salt, i)`, with OpaqueString (RFC 8265 §4.2) as
    /// Normalize. Costs `iterations` HMAC computations.
    public static func derive(password: String, salt: [UInt8], iterations: Int, hash: HashFunction) throws(SASLError) -> SCRAMCredentials {
        try derive(preparedPassword: SASLPasswordPreparation.prepare(password), salt: salt, iterations: iterations, hash: hash)
    }

    static func derive(preparedPassword: [UInt8], salt: [UInt8], iterations: Int, hash: HashFunction) throws(SASLError) -> SCRAMCredentials {
        guard !salt.isEmpty else { throw .invalidArgument("SCRAM needs a non-empty salt") }
        let keys: (client: [UInt8], server: [UInt8])
        do {
            var saltedPassword = try PBKDF2.deriveKey(password: preparedPassword, salt: salt, iterations: iterations, using: hash)
            defer { saltedPassword.withUnsafeMutableBufferPointer { $0.update(repeating: 0) } }
            keys = (
                try HMAC.authenticationCode(for: Array("Client Key".utf8), key: saltedPassword, using: hash),
                try HMAC.authenticationCode(for: Array("Server Key".utf8), key: saltedPassword, using: hash)
            )
        } catch {
            throw .cryptoFailure(String(describing: error))
        }
        return try SCRAMCredentials(hash: hash, salt: salt, iterations: iterations, clientKey: keys.client, serverKey: keys.server)
    }

    public var description: String {
        "SCRAMCredentials(\(SASLMechanismName.scram(hash, channelBinding: false)), \(iterations) iterations, keys redacted)"
    }

    public var debugDescription: String {
        description
    }

    public var customMirror: Mirror {
        Mirror(self, children: ["hash": hash.rawValue, "iterations": iterations, "keys": "<redacted>"])
    }

    private enum CodingKeys: String, CodingKey {
        case hash, salt, iterations, clientKey, serverKey
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let hashName = try container.decode(String.self, forKey: .hash)
        guard let hash = HashFunction(rawValue: hashName) else {
            throw DecodingError.dataCorruptedError(forKey: .hash, in: container, debugDescription: "unknown SCRAM hash \"\(hashName)\"")
        }
        func bytes(_ key: CodingKeys) throws -> [UInt8] {
            guard let decoded = Base64.decode(try container.decode(String.self, forKey: key)) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "\(key.stringValue) is not base64")
            }
            return decoded
        }
        do {
            try self.init(
                hash: hash, salt: bytes(.salt), iterations: container.decode(Int.self, forKey: .iterations),
                clientKey: bytes(.clientKey), serverKey: bytes(.serverKey))
        } catch let error as SASLError {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(hash.rawValue, forKey: .hash)
        try container.encode(Base64.encode(salt), forKey: .salt)
        try container.encode(iterations, forKey: .iterations)
        try container.encode(Base64.encode(clientKey), forKey: .clientKey)
        try container.encode(Base64.encode(serverKey), forKey: .serverKey)
    }
}
