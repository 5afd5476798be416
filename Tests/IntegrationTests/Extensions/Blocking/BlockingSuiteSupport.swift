import XMPPClient
import XMPPCore

/// Waiting for events in the blocking, privacy, ping and blocked-notice integration tests.
enum BlockingSuiteSupport {
    /// The first element of `sequence` that `match` maps to a value, or nil after `timeout` (a bound
    /// against hangs, not a measurement).
    static func first<S: AsyncSequence & Sendable, T: Sendable>(
        _ sequence: S, timeout: Duration = .seconds(10), _ match: @escaping @Sendable (S.Element) -> T?
    ) async -> T? where S.Element: Sendable {
        await withTaskGroup(of: T?.self) { group in
            group.addTask {
                do {
                    for try await element in sequence {
                        if let value = match(element) { return value }
                    }
                } catch {}
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let result = await group.next() ?? nil
            group.cancelAll()
            return result
        }
    }

    /// Collects every message a client receives, so several checks can read one stream (a
    /// client's `stanzas` can be consumed once).
    actor MessageLog {
        private(set) var messages: [Message] = []
        private var task: Task<Void, Never>?

        init(_ client: XMPPClient) {
            let stream = client.stanzas
            Task { await self.start(stream) }
        }

        private func start(_ stream: AsyncStream<InboundStanza>) {
            task = Task { [weak self] in
                for await stanza in stream {
                    if case .message(let message) = stanza { await self?.append(message) }
                }
            }
        }

        private func append(_ message: Message) {
            messages.append(message)
        }

        /// The first message matching `match` received so far or within `timeout`.
        func first(within timeout: Duration = .seconds(10), _ match: (Message) -> Bool) async -> Message? {
            let clock = ContinuousClock()
            let deadline = clock.now + timeout
            while clock.now < deadline {
                if let found = messages.first(where: match) { return found }
                try? await Task.sleep(for: .milliseconds(50))
            }
            return messages.first(where: match)
        }

        func stop() {
            task?.cancel()
        }
    }
}
