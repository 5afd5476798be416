import NIOCore
import XMPPCore
import XMPPXML

/// Bytes → ``XMPPInboundFrame``: feeds an ``XMLStreamParser`` and passes on what it reports.
///
/// RFC 6120 restarts the stream after `<proceed/>` (§5.4.3.3), SASL `<success/>` (§6.4.6) and
/// XEP-0138 `<compressed/>` (§3): the decoder resets its parser the moment it reports one of these,
/// before any byte of the new stream can arrive, so the session never races it. Bytes that arrived
/// with the restarting element are never parsed into the new stream: well-formed ones are dropped,
/// and malformed ones fail the read (and the connection) before the restart is even reported.
/// A TLS handshake event from the handler below becomes `.tlsEstablished`.
public final class XMPPStreamDecoder: ChannelInboundHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = XMPPInboundFrame

    private let parser: XMLStreamParser
    private var failed = false

    public init(limits: XMLParserLimits = XMLParserLimits()) {
        parser = XMLStreamParser(limits: limits)
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }
        let buffer = unwrapInboundIn(data)
        let events: [XMLStreamEvent]
        do {
            events = try buffer.withUnsafeReadableBytes { bytes throws(XMLStreamError) in try parser.feed(bytes) }
        } catch {
            // In band, after everything parsed before it: an out-of-band errorCaught can lose the race
            // with the channel closing, and the session would see a clean end instead.
            failed = true
            context.fireChannelRead(wrapInboundOut(.malformedInput(error)))
            return
        }
        for event in events {
            context.fireChannelRead(wrapInboundOut(.event(event)))
            if case .element(let element) = event, Self.restartsStream(element) {
                // Anything that came in the same read belongs to the old stream: after <proceed/> it is
                // plaintext injected ahead of TLS (the STARTTLS injection attack, CVE-2011-0411 family).
                parser.reset()
                return
            }
        }
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted(let info)? = event as? TLSEvent {
            context.fireChannelRead(wrapInboundOut(.tlsEstablished(info)))
        }
        context.fireUserInboundEventTriggered(event)
    }

    static func restartsStream(_ element: XMLElement) -> Bool {
        switch (element.name, element.namespace) {
        case ("proceed", XMPPNamespace.tls), ("success", XMPPNamespace.sasl), ("compressed", XMPPNamespace.compression):
            return true
        default:
            return false
        }
    }
}
