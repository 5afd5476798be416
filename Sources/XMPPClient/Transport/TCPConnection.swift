import NIOCore
import NIOPosix
import XMPPXML

/// An XMPP stream over TCP on SwiftNIO (RFC 6120 §3), optionally TLS from the first byte (XEP-0368).
///
/// Pipeline, head to tail: [TLS] [zlib] decoder encoder, then the async bridge the session reads from.
struct TCPConnection: XMPPConnection {
    let channel: any Channel
    let outbound: NIOAsyncChannelOutboundWriter<XMPPOutboundFrame>

    typealias AsyncChannel = NIOAsyncChannel<XMPPInboundFrame, XMPPOutboundFrame>

    /// Connects and builds the pipeline; the caller runs the stream inside `executeThenClose`.
    static func open(host: String, port: Int, directTLS: TLSConfiguration?, limits: XMLParserLimits,
                     connectTimeout: Duration, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> AsyncChannel {
        do {
            return try await ClientBootstrap(group: group)
                .connectTimeout(connectTimeout.timeAmount)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let directTLS {
                            try channel.pipeline.syncOperations.addHandler(OpenSSLTLSHandler(configuration: directTLS))
                        }
                        try channel.pipeline.syncOperations.addHandler(XMPPStreamDecoder(limits: limits))
                        try channel.pipeline.syncOperations.addHandler(XMPPStreamEncoder())
                        return try AsyncChannel(wrappingChannelSynchronously: channel)
                    }
                }
        } catch let error as TLSError {
            throw XMPPClientError(.tls(error))
        } catch {
            throw XMPPClientError(.connectionFailed("\(host):\(port): \(error)"))
        }
    }

    func send(_ frame: XMPPOutboundFrame) async throws {
        do { try await outbound.write(frame) } catch {
            throw XMPPClientError(.connectionFailed("write failed: \(error)"))
        }
    }

    func startTLS(_ configuration: TLSConfiguration) async throws {
        do {
            try await channel.eventLoop.submit { [channel] in
                try channel.pipeline.syncOperations.addHandler(OpenSSLTLSHandler(configuration: configuration), position: .first)
            }.get()
        } catch let error as TLSError {
            throw XMPPClientError(.tls(error))
        }
    }

    func startCompression() async throws {
        try await channel.eventLoop.submit { [channel] in
            let decoder = try channel.pipeline.syncOperations.handler(type: XMPPStreamDecoder.self)
            try channel.pipeline.syncOperations.addHandler(ZlibCompressionHandler(), position: .before(decoder))
        }.get()
    }

    func close() async {
        try? await channel.close()
    }
}
