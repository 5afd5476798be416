internal import CZlib
import NIOCore

/// XEP-0138 stream compression with zlib (RFC 1950): inflates what arrives, deflates what leaves with
/// a sync flush per write, so every stanza is on the wire when it is written (XEP-0138 §3).
///
/// A compression bomb is refused: one read may inflate to at most `maximumInflatedBytesPerRead`.
public final class ZlibCompressionHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    public struct CompressionError: Error, CustomStringConvertible {
        public var description: String
    }

    private var inflater = z_stream()
    private var deflater = z_stream()
    private var ready = false
    private let maximumInflatedBytesPerRead: Int

    public init(maximumInflatedBytesPerRead: Int = 16 << 20) {
        self.maximumInflatedBytesPerRead = maximumInflatedBytesPerRead
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        ready = CZlib_inflateInit(&inflater) == Z_OK && CZlib_deflateInit(&deflater, Z_DEFAULT_COMPRESSION) == Z_OK
        if !ready { context.fireErrorCaught(CompressionError(description: "zlib could not be initialised")) }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        if ready {
            inflateEnd(&inflater)
            deflateEnd(&deflater)
            ready = false
        }
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var input = unwrapInboundIn(data)
        guard ready else { return }
        var produced = 0
        var output = context.channel.allocator.buffer(capacity: 0)
        let status: Int32 = input.withUnsafeMutableReadableBytes { bytes in
            inflater.next_in = bytes.baseAddress?.assumingMemoryBound(to: Bytef.self)
            inflater.avail_in = uInt(bytes.count)
            var result = Z_OK
            repeat {
                var chunk = [UInt8](repeating: 0, count: 64 * 1024)
                let written: Int = chunk.withUnsafeMutableBytes { out in
                    inflater.next_out = out.baseAddress?.assumingMemoryBound(to: Bytef.self)
                    inflater.avail_out = uInt(out.count)
                    result = inflate(&inflater, Z_SYNC_FLUSH)
                    return out.count - Int(inflater.avail_out)
                }
                output.writeBytes(chunk[0..<written])
                produced += written
                if result == Z_BUF_ERROR && written == 0 { result = Z_OK; break }
            } while (result == Z_OK) && (inflater.avail_in > 0 || inflater.avail_out == 0) && produced <= maximumInflatedBytesPerRead
            return result
        }
        if status != Z_OK && status != Z_STREAM_END {
            context.fireErrorCaught(CompressionError(description: "the compressed stream is corrupt (zlib error \(status))"))
            return
        }
        if produced > maximumInflatedBytesPerRead {
            context.fireErrorCaught(CompressionError(description: "compressed data inflates past \(maximumInflatedBytesPerRead) bytes in one read"))
            return
        }
        if output.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(output)) }
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        var input = unwrapOutboundIn(data)
        guard ready else {
            promise?.fail(CompressionError(description: "zlib is not ready"))
            return
        }
        var output = context.channel.allocator.buffer(capacity: input.readableBytes / 2 + 64)
        let status: Int32 = input.withUnsafeMutableReadableBytes { bytes in
            deflater.next_in = bytes.baseAddress?.assumingMemoryBound(to: Bytef.self)
            deflater.avail_in = uInt(bytes.count)
            var result = Z_OK
            repeat {
                var chunk = [UInt8](repeating: 0, count: 16 * 1024)
                let written: Int = chunk.withUnsafeMutableBytes { out in
                    deflater.next_out = out.baseAddress?.assumingMemoryBound(to: Bytef.self)
                    deflater.avail_out = uInt(out.count)
                    result = deflate(&deflater, Z_SYNC_FLUSH)
                    return out.count - Int(deflater.avail_out)
                }
                output.writeBytes(chunk[0..<written])
                if deflater.avail_out != 0 { break }
            } while result == Z_OK
            return result
        }
        guard status == Z_OK || status == Z_BUF_ERROR else {
            promise?.fail(CompressionError(description: "zlib deflate failed (\(status))"))
            return
        }
        context.write(wrapOutboundOut(output), promise: promise)
    }
}
