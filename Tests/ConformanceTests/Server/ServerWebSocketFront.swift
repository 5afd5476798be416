import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import XMPPCore
import XMPPXML

/// The RFC 7395 endpoint: the `xmpp` subprotocol (§3.2), `<open/>` answered with `<open/>` and the
/// stream features (§3.4), `<close/>` with `<close/>` (§3.6). It only opens and closes streams:
/// anything else ends the stream with `<policy-violation/>`.
enum ServerWebSocketFront {
    static func bind(options: ServerOptions, registry: ConnectionRegistry, group: any EventLoopGroup) async throws -> any Channel {
        try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    _ = try registry.accept(channel)
                    let upgrader = NIOWebSocketServerUpgrader(
                        maxFrameSize: 1 << 16,
                        shouldUpgrade: { channel, head in
                            var headers = HTTPHeaders()
                            let offered = head.headers["Sec-WebSocket-Protocol"]
                                .flatMap { $0.split(separator: ",") }.map { String($0).trimmingWhitespace }
                            if offered.contains("xmpp"), !options.breaks("rfc7395-websocket-subprotocol") {
                                headers.add(name: "Sec-WebSocket-Protocol", value: "xmpp")
                            }
                            return channel.eventLoop.makeSucceededFuture(headers)
                        },
                        upgradePipelineHandler: { channel, _ in
                            channel.eventLoop.makeCompletedFuture {
                                try channel.pipeline.syncOperations.addHandler(WebSocketStream(options: options))
                            }
                        })
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                        withServerUpgrade: (upgraders: [upgrader], completionHandler: { _ in }))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
    }

    /// One WebSocket connection after the upgrade: one XML element per text message (§3.3.3).
    private final class WebSocketStream: ChannelInboundHandler {
        typealias InboundIn = WebSocketFrame
        typealias OutboundOut = WebSocketFrame

        private let options: ServerOptions
        private var opened = false

        init(options: ServerOptions) { self.options = options }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let frame = unwrapInboundIn(data)
            switch frame.opcode {
            case .text:
                let bytes = Array(frame.unmaskedData.readableBytesView)
                guard let element = try? XMLStreamParser.parseElement(bytes) else {
                    send(streamError("not-well-formed"), context: context)
                    closeAfterClose(context: context)
                    return
                }
                handle(element, context: context)
            case .connectionClose:
                let channel = context.channel
                context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: frame.unmaskedData)))
                    .whenComplete { _ in channel.close(promise: nil) }
            case .ping:
                context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
            default:
                break
            }
        }

        private func handle(_ element: XMLElement, context: ChannelHandlerContext) {
            switch (element.name, element.namespace) {
            case ("open", XMPPNamespace.framing):
                guard element.attribute("to") == options.domain else {
                    send(open(), context: context)
                    send(streamError("host-unknown"), context: context)
                    closeAfterClose(context: context)
                    return
                }
                opened = true
                if options.breaks("rfc7395-websocket-open") {
                    send("<stream:stream xmlns='\(XMPPNamespace.client)' xmlns:stream='\(XMPPNamespace.streams)' "
                         + "from='\(options.domain)' id='\(StanzaID.make())' version='1.0'>", context: context)
                } else {
                    send(open(), context: context)
                }
                send("<stream:features xmlns:stream='\(XMPPNamespace.streams)'/>", context: context)
            case ("close", XMPPNamespace.framing):
                send("<close xmlns='\(XMPPNamespace.framing)'/>", context: context)
                closeAfterClose(context: context)
            default:
                send(streamError("policy-violation"), context: context)
                closeAfterClose(context: context)
            }
        }

        private func open() -> String {
            "<open xmlns='\(XMPPNamespace.framing)' from='\(options.domain)' id='\(StanzaID.make())' version='1.0' xml:lang='en'/>"
        }

        private func streamError(_ condition: String) -> String {
            "<stream:error xmlns:stream='\(XMPPNamespace.streams)'><\(condition) xmlns='\(XMPPNamespace.streamErrors)'/></stream:error>"
        }

        private func send(_ text: String, context: ChannelHandlerContext) {
            var buffer = context.channel.allocator.buffer(capacity: text.utf8.count)
            buffer.writeString(text)
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .text, data: buffer)), promise: nil)
        }

        /// §3.6: after our `<close/>` (or an error), the WebSocket Close.
        private func closeAfterClose(context: ChannelHandlerContext) {
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: channel.allocator.buffer(capacity: 0))))
                .whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
