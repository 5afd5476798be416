import NIOCore
import NIOWebSocket
import XMPPXML

/// The WebSocket layer under RFC 7395 framing (RFC 6455 §5, §7), client side: frames in, whole
/// text messages out.
///
/// - Reassembles fragmented messages (§5.4), refusing one longer than `maxMessageBytes` before
///   buffering past it: that is a `policy-violation` ``XMLStreamError``, as an over-long stanza is on TCP.
/// - Refuses binary messages (RFC 7395 §3.2: text only), reserved bits (no extension is negotiated)
///   and broken fragment sequences, with an ``XMPPClientError``.
/// - Answers pings with pongs (§5.5.2), ignores pongs.
/// - Types the frame decoder's errors: a frame over the limit is the same `policy-violation`.
/// - Runs the close handshake (§7.1.2): a `close` from above sends a Close frame and closes the
///   channel when the server's arrives, or after `closeTimeout`; a Close from the server is echoed,
///   then the channel is closed. A close code other than 1000/1001 from the server is an error.
///
/// Outbound it passes the frames from above through (they must be masked, §5.3); after a Close has
/// gone out it refuses more.
final class WebSocketMessageHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private enum State {
        case open
        /// Our Close frame is out; waiting for the server's (or the timeout).
        case closeSent(timeout: Scheduled<Void>?, promise: EventLoopPromise<Void>?)
        /// Both Close frames exchanged, or the connection failed: closing or closed.
        case closed
    }

    private let maxMessageBytes: Int
    private let closeTimeout: TimeAmount
    private var state: State = .open
    /// The fragments of an unfinished text message (§5.4).
    private var message: ByteBuffer?

    init(maxMessageBytes: Int, closeTimeout: TimeAmount = .seconds(2)) {
        self.maxMessageBytes = maxMessageBytes
        self.closeTimeout = closeTimeout
    }

    // MARK: - Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .closed = state { return }
        let frame = unwrapInboundIn(data)
        guard !frame.rsv1 && !frame.rsv2 && !frame.rsv3 else {
            return fail(context, .protocolError, XMPPClientError(.protocolViolation(
                "a WebSocket frame with reserved bits set, but no extension was negotiated (RFC 6455 §5.2)")))
        }
        switch frame.opcode {
        case .text:
            guard message == nil else {
                return fail(context, .protocolError, XMPPClientError(.protocolViolation(
                    "a new WebSocket message began before the previous one ended (RFC 6455 §5.4)")))
            }
            guard frame.length <= maxMessageBytes else { return failTooLarge(context) }
            if frame.fin {
                context.fireChannelRead(wrapInboundOut(frame.unmaskedData))
            } else {
                var buffer = context.channel.allocator.buffer(capacity: frame.length)
                var data = frame.unmaskedData
                buffer.writeBuffer(&data)
                message = buffer
            }
        case .continuation:
            guard var buffer = message else {
                return fail(context, .protocolError, XMPPClientError(.protocolViolation(
                    "a WebSocket continuation frame without a message to continue (RFC 6455 §5.4)")))
            }
            // Checked before appending: never hold more than the limit.
            guard frame.length <= maxMessageBytes - buffer.readableBytes else { return failTooLarge(context) }
            message = nil  // so `buffer` is uniquely referenced while it grows
            var data = frame.unmaskedData
            buffer.writeBuffer(&data)
            if frame.fin {
                context.fireChannelRead(wrapInboundOut(buffer))
            } else {
                message = buffer
            }
        case .binary:
            fail(context, .unacceptableData, XMPPClientError(.protocolViolation(
                "the server sent a binary WebSocket message; XMPP uses text messages only (RFC 7395 §3.2)")))
        case .ping:
            guard case .open = state else { return }
            let pong = WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .pong:
            break
        case .connectionClose:
            receivedClose(context, frame)
        default:
            fail(context, .protocolError, XMPPClientError(.protocolViolation(
                "a WebSocket frame with the reserved opcode \(frame.opcode) (RFC 6455 §5.2)")))
        }
    }

    private func receivedClose(_ context: ChannelHandlerContext, _ frame: WebSocketFrame) {
        var data = frame.unmaskedData
        let code = data.readWebSocketErrorCode()
        let reason = data.readString(length: data.readableBytes) ?? ""
        switch state {
        case .open:
            // §5.5.1: answer with a Close (echoing the code), then close; the server is done with us.
            state = .closed
            message = nil
            if let code, code != .normalClosure, code != .goingAway {
                context.fireErrorCaught(XMPPClientError(.connectionFailed(
                    "the server closed the WebSocket with code \(UInt16(webSocketErrorCode: code))\(reason.isEmpty ? "" : ": \(reason)")")))
            }
            sendCloseThenClose(context, code: code)
        case .closeSent(let timeout, let promise):
            timeout?.cancel()
            state = .closed
            context.close(promise: promise)
        case .closed:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if case .closeSent(let timeout, let promise) = state {
            timeout?.cancel()
            promise?.succeed()
        }
        state = .closed
        message = nil
        context.fireChannelInactive()
    }

    /// The frame decoder's errors (its protocol-error handler has already sent the Close and is
    /// closing), typed as ours are: an over-long frame is the same `policy-violation`.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let error = error as? NIOWebSocketError else {
            context.fireErrorCaught(error)
            return
        }
        message = nil
        if case .open = state { state = .closed }
        switch error {
        case .invalidFrameLength:
            context.fireErrorCaught(XMLStreamError(.policyViolation, "a WebSocket frame exceeds \(maxMessageBytes) bytes"))
        case .fragmentedControlFrame, .multiByteControlFrameLength:
            context.fireErrorCaught(XMPPClientError(.protocolViolation("a malformed WebSocket control frame (RFC 6455 §5.5): \(error)")))
        }
    }

    private func failTooLarge(_ context: ChannelHandlerContext) {
        fail(context, .messageTooLarge, XMLStreamError(.policyViolation, "a WebSocket message exceeds \(maxMessageBytes) bytes"))
    }

    /// "Fail the WebSocket Connection" (RFC 6455 §7.1.7): report, send a Close with `code`, close at once.
    private func fail(_ context: ChannelHandlerContext, _ code: WebSocketErrorCode, _ error: any Error) {
        message = nil
        context.fireErrorCaught(error)
        switch state {
        case .open:
            state = .closed
            sendCloseThenClose(context, code: code)
        case .closeSent(let timeout, let promise):
            timeout?.cancel()
            state = .closed
            context.close(promise: promise)
        case .closed:
            break
        }
    }

    private func sendCloseThenClose(_ context: ChannelHandlerContext, code: WebSocketErrorCode?) {
        let loopBound = context.loopBound
        context.writeAndFlush(wrapOutboundOut(Self.closeFrame(code, allocator: context.channel.allocator)))
            .whenComplete { _ in loopBound.value.close(promise: nil) }
    }

    static func closeFrame(_ code: WebSocketErrorCode?, allocator: ByteBufferAllocator) -> WebSocketFrame {
        var data = allocator.buffer(capacity: 2)
        if let code { data.write(webSocketErrorCode: code) }
        return WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: data)
    }

    // MARK: - Outbound

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .open = state else {
            promise?.fail(ChannelError.outputClosed)
            return
        }
        context.write(data, promise: promise)
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        guard mode == .all else {
            context.close(mode: mode, promise: promise)
            return
        }
        switch state {
        case .open where context.channel.isActive:
            context.writeAndFlush(wrapOutboundOut(Self.closeFrame(.normalClosure, allocator: context.channel.allocator)), promise: nil)
            let timeout = context.eventLoop.assumeIsolated().scheduleTask(in: closeTimeout) {
                self.closeTimedOut(context)
            }
            state = .closeSent(timeout: timeout, promise: promise)
        case .closeSent(let timeout, let pending):
            // A second close while the handshake runs joins the first.
            if let promise {
                if let pending {
                    pending.futureResult.cascade(to: promise)
                } else {
                    state = .closeSent(timeout: timeout, promise: promise)
                }
            }
        case .open, .closed:
            state = .closed
            context.close(mode: mode, promise: promise)
        }
    }

    private func closeTimedOut(_ context: ChannelHandlerContext) {
        guard case .closeSent(_, let promise) = state else { return }
        state = .closed
        context.close(promise: promise)
    }
}
