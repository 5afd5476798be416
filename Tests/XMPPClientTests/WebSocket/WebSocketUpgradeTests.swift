import Logging
import NIOCore
import NIOHTTP1
import Testing
@testable import XMPPClient
import XMPPCore
import XMPPXML

/// The opening handshake (RFC 7395 §3.1, RFC 6455 §4) against a scripted server, and the URL rules.
@Suite(.serialized)
struct WebSocketUpgradeTests {
    static func open(_ url: String) async throws -> WebSocketConnection.AsyncChannel {
        try await WebSocketConnection.open(url: url, tls: TLSConfiguration(serverName: "example.com"),
                                           limits: XMLParserLimits(), connectTimeout: .seconds(10))
    }

    @Test("a 101 without the xmpp subprotocol is refused", arguments: [nil, "chat"] as [String?])
    func subprotocolMissing(selected: String?) async throws {
        let server = try await WebSocketTestServer.start(.upgrade(subprotocol: selected))
        defer { server.stop() }
        let error = try await #require(throws: XMPPClientError.self) { try await Self.open(server.url) }
        guard case .protocolViolation(let reason) = error.kind else {
            Issue.record("expected protocolViolation, got \(error)")
            return
        }
        #expect(reason.contains("'xmpp' subprotocol"))
        if let selected { #expect(reason.contains(selected)) }
    }

    @Test("a 101 selecting xmpp opens the channel; STARTTLS and compression are refused on it (RFC 7395 §3.9)")
    func subprotocolSelected() async throws {
        let server = try await WebSocketTestServer.start(.upgrade(subprotocol: "xmpp")) { message in
            message.hasPrefix("<open") ? ["<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' from='example.com' id='s1' version='1.0'/>"] : []
        }
        defer { server.stop() }
        let channel = try await Self.open(server.url)
        try await channel.executeThenClose { inbound, outbound in
            let connection = WebSocketConnection(channel: channel.channel, outbound: outbound)
            let startTLS = await #expect(throws: XMPPClientError.self) {
                try await connection.startTLS(TLSConfiguration(serverName: "example.com"))
            }
            #expect("\(startTLS.map { "\($0)" } ?? "")".contains("wss://"))
            await #expect(throws: XMPPClientError.self) { try await connection.startCompression() }

            try await connection.send(.streamHeader(XMLStreamHeader(contentNamespace: XMPPNamespace.client, attributes: [
                XMLAttribute("to", value: "example.com"), XMLAttribute("version", value: "1.0"),
            ])))
            var iterator = inbound.makeAsyncIterator()
            guard case .event(.streamOpened(let header))? = try await iterator.next() else {
                Issue.record("expected the server's <open/>")
                return
            }
            #expect(header.from == "example.com")
            await connection.close()
            #expect(try await iterator.next() == nil, "the close handshake ends the stream without error")
        }
    }

