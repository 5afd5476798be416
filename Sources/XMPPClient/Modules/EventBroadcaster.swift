import NIOConcurrencyHelpers

/// Hands each event to every current subscriber: a module's typed events as `AsyncSequence`s, any
/// number of listeners each with its own stream.
///
/// Subscribers that stop iterating are dropped. Each subscriber's buffer is bounded
/// (`bufferingNewest`), so a listener that never reads cannot grow memory without limit.
public final class EventBroadcaster<Event: Sendable>: Sendable {
    private let subscribers = NIOLockedValueBox<(next: Int, continuations: [Int: AsyncStream<Event>.Continuation])>((0, [:]))
    private let bufferLimit: Int

    /// - Parameter bufferLimit: events kept per subscriber that has not read them yet; the oldest go first.
    public init(bufferLimit: Int = 1024) {
        self.bufferLimit = bufferLimit
    }

    deinit {
        finish()
    }

    /// A new stream of every event yielded from now on.
    public func subscribe() -> AsyncStream<Event> {
        let (stream, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingNewest(bufferLimit))
        let key = subscribers.withLockedValue { state in
            let key = state.next
            state.next += 1
            state.continuations[key] = continuation
            return key
        }
        continuation.onTermination = { [weak self] _ in
            self?.subscribers.withLockedValue { _ = $0.continuations.removeValue(forKey: key) }
        }
        return stream
    }

    /// Hands `event` to every subscriber.
    public func yield(_ event: Event) {
        let continuations = subscribers.withLockedValue { Array($0.continuations.values) }
        for continuation in continuations { continuation.yield(event) }
    }

    /// Ends every subscriber's stream.
    public func finish() {
        let continuations = subscribers.withLockedValue { state in
            defer { state.continuations = [:] }
            return Array(state.continuations.values)
        }
        for continuation in continuations { continuation.finish() }
    }
}
