import NIOCore

/// Ends an HTTP exchange that takes too long: when the `IdleStateHandler` before it reports that
/// nothing was read or written for the idle time, or when the whole exchange outlives its
/// deadline, it reports ``HTTPClientError/Kind/timedOut`` to the reader and closes the channel.
/// One handler, one job: the other handlers know nothing of time.
final class HTTPTimeoutHandler: ChannelInboundHandler {
    typealias InboundIn = Any

    private let idle: TimeAmount?
    private let total: TimeAmount?
    private var deadline: Scheduled<Void>?
    private var fired = false

    init(idle: TimeAmount?, total: TimeAmount?) {
        self.idle = idle
        self.total = total
    }

    func handlerAdded(context: ChannelHandlerContext) {
        guard let total else { return }
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: total) {
            self.timeOut(context: context, "the exchange took longer than \(Self.describe(total))")
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? IdleStateHandler.IdleStateEvent, event == .all, let idle {
            timeOut(context: context, "nothing was sent or received for \(Self.describe(idle))")
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func timeOut(context: ChannelHandlerContext, _ detail: String) {
        guard !fired else { return }
        fired = true
        deadline?.cancel()
        deadline = nil
        context.fireErrorCaught(HTTPClientError(.timedOut, detail))
        context.close(promise: nil)
    }

    static func describe(_ amount: TimeAmount) -> String {
        let milliseconds = amount.nanoseconds / 1_000_000
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000) s" : "\(milliseconds) ms"
    }
}

@available(*, unavailable)
extension HTTPTimeoutHandler: Sendable {}
