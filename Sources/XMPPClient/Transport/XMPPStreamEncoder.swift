import NIOCore
import XMPPCore
import XMPPXML

/// ``XMPPOutboundFrame`` → bytes for a TCP stream (RFC 6120 §4): the header, stanzas serialized in
/// the stream's content namespace, and the closing tag.
public final class XMPPStreamEncoder: ChannelOutboundHandler, RemovableChannelHandler {
    public typealias OutboundIn = XMPPOutboundFrame
    public typealias OutboundOut = ByteBuffer

    private var scratch: [UInt8] = []

    public init() {}

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        scratch.removeAll(keepingCapacity: true)
        do {
            switch unwrapOutboundIn(data) {
            case .streamHeader(let header):
                try header.serialize(into: &scratch)
            case .element(let element):
                try element.serialize(into: &scratch, inheritedNamespace: XMPPNamespace.client)
            case .whitespaceKeepalive:
                scratch.append(UInt8(ascii: " "))
            case .streamClose:
                scratch.append(contentsOf: XMLStreamHeader.closingTag)
            }
        } catch {
            promise?.fail(error)
            return
        }
        context.write(wrapOutboundOut(context.channel.allocator.buffer(bytes: scratch)), promise: promise)
    }
}
