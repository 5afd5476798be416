import Logging
import NIOCore
import NIOPosix
import TestSupport
import Testing
@testable import XMPPClient
import XMPPCore
import XMPPXML

/// RFC 7395 against the local Prosody and ejabberd (`scripts/servers start`): log in over `ws://`,
/// ping the server, disconnect; a wrong password; a refused upgrade; `wss://` through an in-test TLS
/// terminator in front of Prosody. These fail, never skip, when the servers are down.
@Suite(.serialized)
struct WebSocketServerTests {
    static func configuration(_ server: ServerEnvironment.Server, url: String? = nil, password: String? = nil,
                              tls: TLSConfiguration? = nil, allowPlaintext: Bool = true) throws -> XMPPClientConfiguration {
        var logger = Logger(label: "xmppkit.test.websocket")
        logger.logLevel = .warning
        // host and port are deliberately nonsense: the WebSocket URL alone says where to go.
        return XMPPClientConfiguration(
            jid: try JID(server.userJID), credential: .password(password ?? server.password), host: "192.0.2.1", port: 9,
            transport: .webSocket(url: url ?? server.webSocketURL), tls: tls, allowPlaintext: allowPlaintext,
            reconnect: nil, requestTimeout: .seconds(10), connectTimeout: .seconds(15), logger: logger)
    }

    static func ping(_ client: XMPPClient, _ server: ServerEnvironment.Server) async throws -> IQ {
        try await client.send(IQ(.get, to: try JID(server.domain), payload: XMLElement("ping", namespace: "urn:xmpp:ping")))
    }

    /// connect() throws as soon as the failure is known; the state follows a moment later.
    static func settles(_ client: XMPPClient, at state: ConnectionState) async -> Bool {
        for _ in 0..<100 {
            if await client.state == state { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    @Test("logs in over ws://, pings its server and disconnects cleanly", arguments: ["prosody", "ejabberd"])
    func login(serverName: String) async throws {
        let server = try #require(try ServerEnvironment.load().servers.first { $0.name == serverName })
        let client = XMPPClient(configuration: try Self.configuration(server))
        let session = try await client.connect()
        #expect(session.boundJID.bare == (try JID(server.userJID)).bare)
        #expect(session.boundJID.isFull)
        #expect(session.tls == nil)
        #expect(session.mechanism == .scramSHA1)
        #expect(await client.state == .connected)

        let reply = try await Self.ping(client, server)
        #expect(reply.kind == .result)

        await client.disconnect()
        #expect(await client.state == .disconnected)
        #expect(await client.lastError == nil)
    }

    @Test("a wrong password over WebSocket is an authentication error", arguments: ["prosody", "ejabberd"])
    func wrongPassword(serverName: String) async throws {
        let server = try #require(try ServerEnvironment.load().servers.first { $0.name == serverName })
        let client = XMPPClient(configuration: try Self.configuration(server, password: "not-" + server.password))
        let error = try await #require(throws: XMPPClientError.self) { try await client.connect() }
        guard case .authentication(let sasl) = error.kind else {
            Issue.record("expected an authentication error, got \(error)")
            return
        }
        #expect(sasl.isServerRejection)
        #expect(await Self.settles(client, at: .authenticationFailed))
    }

    @Test("without allowPlaintext, ws:// stops before SASL")
    func plaintextRefused() async throws {
        let server = try ServerEnvironment.load().prosody
        let client = XMPPClient(configuration: try Self.configuration(server, allowPlaintext: false))
        let error = try await #require(throws: XMPPClientError.self) { try await client.connect() }
        guard case .tlsRequired = error.kind else {
            Issue.record("expected tlsRequired, got \(error)")
            return
        }
    }

    @Test("an upgrade answered 404 is refused with the status")
    func notFound() async throws {
        let server = try ServerEnvironment.load().prosody
        let url = try WebSocketURL(server.webSocketURL)
        let client = XMPPClient(configuration: try Self.configuration(server, url: "ws://\(url.hostHeader)/no-such-endpoint"))
        let error = try await #require(throws: XMPPClientError.self) { try await client.connect() }
        guard case .connectionFailed(let reason) = error.kind else {
            Issue.record("expected connectionFailed, got \(error)")
            return
        }
        #expect(reason.contains("HTTP 404"))
    }

    @Test("wss:// to Prosody through a TLS terminator: TLS reported, login, ping")
    func secureWebSocket() async throws {
        let server = try ServerEnvironment.load().prosody
        let pki = try TLSTestPKI.get()
        let backend = try WebSocketURL(server.webSocketURL)
        let proxy = try await TLSTerminatingProxy.start(certificate: pki.serverCertificate, key: pki.serverKey,
                                                        backendHost: backend.host, backendPort: backend.port)
        defer { proxy.stop() }
        let tls = TLSConfiguration(trust: .certificateAuthorities(file: pki.caFile), serverName: TLSTestPKI.serverName)
        let url = "wss://127.0.0.1:\(proxy.port)\(backend.requestTarget)"
        let client = XMPPClient(configuration: try Self.configuration(server, url: url, tls: tls, allowPlaintext: false))
        let session = try await client.connect()
        #expect(session.tls != nil)
        #expect(session.boundJID.bare == (try JID(server.userJID)).bare)
        #expect(try await Self.ping(client, server).kind == .result)
        await client.disconnect()
        #expect(await client.state == .disconnected)
    }

    @Test("wss:// with an untrusted certificate is a TLS error")
    func secureWebSocketUntrusted() async throws {
        let server = try ServerEnvironment.load().prosody
        let pki = try TLSTestPKI.get()
        let backend = try WebSocketURL(server.webSocketURL)
        let proxy = try await TLSTerminatingProxy.start(certificate: pki.serverCertificate, key: pki.serverKey,
                                                        backendHost: backend.host, backendPort: backend.port)
        defer { proxy.stop() }
        // The servers' CA did not issue the proxy's certificate.
        let tls = TLSConfiguration(trust: .certificateAuthorities(file: try ServerEnvironment.load().caFile), serverName: TLSTestPKI.serverName)
        let url = "wss://127.0.0.1:\(proxy.port)\(backend.requestTarget)"
        let client = XMPPClient(configuration: try Self.configuration(server, url: url, tls: tls, allowPlaintext: false))
        let error = try await #require(throws: XMPPClientError.self) { try await client.connect() }
        guard case .tls = error.kind else {
            Issue.record("expected a TLS error, got \(error)")
            return
        }
    }
}
