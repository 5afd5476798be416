import ArgumentParser
import Foundation
import Logging
import XMPPClient
import XMPPCore

extension XMPPKitCommand {
    /// `xmppkit connect`: log in, print what was negotiated, disconnect.
    struct Connect: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Log in to an XMPP server, print what was negotiated, and disconnect.",
            discussion: """
                Exit codes: 0 connected; 2 the server refused the credentials; 3 the server could not be \
                reached or its certificate was not trusted; 1 anything else.
                """
        )

        enum TransportChoice: String, ExpressibleByArgument, CaseIterable {
            case starttls, tls, websocket
        }

        @Option(help: "The account, e.g. juliet@example.com (a resource may follow a '/').")
        var jid: String

        @Option(help: "The account's password.")
        var password: String

        @Option(help: "Host to connect to (default: the JID's domain).")
        var host: String?

        @Option(help: "Port (default: 5222 for starttls, 5223 for tls).")
        var port: Int?

        @Option(help: "starttls (RFC 6120 §5), tls (XEP-0368) or websocket (RFC 7395).")
        var transport: TransportChoice = .starttls

        @Option(help: "WebSocket URL for --transport websocket (ws:// or wss://).")
        var url: String?

        @Option(help: "Trust only the CA certificates in this PEM file instead of the system store.")
        var ca: String?

        @Option(help: "Use exactly this SASL mechanism (e.g. SCRAM-SHA-1-PLUS); fail if it is not offered.")
        var mechanism: String?

        @Option(help: "Highest TLS version to offer: 1.2 or 1.3 (default: the highest both sides support).")
        var tlsMax: String?

        @Flag(help: "Allow a stream without TLS (a ws:// WebSocket, or a server without STARTTLS). For local testing only.")
        var allowPlaintext = false

        @Flag(help: "End with one JSON object describing the session.")
        var json = false

        @Flag(help: "Log every stanza (credentials redacted) to standard error.")
        var verbose = false

        func validate() throws {
            if transport == .websocket && url == nil { throw ValidationError("--transport websocket needs --url") }
            if let tlsMax, tlsMax != "1.2" && tlsMax != "1.3" { throw ValidationError("--tls-max takes 1.2 or 1.3") }
            if let mechanism, SASLMechanismName(rawValue: mechanism) == nil {
                throw ValidationError("--mechanism \(mechanism) is not a mechanism name")
            }
        }

        func run() async throws {
            let account: JID
            do { account = try JID(jid) } catch { throw ValidationError("--jid: \(error)") }
            var tls = TLSConfiguration(serverName: account.domainpart)
            if let ca { tls.trust = .certificateAuthorities(file: ca) }
            if let tlsMax { tls.maximumVersion = tlsMax == "1.2" ? .v1_2 : .v1_3 }
            let transportSetting: XMPPClientConfiguration.Transport
            switch transport {
            case .starttls: transportSetting = .startTLS
            case .tls: transportSetting = .directTLS
            case .websocket: transportSetting = .webSocket(url: url ?? "")
            }
            var logger = Logger(label: "xmppkit.client")
            logger.logLevel = verbose ? .trace : .warning
            let configuration = XMPPClientConfiguration(
                jid: account, credential: .password(password), host: host, port: port, transport: transportSetting,
                tls: tls, allowPlaintext: allowPlaintext, preferredMechanism: mechanism.flatMap(SASLMechanismName.init(rawValue:)), logger: logger)
            let client = XMPPClient(configuration: configuration)
            let session: NegotiatedSession
            do {
                session = try await client.connect()
            } catch let error as XMPPClientError {
                FileHandle.standardError.write(Data("xmppkit: \(error)\n".utf8))
                switch error.kind {
                case .authentication: throw ExitCode(2)
                case .connectionFailed, .tls, .timeout: throw ExitCode(3)
                default: throw ExitCode(1)
                }
            }
            await client.disconnect()
            let report = ConnectReport(session: session, transport: transport.rawValue)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            } else {
                print(report.text)
            }
        }
    }
}

/// What `xmppkit connect` reports; `--json` prints it as one object.
struct ConnectReport: Encodable {
    var boundJid: String
    var saslMechanism: String
    var channelBinding: String?
    var tlsVersion: String?
    var tlsCipher: String?
    var streamManagement: Bool
    var compression: String?
    var transport: String
    var serverFeatures: [String]

    init(session: NegotiatedSession, transport: String) {
        boundJid = session.boundJID.description
        saslMechanism = session.mechanism?.rawValue ?? "none"
        channelBinding = session.channelBinding?.rawValue
        tlsVersion = session.tls?.versionString
        tlsCipher = session.tls?.cipherSuite
        streamManagement = session.features.streamManagement
        compression = session.compression
        self.transport = transport
        serverFeatures = session.features.summary
    }

    func encode(to encoder: any Encoder) throws {
        enum Key: String, CodingKey {
            case boundJid, saslMechanism, channelBinding, tlsVersion, tlsCipher, streamManagement, compression, transport, serverFeatures
        }
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(boundJid, forKey: .boundJid)
        try container.encode(saslMechanism, forKey: .saslMechanism)
        try container.encode(channelBinding, forKey: .channelBinding)  // null when none, as the issue asks
        try container.encode(tlsVersion, forKey: .tlsVersion)
        try container.encode(tlsCipher, forKey: .tlsCipher)
        try container.encode(streamManagement, forKey: .streamManagement)
        try container.encode(compression, forKey: .compression)
        try container.encode(transport, forKey: .transport)
        try container.encode(serverFeatures, forKey: .serverFeatures)
    }

    var text: String {
        """
        bound JID        \(boundJid)
        transport        \(transport)
        TLS              \(tlsVersion ?? "none") \(tlsCipher ?? "")
        SASL             \(saslMechanism)\(channelBinding.map { " with \($0)" } ?? "")
        compression      \(compression ?? "none")
        stream mgmt      \(streamManagement ? "offered" : "not offered")
        server features  \(serverFeatures.joined(separator: ", "))
        """
    }
}
