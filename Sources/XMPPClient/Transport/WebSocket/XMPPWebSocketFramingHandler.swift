import NIOCore
import NIOWebSocket
import XMPPCore
import XMPPXML

/// RFC 7395 framing: each WebSocket text message is one complete XML element (§3.3.1).
///
/// Inbound, each message from ``WebSocketMessageHandler`` is parsed on its own with
/// ``XMLStreamParser/parseElement(_:limits:)`` (restricted XML, the session's limits) and becomes an
/// ``XMPPInboundFrame``:
/// - `<open/>` (§3.4) → `.event(.streamOpened(header))`, the header synthesized from its attributes
///   in `jabber:client`, so negotiation reads it exactly as a TCP stream header;
/// - `<close/>` (§3.6) → `.event(.streamClosed)`; a `<close see-other-uri='…'/>` (§3.6.1; also
///   `see-other-host`) is thrown as a ``StreamError`` `see-other-host` carrying the URI, never followed;
/// - anything else → `.event(.element(e))`;
/// - a message that is not one well-formed restricted-XML element → the ``XMLStreamError``, after
///   which the handler sends the matching stream error and `<close/>` (§3.5) and closes.
///
/// Outbound: `.streamHeader(h)` → `<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' …/>` with h's
/// attributes; `.element(e)` → e with its namespace declared (§3.3.3: `xmlns='jabber:client'` on
/// stanzas); `.streamClose` → `<close/>`, once; `.whitespaceKeepalive` → a WebSocket ping (§3.8
/// forbids whitespace).
///
/// The TLS handshake (`wss://`) finishes before this handler exists, so its
/// ``TLSSessionInfo`` is handed in and reported as `.tlsEstablished` ahead of the first message; a
/// ``TLSEvent`` arriving later is reported as it comes.
final class XMPPWebSocketFramingHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = XMPPInboundFrame
    typealias OutboundIn = XMPPOutboundFrame
    typealias OutboundOut = WebSocketFrame

    private let limits: XMLParserLimits
    private var pendingTLS: TLSSessionInfo?
    private var closeSent = false
    private var failed = false
    private var scratch: [UInt8] = []

    init(limits: XMLParserLimits = XMLParserLimits(), tlsSession: TLSSessionInfo? = nil) {
        self.limits = limits
        pendingTLS = tlsSession
    }

    // MARK: - Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }
        reportTLS(context)
        let buffer = unwrapInboundIn(data)
        let element: XMLElement
        do {
            element = try XMLStreamParser.parseElement(Array(buffer.readableBytesView), limits: limits)
        } catch {
            return failStream(context, error)
        }
        guard element.namespace == XMPPNamespace.framing else {
            context.fireChannelRead(wrapInboundOut(.event(.element(element))))
            return
        }
        switch element.name {
        case "open":
            let header = XMLStreamHeader(contentNamespace: XMPPNamespace.client, attributes: element.attributes)
            context.fireChannelRead(wrapInboundOut(.event(.streamOpened(header))))
        case "close":
            if let target = element.attribute("see-other-uri") ?? element.attribute("see-other-host") {
                failed = true
                context.fireErrorCaught(XMPPClientError(.stream(StreamError(
                    .seeOtherHost, text: "the server redirects this client to \(target) (RFC 7395 §3.6.1)", otherHost: target))))
                sendClose(context)
                context.close(promise: nil)
            } else {
                context.fireChannelRead(wrapInboundOut(.event(.streamClosed)))
            }
        default:
            failed = true
            context.fireErrorCaught(XMPPClientError(.protocolViolation(
                "unknown framing element <\(element.name) xmlns='\(XMPPNamespace.framing)'/> (RFC 7395 §3.3.2)")))
            sendClose(context)
            context.close(promise: nil)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted(let info)? = event as? TLSEvent {
            pendingTLS = nil
            context.fireChannelRead(wrapInboundOut(.tlsEstablished(info)))
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func reportTLS(_ context: ChannelHandlerContext) {
        guard let info = pendingTLS else { return }
        pendingTLS = nil
        context.fireChannelRead(wrapInboundOut(.tlsEstablished(info)))
    }

    /// RFC 6120 §4.9 / RFC 7395 §3.5: report the parse error, tell the server why, close.
    private func failStream(_ context: ChannelHandlerContext, _ error: XMLStreamError) {
        failed = true
        context.fireErrorCaught(error)
        if !closeSent {
            try? writeText(context, StreamError(error).element)
            sendClose(context)
        }
        context.close(promise: nil)
    }

    private func sendClose(_ context: ChannelHandlerContext) {
        guard !closeSent else { return }
        closeSent = true
        try? writeText(context, Self.closeElement)
        context.flush()
    }

    // MARK: - Outbound

    static let closeElement = XMLElement("close", namespace: XMPPNamespace.framing)

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        do {
            switch unwrapOutboundIn(data) {
            case .streamHeader(let header):
                try writeText(context, XMLElement("open", namespace: XMPPNamespace.framing, attributes: header.attributes), promise: promise)
            case .element(let element):
                try writeText(context, element, promise: promise)
            case .streamClose:
                guard !closeSent else {
                    promise?.succeed()
                    return
                }
                closeSent = true
                try writeText(context, Self.closeElement, promise: promise)
            case .whitespaceKeepalive:
                let ping = WebSocketFrame(fin: true, opcode: .ping, maskKey: .random(), data: context.channel.allocator.buffer(capacity: 0))
                context.write(wrapOutboundOut(ping), promise: promise)
            }
        } catch {
            promise?.fail(error)
        }
    }

    /// One element, serialized with its namespace declared, as one masked text message (RFC 6455 §5.3).
    private func writeText(_ context: ChannelHandlerContext, _ element: XMLElement, promise: EventLoopPromise<Void>? = nil) throws {
        scratch.removeAll(keepingCapacity: true)
        try element.serialize(into: &scratch, inheritedNamespace: "")
        let frame = WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: context.channel.allocator.buffer(bytes: scratch))
        context.write(wrapOutboundOut(frame), promise: promise)
    }
}
