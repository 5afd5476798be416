import Foundation
import InMemoryLogging
import Logging
import Testing
import TestSupport
@testable import XMPPClient
import XMPPCore

/// STYLE.md: "Never log secrets". A full login at trace level, into an in-memory handler: the
/// password, the SCRAM keys and the SASL payloads appear nowhere, while the stanzas do.
@Suite struct LoggingSecretsTests {
    @Test(arguments: ["prosody", "ejabberd"])
    func aTraceLevelLoginLogsNoSecret(serverName: String) async throws {
        let server = try Servers.server(serverName)
        let handler = InMemoryLogHandler()
        var logger = Logger(label: "xmppkit.test.secrets") { _ in handler }
        logger.logLevel = .trace
        var configuration = try Servers.configuration(server, tlsMax: .v1_2)
        configuration.logger = logger
        let client = XMPPClient(configuration: configuration)
        let session = try await client.connect()
        await client.disconnect()

        let text = handler.entries.map { "\($0.message) \($0.metadata)" }.joined(separator: "\n")
        #expect(text.contains("<bind"), "the log should show the stanzas at trace")
        #expect(text.contains("[redacted]"))
        var secrets = [server.password, Data(server.password.utf8).base64EncodedString()]
        let credentials = try #require(session.scramCredentials)
        for key in [credentials.clientKey, credentials.serverKey] {
            secrets.append(Data(key).base64EncodedString())
            secrets.append(key.map { String(format: "%02x", $0) }.joined())
        }
        for secret in secrets {
            #expect(!text.contains(secret), "a secret reached the log")
        }
        #expect(!text.contains("cD0"), "no SCRAM client-final (base64 of 'p=…') in the log")
    }
}
