import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// A scripted WebSocket server on 127.0.0.1 for the opening handshake and framing edge cases the
/// real servers never show: it answers the upgrade with `101` and the given `Sec-WebSocket-Protocol`
/// (none when nil), or with a raw HTTP response; then answers each text message with the script's.
final class WebSocketTestServer: Sendable {
    enum Handshake: Sendable {
        /// `101`, selecting this subprotocol (or none).
        case upgrade(subprotocol: String?)
        /// These bytes, whatever the request.
        case raw(String)
    }

    let port: Int
    private let listener: any Channel

    private init(port: Int, listener: any Channel) {
        self.port = port
        self.listener = listener
    }

    var url: String { "ws://127.0.0.1:\(port)/xmpp" }

    static func start(_ handshake: Handshake, script: @escaping @Sendable (String) -> [String] = { _ in [] }) async throws -> WebSocketTestServer {
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    switch handshake {
                    case .raw(let response):
                        try channel.pipeline.syncOperations.addHandler(RawResponder(response: response))
                    case .upgrade(let subprotocol):
                        let upgrader = NIOWebSocketServerUpgrader(
                            shouldUpgrade: { channel, _ in
                                var headers = HTTPHeaders()
                                if let subprotocol { headers.add(name: "Sec-WebSocket-Protocol", value: subprotocol) }
                                return channel.eventLoop.makeSucceededFuture(headers)
                            },
                            upgradePipelineHandler: { channel, _ in
                                channel.eventLoop.makeCompletedFuture {
                                    try channel.pipeline.syncOperations.addHandler(Scripted(script: script))
                                }
                            })
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                            withServerUpgrade: (upgraders: [upgrader], completionHandler: { _ in }))
                    }
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        guard let port = listener.localAddress?.port else { throw ChannelError.unknownLocalAddress }
        return WebSocketTestServer(port: port, listener: listener)
    }

    func stop() {
        listener.close(promise: nil)
    }

    /// Sends `response` once the request's head has arrived.
    private final class RawResponder: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        let response: String
        private var request = ""
        private var answered = false

        init(response: String) { self.response = response }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            request += String(buffer: unwrapInboundIn(data))
            guard !answered, request.contains("\r\n\r\n") else { return }
            answered = true
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: response)), promise: nil)
        }
    }

    /// After the upgrade: answers text messages by the script, Close with Close.
    private final class Scripted: ChannelInboundHandler {
        typealias InboundIn = WebSocketFrame
        typealias OutboundOut = WebSocketFrame

        let script: @Sendable (String) -> [String]

        init(script: @escaping @Sendable (String) -> [String]) { self.script = script }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let frame = unwrapInboundIn(data)
            switch frame.opcode {
            case .text:
                for reply in script(String(buffer: frame.unmaskedData)) {
                    context.write(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(string: reply))), promise: nil)
                }
                context.flush()
            case .connectionClose:
                let loopBound = context.loopBound
                context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: frame.unmaskedData)))
                    .whenComplete { _ in loopBound.value.close(promise: nil) }
            default:
                break
            }
        }
    }
}
