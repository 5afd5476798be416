import NIOCore
import NIOPosix
import XMPPXML

/// A loopback XMPP server for the ingest benchmark: it lets one client in anonymously (RFC 4505,
/// no TLS, so only parsing and the session are measured), binds it, then writes a prepared stream of
/// stanzas as fast as the socket takes them.
final class IngestServer: Sendable {
    let channel: any Channel
    var port: Int { channel.localAddress?.port ?? 0 }

    private init(channel: any Channel) {
        self.channel = channel
    }

    static func start(stanzas: [UInt8], group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> IngestServer {
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(IngestServerHandler(stanzas: stanzas))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return IngestServer(channel: channel)
    }

    func stop() async {
        try? await channel.close()
    }
}

/// Answers the client's stream opens, ANONYMOUS auth and bind, then sends the stanzas.
private final class IngestServerHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let stanzas: [UInt8]
    private var parser = XMLStreamParser()
    private var authenticated = false

    init(stanzas: [UInt8]) {
        self.stanzas = stanzas
    }

    private static let header = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='ingest' from='ingest.test' version='1.0'>"

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        let events: [XMLStreamEvent]
        do {
            events = try buffer.withUnsafeReadableBytes { try parser.feed($0) }
        } catch {
            context.close(promise: nil)
            return
        }
        for event in events {
            switch event {
            case .streamOpened:
                let features = authenticated
                    ? "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>"
                    : "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>ANONYMOUS</mechanism></mechanisms></stream:features>"
                write(context, Self.header + features)
            case .element(let element) where element.name == "auth":
                authenticated = true
                parser = XMLStreamParser()
                write(context, "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>")
            case .element(let element) where element.name == "iq" && element.child("bind", namespace: "urn:ietf:params:xml:ns:xmpp-bind") != nil:
                let id = element.attribute("id") ?? ""
                write(context, "<iq type='result' id='\(id)'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>anon@ingest.test/bench</jid></bind></iq>")
                context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: stanzas)), promise: nil)
            default:
                break
            }
        }
    }

    private func write(_ context: ChannelHandlerContext, _ text: String) {
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: text)), promise: nil)
    }
}
