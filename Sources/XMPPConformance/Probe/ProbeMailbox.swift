import NIOCore
import Synchronization
import XMPPClient

/// The frames a probe's channel delivered, waiting to be read one at a time with a deadline.
final class ProbeMailbox: Sendable {
    private struct State {
        var events: [ProbeEvent] = []
        var finished = false
        var waiter: (id: Int, continuation: CheckedContinuation<ProbeEvent?, Never>)?
        var nextWaiter = 0
    }

    private let state = Mutex(State())

    func deliver(_ event: ProbeEvent) {
        let waiter: CheckedContinuation<ProbeEvent?, Never>? = state.withLock { state in
            guard !state.finished else { return nil }
            if case .disconnected = event { state.finished = true }
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter.continuation
            }
            state.events.append(event)
            return nil
        }
        waiter?.resume(returning: event)
    }

    /// The next event, or nil when none arrived within `timeout`.
    func next(within timeout: Duration, on eventLoop: any EventLoop) async -> ProbeEvent? {
        await withCheckedContinuation { (continuation: CheckedContinuation<ProbeEvent?, Never>) in
            let id: Int? = state.withLock { state in
                if !state.events.isEmpty {
                    continuation.resume(returning: state.events.removeFirst())
                    return nil
                }
                if state.finished {
                    continuation.resume(returning: .disconnected)
                    return nil
                }
                state.nextWaiter += 1
                state.waiter = (state.nextWaiter, continuation)
                return state.nextWaiter
            }
            guard let id else { return }
            eventLoop.scheduleTask(in: timeout.timeAmount) { [self] in
                let expired: CheckedContinuation<ProbeEvent?, Never>? = state.withLock { state in
                    guard let waiter = state.waiter, waiter.id == id else { return nil }
                    state.waiter = nil
                    return waiter.continuation
                }
                expired?.resume(returning: nil)
            }
        }
    }
}

/// The tail of a probe's pipeline: hands each decoded frame to the mailbox.
final class ProbeInboundHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = XMPPInboundFrame

    let mailbox: ProbeMailbox

    init(mailbox: ProbeMailbox) {
        self.mailbox = mailbox
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .event(.streamOpened(let header)): mailbox.deliver(.header(header))
        case .event(.element(let element)): mailbox.deliver(.element(element))
        case .event(.streamClosed): mailbox.deliver(.streamClosed)
        case .tlsEstablished(let info): mailbox.deliver(.tlsEstablished(info))
        case .malformedInput(let error): mailbox.deliver(.malformed(error))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        mailbox.deliver(.disconnected)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        mailbox.deliver(.transportError("\(error)"))
        context.close(promise: nil)
    }
}
