import NIOCore
import NIOHTTP1

/// Watches the opening handshake from between the HTTP decoder and the upgrade handler, and is
/// removed with the HTTP handlers: it keeps the server's response head (for a refusal's status) and
/// the TLS session of a `wss://` connection, whose handshake completes before the XMPP handlers exist.
final class WebSocketHandshakeObserver: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias InboundOut = HTTPClientResponsePart

    private(set) var responseHead: HTTPResponseHead?
    private(set) var tlsSession: TLSSessionInfo?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if responseHead == nil, case .head(let head) = unwrapInboundIn(data) {
            responseHead = head
        }
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted(let info)? = event as? TLSEvent {
            tlsSession = info
        }
        context.fireUserInboundEventTriggered(event)
    }
}
