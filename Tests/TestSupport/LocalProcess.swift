/// A long-running helper program a test starts (dnsmasq…), stopped without blocking a thread.
public final class LocalProcess: Sendable {
    private let child: Subprocess

    public init(_ executable: String, _ arguments: [String]) throws {
        child = try Subprocess([executable] + arguments)
    }

    /// SIGTERM, waiting up to `timeout` for the program to exit, then SIGKILL.
    public func stop(timeout: Duration = .seconds(5)) async {
        await child.stop(timeout: timeout)
    }
}
