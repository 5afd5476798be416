import Foundation
import Testing
import XMPPClient
import XMPPCrypto

/// No error message, description, debug description or `dump` of a SASL value shows the
/// password, the salted password or the cached keys, in any of the forms a log would print bytes.
@Suite("SASL secrecy")
struct SASLSecrecyTests {
    static let password = "Tr0ub4dor&3-very-secret"
    static let salt = Array("pepper-and-salt!".utf8)
    static let nonce = "clientNonceForSecrecyTest"

    /// Every form the secrets could take in text.
    static func forbidden() throws -> [String] {
        let saltedPassword = try PBKDF2.deriveKey(password: Array(password.utf8), salt: salt, iterations: 4096, using: .sha256)
        let clientKey = try HMAC.authenticationCode(for: Array("Client Key".utf8), key: saltedPassword, using: .sha256)
        let serverKey = try HMAC.authenticationCode(for: Array("Server Key".utf8), key: saltedPassword, using: .sha256)
        var forms = [password, password.lowercased()]
        for secret in [saltedPassword, clientKey, serverKey] {
            let hex = secret.map { String(format: "%02x", $0) }.joined()
            forms += [hex, hex.uppercased(), Data(secret).base64EncodedString(), "\(secret)",
                      String(Data(secret).base64EncodedString().prefix(16)), String(hex.prefix(16))]
        }
        return forms
    }

    static func texts(of value: Any) -> [String] {
        var dumped = ""
        dump(value, to: &dumped)
        return [String(describing: value), String(reflecting: value), dumped]
    }

    /// SASL errors from failing exchanges with the secret password, plus one of each kind.
    static func errors() throws -> [SASLError] {
        var errors: [SASLError] = []
        func run(_ serverFirst: String, _ serverFinal: String? = nil, iterations: ClosedRange<Int> = SCRAMMechanism.defaultIterationCounts) {
            do {
                var scram = try SCRAMMechanism(
                    hash: .sha256, username: "user", secret: .password(password), acceptedIterationCounts: iterations, clientNonce: nonce)
                _ = try scram.initialResponse()
                _ = try scram.respond(to: Array(serverFirst.utf8))
                try scram.verifySuccess(serverFinal.map { Array($0.utf8) })
            } catch {
                errors.append(error)
            }
        }
        let saltB64 = Data(salt).base64EncodedString()
        run("r=\(nonce)xyz,s=\(saltB64),i=4096", "v=AAAA")
        run("r=\(nonce)xyz,s=\(saltB64),i=4096", "e=invalid-proof")
        run("r=\(nonce)xyz,s=\(saltB64),i=4096", nil)
        run("r=\(nonce)xyz,s=\(saltB64),i=4096", "v=!!")
        run("r=other,s=\(saltB64),i=4096")
        run("r=\(nonce)xyz,s=\(saltB64),i=100000000")
        run("r=\(nonce)xyz,s=\(saltB64),i=12")
        run("m=x,r=\(nonce)xyz,s=\(saltB64),i=4096")
        do { _ = try SCRAMMechanism(hash: .sha256, username: "u", secret: .password(password + "\u{7}")) } catch { errors.append(error) }
        do { _ = try PlainMechanism(username: "u", password: password, transport: .unencrypted) } catch { errors.append(error) }
        let credentials = try SCRAMCredentials.derive(password: password, salt: salt, iterations: 4096, hash: .sha256)
        do { _ = try SCRAMMechanism(hash: .sha1, username: "u", secret: .credentials(credentials)) } catch { errors.append(error) }
        do {
            _ = try SASLMechanismSelector.select(
                offered: ["PLAIN"], channelBindingTypes: nil, transport: .tls12, availableBindings: [:],
                credentials: .password(password))
        } catch { errors.append(error) }
        do {
            _ = try SASLMechanismSelector.select(
                offered: ["SCRAM-SHA-256"], channelBindingTypes: nil, transport: .tls12, availableBindings: [:],
                credentials: .scram(credentials), pin: SASLPin(strongestMechanism: .scramSHA256Plus))
        } catch { errors.append(error) }
        return errors
    }

    @Test func errorsDoNotContainSecrets() throws {
        let forbidden = try Self.forbidden()
        let errors = try Self.errors()
        #expect(errors.count == 13)
        #expect(Set(errors.map(\.code)).count >= 10)
        for error in errors {
            for text in Self.texts(of: error) {
                for secret in forbidden {
                    #expect(!text.contains(secret), "\(error.code) shows a secret")
                }
            }
        }
    }

    @Test func credentialsDoNotShowTheirKeys() throws {
        let forbidden = try Self.forbidden()
        let credentials = try SCRAMCredentials.derive(password: Self.password, salt: Self.salt, iterations: 4096, hash: .sha256)
        var values: [Any] = [
            credentials, SASLCredentials.scram(credentials), SASLCredentials.password(Self.password),
            SCRAMMechanism.Secret.password(Self.password), SCRAMMechanism.Secret.credentials(credentials),
            try PlainMechanism(username: "user", password: Self.password, transport: .tls13),
        ]
        var scram = try SCRAMMechanism(hash: .sha256, username: "user", secret: .password(Self.password), clientNonce: Self.nonce)
        values.append(scram)
        _ = try scram.initialResponse()
        _ = try scram.respond(to: Array("r=\(Self.nonce)xyz,s=\(Data(Self.salt).base64EncodedString()),i=4096".utf8))
        values.append(scram)
        for value in values {
            for text in Self.texts(of: value) {
                for secret in forbidden {
                    #expect(!text.contains(secret), "\(type(of: value)) shows a secret: \(text)")
                }
            }
        }
        #expect(credentials.description.contains("SCRAM-SHA-256"))
        #expect(credentials.description.contains("4096"))
    }

    @Test func storedTokenHoldsKeysButNotThePassword() throws {
        let credentials = try SCRAMCredentials.derive(password: Self.password, salt: Self.salt, iterations: 4096, hash: .sha256)
        let json = String(decoding: try JSONEncoder().encode(credentials), as: UTF8.self)
        #expect(!json.contains(Self.password))
        let saltedPassword = try PBKDF2.deriveKey(password: Array(Self.password.utf8), salt: Self.salt, iterations: 4096, using: .sha256)
        #expect(!json.contains(Data(saltedPassword).base64EncodedString()))
        #expect(json.contains(Data(credentials.clientKey).base64EncodedString().replacingOccurrences(of: "/", with: "\\/")))
    }
}