    @Test("a 101 whose Sec-WebSocket-Accept does not answer the key is refused")
    func badAccept() async throws {
        let server = try await WebSocketTestServer.start(.raw(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: xmpp\r\n\r\n"))
        defer { server.stop() }
        let error = try await #require(throws: XMPPClientError.self) { try await Self.open(server.url) }
        guard case .protocolViolation(let reason) = error.kind else {
            Issue.record("expected protocolViolation, got \(error)")
            return
        }
        #expect(reason.contains("Sec-WebSocket-Accept"))
    }

    @Test("a non-101 answer is refused with its status")
    func refused() async throws {
        let server = try await WebSocketTestServer.start(.raw("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"))
        defer { server.stop() }
        let error = try await #require(throws: XMPPClientError.self) { try await Self.open(server.url) }
        guard case .connectionFailed(let reason) = error.kind else {
            Issue.record("expected connectionFailed, got \(error)")
            return
        }
        #expect(reason.contains("HTTP 403 Forbidden"))
    }

    @Test("a server that never answers the upgrade times out")
    func upgradeTimeout() async throws {
        let server = try await WebSocketTestServer.start(.raw(""))
        defer { server.stop() }
        let error = try await #require(throws: XMPPClientError.self) {
            try await WebSocketConnection.open(url: server.url, tls: TLSConfiguration(serverName: "example.com"),
                                               limits: XMLParserLimits(), connectTimeout: .milliseconds(300))
        }
        guard case .timeout = error.kind else {
            Issue.record("expected timeout, got \(error)")
            return
        }
    }

    @Test("nothing listening is connectionFailed")
    func nothingListening() async throws {
        let server = try await WebSocketTestServer.start(.raw(""))
        let port = server.port
        server.stop()
        try await Task.sleep(for: .milliseconds(50))
        let error = try await #require(throws: XMPPClientError.self) { try await Self.open("ws://127.0.0.1:\(port)/") }
        guard case .connectionFailed = error.kind else {
            Issue.record("expected connectionFailed, got \(error)")
            return
        }
    }

    @Test("connect() surfaces <close see-other-uri/> as a see-other-host stream error (RFC 7395 §3.6.1)")
    func seeOtherURIThroughClient() async throws {
        let server = try await WebSocketTestServer.start(.upgrade(subprotocol: "xmpp")) { message in
            guard message.hasPrefix("<open") else { return [] }
            return [
                "<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' from='example.com' id='s1' version='1.0' xml:lang='en'/>",
                "<close xmlns='urn:ietf:params:xml:ns:xmpp-framing' see-other-uri='wss://other.example.com/xmpp'/>",
            ]
        }
        defer { server.stop() }
        var logger = Logger(label: "xmppkit.test.websocket")
        logger.logLevel = .warning
        let client = XMPPClient(configuration: XMPPClientConfiguration(
            jid: try JID("juliet@example.com"), credential: .password("secret"), transport: .webSocket(url: server.url),
            allowPlaintext: true, reconnect: nil, connectTimeout: .seconds(10), logger: logger))
        let error = try await #require(throws: XMPPClientError.self) { try await client.connect() }
        guard case .stream(let streamError) = error.kind else {
            Issue.record("expected a stream error, got \(error)")
            return
        }
        #expect(streamError.condition == .seeOtherHost)
        #expect(streamError.otherHost == "wss://other.example.com/xmpp")
        #expect(await WebSocketServerTests.settles(client, at: .connectionFailed))
    }

    @Test("the Sec-WebSocket-Protocol answer is read case-insensitively and split at commas")
    func subprotocolHeader() {
        #expect(WebSocketConnection.subprotocols(in: HTTPHeaders([("Sec-Websocket-Protocol", "xmpp")])) == ["xmpp"])
        #expect(WebSocketConnection.subprotocols(in: HTTPHeaders([("sec-websocket-protocol", " xmpp ")])) == ["xmpp"])
        #expect(WebSocketConnection.subprotocols(in: HTTPHeaders([("Sec-WebSocket-Protocol", "xmpp, chat")])) == ["xmpp", "chat"])
        #expect(WebSocketConnection.subprotocols(in: HTTPHeaders()) == [])
    }

    // MARK: - URLs

    @Test("ws and wss URLs: host, port, default ports, request target, Host header")
    func urls() throws {
        let plain = try WebSocketURL("ws://127.0.0.1:5280/xmpp-websocket")
        #expect(!plain.isSecure && plain.host == "127.0.0.1" && plain.port == 5280)
        #expect(plain.requestTarget == "/xmpp-websocket")
        #expect(plain.hostHeader == "127.0.0.1:5280")

        let secure = try WebSocketURL("WSS://chat.example.com/ws?token=a%20b")
        #expect(secure.isSecure && secure.host == "chat.example.com" && secure.port == 443)
        #expect(secure.requestTarget == "/ws?token=a%20b")
        #expect(secure.hostHeader == "chat.example.com")

        let bare = try WebSocketURL("ws://example.com")
        #expect(bare.port == 80 && bare.requestTarget == "/" && bare.hostHeader == "example.com")
        #expect(try WebSocketURL("ws://example.com?x=1").requestTarget == "/?x=1")

        let v6 = try WebSocketURL("wss://[::1]:8443/x")
        #expect(v6.host == "::1" && v6.port == 8443 && v6.hostHeader == "[::1]:8443")
        #expect(try WebSocketURL("ws://[::1]/").hostHeader == "[::1]")
    }

    @Test("anything but a clean ws/wss URL is refused", arguments: [
        "http://example.com/ws", "example.com/ws", "ftp://example.com", "ws://", "ws:///path",
        "ws://user:pw@example.com/", "ws://example.com/#frag", "ws://example.com:0/", "ws://example.com:65536/",
        "ws://example.com:http/", "ws://example.com:/", "ws://[::1/", "ws://[zz]/", "ws://example.com/a b",
        "ws://example.com/\r\nX-Injected: 1", "ws://exämple.com/",
    ])
    func badURLs(url: String) {
        #expect(throws: WebSocketURL.ParseError.self) { try WebSocketURL(url) }
    }

    @Test("a bad URL fails connect() with a clear connectionFailed")
    func badURLThroughClient() async throws {
        let client = XMPPClient(configuration: XMPPClientConfiguration(
            jid: try JID("juliet@example.com"), credential: .password("secret"), transport: .webSocket(url: "https://example.com/ws"),
            allowPlaintext: true, reconnect: nil))
        let error = try await #require(throws: XMPPClientError.self) { try await client.connect() }
        guard case .connectionFailed(let reason) = error.kind else {
            Issue.record("expected connectionFailed, got \(error)")
            return
        }
        #expect(reason.contains("not ws or wss"))
    }
}
