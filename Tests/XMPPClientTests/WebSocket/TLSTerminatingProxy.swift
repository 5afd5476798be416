import NIOCore
import NIOPosix
@testable import XMPPClient

/// A TLS terminator on 127.0.0.1 for `wss://` tests: it accepts TLS with the project's own handler
/// in server mode and passes the plaintext both ways to a backend (the servers' plain `ws://` port),
/// as a reverse proxy in front of an XMPP server's WebSocket endpoint would.
final class TLSTerminatingProxy: Sendable {
    let port: Int
    private let listener: any Channel

    private init(port: Int, listener: any Channel) {
        self.port = port
        self.listener = listener
    }

    static func start(certificate: String, key: String, backendHost: String, backendPort: Int) async throws -> TLSTerminatingProxy {
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { inbound in
                // The backend connects first, so nothing the client sends can arrive before the splice.
                ClientBootstrap(group: inbound.eventLoop)
                    .connect(host: backendHost, port: backendPort)
                    .flatMapThrowing { backend in
                        try backend.pipeline.syncOperations.addHandler(Splice(partner: inbound))
                        try inbound.pipeline.syncOperations.addHandler(
                            OpenSSLTLSHandler(serverCertificateChainFile: certificate, privateKeyFile: key))
                        try inbound.pipeline.syncOperations.addHandler(Splice(partner: backend))
                    }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        guard let port = listener.localAddress?.port else { throw ChannelError.unknownLocalAddress }
        return TLSTerminatingProxy(port: port, listener: listener)
    }

    func stop() {
        listener.close(promise: nil)
    }

    /// Writes what one side reads to the other; closes the other when one side closes.
    private final class Splice: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer

        let partner: any Channel

        init(partner: any Channel) { self.partner = partner }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            partner.writeAndFlush(unwrapInboundIn(data), promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            partner.close(promise: nil)
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }
}
