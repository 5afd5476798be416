/// Lets tests that load a real server heavily (hundreds of sessions, thousands of messages) run one
/// at a time, so one's load does not starve the other's deadlines. Other tests still run alongside.
public actor ExclusiveLoad {
    public static let shared = ExclusiveLoad()

    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    public func run<T: Sendable>(_ body: @Sendable () async throws -> T) async rethrows -> T {
        while busy {
            await withCheckedContinuation { waiting.append($0) }
        }
        busy = true
        defer {
            busy = false
            if !waiting.isEmpty { waiting.removeFirst().resume() }
        }
        return try await body()
    }
}
