import NIOCore
import NIOEmbedded
import NIOWebSocket
import Testing
@testable import XMPPClient
import XMPPCore
import XMPPXML

/// ``WebSocketMessageHandler`` + ``XMPPWebSocketFramingHandler`` on an `EmbeddedChannel`, as they
/// sit after the upgrade: WebSocket frames in and out below, XMPP frames above (RFC 7395, RFC 6455).
struct WebSocketFramingTests {
    static let framing = XMPPNamespace.framing

    final class Harness {
        let channel = EmbeddedChannel()

        init(limits: XMLParserLimits = XMLParserLimits(), tls: TLSSessionInfo? = nil, closeTimeout: TimeAmount = .seconds(2)) throws {
            try channel.pipeline.syncOperations.addHandler(
                WebSocketMessageHandler(maxMessageBytes: limits.maxStanzaBytes, closeTimeout: closeTimeout))
            try channel.pipeline.syncOperations.addHandler(XMPPWebSocketFramingHandler(limits: limits, tlsSession: tls))
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 5280)).wait()
        }

        /// The server sends one frame (unmasked, as servers do, RFC 6455 §5.1).
        func receive(_ text: String, opcode: WebSocketOpcode = .text, fin: Bool = true) throws {
            try channel.writeInbound(WebSocketFrame(fin: fin, opcode: opcode, data: ByteBuffer(string: text)))
        }

        func receiveClose(_ code: WebSocketErrorCode?) throws {
            var data = ByteBuffer()
            if let code { data.write(webSocketErrorCode: code) }
            try channel.writeInbound(WebSocketFrame(fin: true, opcode: .connectionClose, data: data))
        }

        func inbound() throws -> XMPPInboundFrame? { try channel.readInbound(as: XMPPInboundFrame.self) }

        func event() throws -> XMLStreamEvent? {
            guard let frame = try inbound() else { return nil }
            guard case .event(let event) = frame else {
                Issue.record("expected a stream event, got \(frame)")
                return nil
            }
            return event
        }

        /// The next frame written, which a client must mask (RFC 6455 §5.3). Its `data` is still
        /// plain: `WebSocketFrameEncoder` applies the mask on the wire.
        func sent() throws -> WebSocketFrame? {
            guard let frame = try channel.readOutbound(as: WebSocketFrame.self) else { return nil }
            #expect(frame.maskKey != nil, "client frames are masked")
            #expect(frame.fin)
            return frame
        }

        /// The next text message written, parsed.
        func sentElement() throws -> XMLElement? {
            guard let frame = try sent() else { return nil }
            #expect(frame.opcode == .text)
            return try XMLStreamParser.parseElement(Array(frame.data.readableBytesView))
        }

        func sentText() throws -> String? {
            guard let frame = try sent() else { return nil }
            #expect(frame.opcode == .text)
            return String(buffer: frame.data)
        }

        /// The status code of the Close frame that must have been written next.
        func sentCloseCode() throws -> WebSocketErrorCode? {
            let frame = try #require(try sent())
            #expect(frame.opcode == .connectionClose)
            var data = frame.data
            return data.readWebSocketErrorCode()
        }

        /// Our close handshake (RFC 6455 §7.1.2) answered by the server; the channel ends closed and clean.
        func closeCleanly() throws {
            channel.close(promise: nil)
            #expect(try sentCloseCode() == .normalClosure)
            #expect(channel.isActive, "waits for the server's Close")
            try receiveClose(.normalClosure)
            #expect(!channel.isActive)
            #expect(try channel.finish(acceptAlreadyClosed: true).isClean)
        }
    }

    // MARK: - Outbound

    @Test("a stream header becomes <open/> in the framing namespace (RFC 7395 §3.4)")
    func openOut() throws {
        let harness = try Harness()
        let header = XMLStreamHeader(contentNamespace: XMPPNamespace.client, attributes: [
            XMLAttribute("to", value: "example.com"), XMLAttribute("version", value: "1.0"), .lang("en"),
        ])
        try harness.channel.writeOutbound(XMPPOutboundFrame.streamHeader(header))
        let text = try #require(try harness.sentText())
        #expect(text == #"<open xmlns="urn:ietf:params:xml:ns:xmpp-framing" to="example.com" version="1.0" xml:lang="en"/>"#)
        try harness.closeCleanly()
    }

    @Test("stanzas carry xmlns='jabber:client', other elements their own namespace (§3.3.3)")
    func elementOut() throws {
        let harness = try Harness()
        let iq = IQ(.get, id: "p1", to: try JID("example.com"), payload: XMLElement("ping", namespace: "urn:xmpp:ping"))
        try harness.channel.writeOutbound(XMPPOutboundFrame.element(iq.element))
        let text = try #require(try harness.sentText())
        #expect(text.hasPrefix(#"<iq xmlns="jabber:client""#))
        #expect(try XMLStreamParser.parseElement(Array(text.utf8)) == iq.element)

        let auth = XMLElement("auth", namespace: XMPPNamespace.sasl, attributes: ["mechanism": "SCRAM-SHA-1"], text: "biwsbj1q")
        try harness.channel.writeOutbound(XMPPOutboundFrame.element(auth))
        #expect(try harness.sentText() == #"<auth xmlns="urn:ietf:params:xml:ns:xmpp-sasl" mechanism="SCRAM-SHA-1">biwsbj1q</auth>"#)
        try harness.closeCleanly()
    }

    @Test("stream close becomes <close/> once (§3.6); a keepalive becomes a ping, never whitespace (§3.8)")
    func closeAndKeepaliveOut() throws {
        let harness = try Harness()
        try harness.channel.writeOutbound(XMPPOutboundFrame.whitespaceKeepalive)
        let ping = try #require(try harness.sent())
        #expect(ping.opcode == .ping)
        #expect(ping.length == 0)

        try harness.channel.writeOutbound(XMPPOutboundFrame.streamClose)
        #expect(try harness.sentElement() == XMLElement("close", namespace: Self.framing))
        try harness.channel.writeOutbound(XMPPOutboundFrame.streamClose)
        #expect(try harness.sent() == nil, "a second <close/> is not sent")
        try harness.closeCleanly()
    }

    // MARK: - Inbound

    @Test("<open/> becomes a stream header in jabber:client")
    func openIn() throws {
        let harness = try Harness()
        try harness.receive("<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' xml:lang='en' from='example.com' id='s1' version='1.0'/>")
        guard case .streamOpened(let header)? = try harness.event() else {
            Issue.record("expected streamOpened")
            return
        }
        #expect(header.contentNamespace == XMPPNamespace.client)
        #expect(header.namespace == XMLStreamHeader.streamNamespace)
        #expect(header.from == "example.com")
        #expect(header.id == "s1")
        #expect(header.version == "1.0")
        #expect(header.lang == "en")
        try harness.closeCleanly()
    }

    @Test("other elements pass through whole; <close/> ends the stream")
    func elementsAndCloseIn() throws {
        let harness = try Harness()
        let features = "<stream:features xmlns:stream='http://etherx.jabber.org/streams'><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>SCRAM-SHA-1</mechanism></mechanisms></stream:features>"
        try harness.receive(features)
        guard case .element(let element)? = try harness.event() else {
            Issue.record("expected an element")
            return
        }
        #expect(element.name == "features")
        #expect(element.namespace == XMPPNamespace.streams)
        #expect(element.child("mechanisms", namespace: XMPPNamespace.sasl)?.childText("mechanism", namespace: XMPPNamespace.sasl) == "SCRAM-SHA-1")

        try harness.receive("<message xmlns='jabber:client' from='a@example.com' type='chat'><body>hi</body></message>")
        guard case .element(let message)? = try harness.event() else {
            Issue.record("expected a message")
            return
        }
        #expect(message.namespace == XMPPNamespace.client)

        try harness.receive("<close xmlns='urn:ietf:params:xml:ns:xmpp-framing'/>")
        #expect(try harness.event() == .streamClosed)
        #expect(harness.channel.isActive, "the session answers <close/>; the transport stays up until then")
        try harness.closeCleanly()
    }

    @Test("a TLS session handed over at the upgrade is reported before the first message, once")
    func tlsReported() throws {
        let info = TLSSessionInfo(version: .v1_3, cipherSuite: "TLS_AES_128_GCM_SHA256", peerCertificateSHA256: nil, channelBindings: [:])
        let harness = try Harness(tls: info)
        #expect(try harness.inbound() == nil)
        try harness.receive("<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' from='example.com' id='s1' version='1.0'/>")
        guard case .tlsEstablished(let reported)? = try harness.inbound() else {
            Issue.record("expected tlsEstablished first")
            return
        }
        #expect(reported == info)
        guard case .streamOpened? = try harness.event() else {
            Issue.record("expected streamOpened")
            return
        }
        try harness.receive("<close xmlns='urn:ietf:params:xml:ns:xmpp-framing'/>")
        #expect(try harness.event() == .streamClosed)
        try harness.closeCleanly()
    }

    @Test("a TLS handshake event becomes .tlsEstablished")
    func tlsEvent() throws {
        let harness = try Harness()
        let info = TLSSessionInfo(version: .v1_2, cipherSuite: "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", peerCertificateSHA256: nil, channelBindings: [:])
        harness.channel.pipeline.fireUserInboundEventTriggered(TLSEvent.handshakeCompleted(info))
        guard case .tlsEstablished(let reported)? = try harness.inbound() else {
            Issue.record("expected tlsEstablished")
            return
        }
        #expect(reported == info)
        try harness.closeCleanly()
    }

    // MARK: - Redirects and errors

    @Test("<close see-other-uri/> (§3.6.1) is a see-other-host stream error naming the URI, answered and closed",
          arguments: ["see-other-uri", "see-other-host"])
    func seeOtherURI(attribute: String) throws {
        let harness = try Harness()
        let error = try #require(throws: XMPPClientError.self) {
            try harness.receive("<close xmlns='urn:ietf:params:xml:ns:xmpp-framing' \(attribute)='wss://other.example/xmpp'/>")
        }
        guard case .stream(let streamError) = error.kind else {
            Issue.record("expected a stream error, got \(error)")
            return
        }
        #expect(streamError.condition == .seeOtherHost)
        #expect(streamError.otherHost == "wss://other.example/xmpp")
        #expect(try harness.inbound() == nil, "no streamClosed: the error says it all")
        #expect(try harness.sentElement() == XMLElement("close", namespace: Self.framing))
        #expect(try harness.sentCloseCode() == .normalClosure)
        try harness.receiveClose(.normalClosure)
        #expect(!harness.channel.isActive)
        #expect(try harness.channel.finish(acceptAlreadyClosed: true).isClean)
    }

    static let restricted: [(String, XMLStreamError.Condition)] = [
        ("<!DOCTYPE message><message xmlns='jabber:client'/>", .restrictedXML),
        ("<message xmlns='jabber:client'><!-- hi --></message>", .restrictedXML),
        ("<message xmlns='jabber:client'><?pi data?></message>", .restrictedXML),
        ("<message xmlns='jabber:client'><body>&ent;</body></message>", .restrictedXML),
        ("<message xmlns='jabber:client'><body></message>", .notWellFormed),
        ("<message xmlns='jabber:client'/><message xmlns='jabber:client'/>", .notWellFormed),
        (" ", .notWellFormed),
        ("<a xmlns='jabber:client'>\u{FFFE}</a>", .notWellFormed),
    ]

    @Test("a message that is not one restricted-XML element is a typed error: stream error, <close/>, closed",
          arguments: restricted)
    func restrictedXML(message: String, condition: XMLStreamError.Condition) throws {
        let harness = try Harness()
        let error = try #require(throws: XMLStreamError.self) { try harness.receive(message) }
        #expect(error.condition == condition)
        #expect(try harness.inbound() == nil)
        let streamError = try #require(try harness.sentElement())
        #expect(streamError.name == "error" && streamError.namespace == XMPPNamespace.streams)
        #expect(streamError.firstChild(namespace: XMPPNamespace.streamErrors)?.name == condition.rawValue)
        #expect(try harness.sentElement() == XMLElement("close", namespace: Self.framing))
        #expect(try harness.sentCloseCode() == .normalClosure)
        // Nothing more is parsed while the close handshake runs.
        try harness.receive("<message xmlns='jabber:client'/>")
        #expect(try harness.inbound() == nil)
        try harness.receiveClose(.normalClosure)
        #expect(!harness.channel.isActive)
        #expect(try harness.channel.finish(acceptAlreadyClosed: true).isClean)
    }

    @Test("the parser limits apply to each message")
    func parserLimitsApply() throws {
        var limits = XMLParserLimits()
        limits.maxDepth = 3
        let harness = try Harness(limits: limits)
        let error = try #require(throws: XMLStreamError.self) {
            try harness.receive("<a xmlns='jabber:client'><b><c><d/></c></b></a>")
        }
        #expect(error.condition == .policyViolation)
        #expect(try harness.sentElement()?.firstChild(namespace: XMPPNamespace.streamErrors)?.name == "policy-violation")
        #expect(try harness.sentElement() == XMLElement("close", namespace: Self.framing))
        #expect(try harness.sentCloseCode() == .normalClosure)
    }

    @Test("a binary message is refused (§3.2): typed error, Close 1003, closed at once")
    func binaryRefused() throws {
        let harness = try Harness()
        let error = try #require(throws: XMPPClientError.self) { try harness.receive("<a/>", opcode: .binary) }
        guard case .protocolViolation(let reason) = error.kind else {
            Issue.record("expected protocolViolation, got \(error)")
            return
        }
        #expect(reason.contains("binary"))
        #expect(try harness.sentCloseCode() == .unacceptableData)
        #expect(!harness.channel.isActive)
        #expect(try harness.channel.finish(acceptAlreadyClosed: true).isClean)
    }

    // MARK: - Fragments, pings, limits

    @Test("a fragmented message is reassembled; a ping between fragments is answered with a pong")
    func fragments() throws {
        let harness = try Harness()
        try harness.receive("<message xmlns='jabber:client' to='a@exa", fin: false)
        try harness.receive("ping-data", opcode: .ping)
        let pong = try #require(try harness.sent())
        #expect(pong.opcode == .pong)
        #expect(String(buffer: pong.data) == "ping-data")
        try harness.receive("mple.com'><body>hel", opcode: .continuation, fin: false)
        #expect(try harness.inbound() == nil)
        try harness.receive("lo</body></message>", opcode: .continuation)
        guard case .element(let message)? = try harness.event() else {
            Issue.record("expected the message")
            return
        }
        #expect(message.attribute("to") == "a@example.com")
        #expect(message.childText("body", namespace: XMPPNamespace.client) == "hello")
        try harness.closeCleanly()
    }

    @Test("a fragmented message over maxStanzaBytes is refused before it is buffered: policy-violation, Close 1009")
    func oversizedFragments() throws {
        var limits = XMLParserLimits()
        limits.maxStanzaBytes = 64
        let harness = try Harness(limits: limits)
        try harness.receive(String(repeating: "a", count: 40), fin: false)
        try harness.receive(String(repeating: "b", count: 24), opcode: .continuation, fin: false)  // exactly 64: fine
        let error = try #require(throws: XMLStreamError.self) {
            try harness.receive("c", opcode: .continuation, fin: false)  // 65
        }
        #expect(error.condition == .policyViolation)
        #expect(try harness.sentCloseCode() == .messageTooLarge)
        #expect(!harness.channel.isActive)
        #expect(try harness.channel.finish(acceptAlreadyClosed: true).isClean)
    }

    @Test("a message of exactly maxStanzaBytes passes; one byte more in one frame is refused")
    func singleFrameLimit() throws {
        var limits = XMLParserLimits()
        limits.maxStanzaBytes = 64
        let element = "<message xmlns='jabber:client'><body>" // 37 bytes
        let closing = "</body></message>"  // 17 bytes
        let exact = element + String(repeating: "x", count: 64 - element.utf8.count - closing.utf8.count) + closing
        #expect(exact.utf8.count == 64)
        let harness = try Harness(limits: limits)
        try harness.receive(exact)
        guard case .element? = try harness.event() else {
            Issue.record("expected the element")
            return
        }
        let error = try #require(throws: XMLStreamError.self) { try harness.receive(exact + " ") }
        #expect(error.condition == .policyViolation)
        #expect(try harness.sentCloseCode() == .messageTooLarge)
        #expect(!harness.channel.isActive)
    }

    @Test("with NIO's frame decoder below: a frame announcing more than maxStanzaBytes is refused from its header alone")
    func oversizedFrameHeader() throws {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: 64)))
        try channel.pipeline.syncOperations.addHandler(WebSocketProtocolErrorHandler(isServer: false))
        try channel.pipeline.syncOperations.addHandler(WebSocketMessageHandler(maxMessageBytes: 64))
        try channel.pipeline.syncOperations.addHandler(XMPPWebSocketFramingHandler())
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 5280)).wait()
        // FIN + text, unmasked, 64-bit length 1 MiB; no payload follows.
        var header = ByteBuffer(bytes: [0x81, 127])
        header.writeInteger(UInt64(1 << 20))
        let error = try #require(throws: XMLStreamError.self) { try channel.writeInbound(header) }
        #expect(error.condition == .policyViolation)
        let close = try #require(try channel.readOutbound(as: WebSocketFrame.self))
        #expect(close.opcode == .connectionClose)
        var data = close.data
        #expect(data.readWebSocketErrorCode() == .messageTooLarge)
        #expect(!channel.isActive)
    }

    @Test("broken fragment sequences are protocol errors (RFC 6455 §5.4)")
    func brokenFragments() throws {
        let orphan = try Harness()
        #expect(throws: XMPPClientError.self) { try orphan.receive("x", opcode: .continuation) }
        #expect(try orphan.sentCloseCode() == .protocolError)
        #expect(!orphan.channel.isActive)

        let interleaved = try Harness()
        try interleaved.receive("<a xmlns='jabber:client'>", fin: false)
        #expect(throws: XMPPClientError.self) { try interleaved.receive("<b/>") }
        #expect(try interleaved.sentCloseCode() == .protocolError)
        #expect(!interleaved.channel.isActive)
    }

    @Test("reserved bits without an extension are refused")
    func reservedBits() throws {
        let harness = try Harness()
        var frame = WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(string: "<a xmlns='jabber:client'/>"))
        frame.rsv1 = true
        #expect(throws: XMPPClientError.self) { try harness.channel.writeInbound(frame) }
        #expect(try harness.sentCloseCode() == .protocolError)
    }

    // MARK: - Close handshake

    @Test("a Close from the server is echoed and the channel closed, without error")
    func serverClose() throws {
        let harness = try Harness()
        try harness.receiveClose(.normalClosure)
        #expect(try harness.sentCloseCode() == .normalClosure)
        #expect(!harness.channel.isActive)
        #expect(try harness.channel.finish(acceptAlreadyClosed: true).isClean)
    }

    @Test("a Close with an error code from the server is reported")
    func serverCloseWithError() throws {
        let harness = try Harness()
        let error = try #require(throws: XMPPClientError.self) { try harness.receiveClose(.unexpectedServerError) }
        guard case .connectionFailed(let reason) = error.kind else {
            Issue.record("expected connectionFailed, got \(error)")
            return
        }
        #expect(reason.contains("1011"))
        #expect(try harness.sentCloseCode() == .unexpectedServerError)
        #expect(!harness.channel.isActive)
    }

    @Test("our Close waits for the server's, at most closeTimeout; writes after it are refused")
    func closeTimeout() throws {
        let harness = try Harness(closeTimeout: .seconds(2))
        let closed = harness.channel.close()
        #expect(try harness.sentCloseCode() == .normalClosure)
        harness.channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(harness.channel.isActive)
        let write = harness.channel.writeAndFlush(XMPPOutboundFrame.element(XMLElement("presence", namespace: XMPPNamespace.client)))
        #expect(throws: ChannelError.self) { try write.wait() }
        harness.channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!harness.channel.isActive)
        try closed.wait()
        #expect(try harness.channel.finish(acceptAlreadyClosed: true).isClean)
    }
}
