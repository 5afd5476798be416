import Foundation
import Synchronization
import Testing
@testable import XMPPClient
import XMPPCore
import XMPPXML

/// Helpers shared by the hostile-server tests: deadlines that fail instead of hanging, the
/// process's memory, and the check that nothing secret crossed the wire before TLS.
enum Hostile {
    struct Hung: Error, CustomStringConvertible {
        var what: String
        var limit: Duration
        var description: String { "\(what) did not finish within \(limit): the client hangs" }
    }

    /// Runs `operation`, failing with ``Hung`` when it takes longer than `limit`. The operation is
    /// left running in that case (a hung client cannot be stopped from outside), so the test ends
    /// instead of hanging with it.
    static func within<T: Sendable>(_ limit: Duration, _ what: String,
                                    _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        let slot = Slot<T>()
        return try await withCheckedThrowingContinuation { continuation in
            slot.fill(continuation)
            let work = Task {
                let outcome = await Hostile.result { try await operation() }
                slot.take()?.resume(with: outcome)
            }
            Task {
                try? await Task.sleep(for: limit)
                guard let continuation = slot.take() else { return }
                work.cancel()
                continuation.resume(throwing: Hung(what: what, limit: limit))
            }
        }
    }

    /// A continuation that exactly one of two racers takes.
    private final class Slot<T: Sendable>: Sendable {
        private let continuation = Mutex<CheckedContinuation<T, any Error>?>(nil)
        func fill(_ value: CheckedContinuation<T, any Error>) { continuation.withLock { $0 = value } }
        func take() -> CheckedContinuation<T, any Error>? { continuation.withLock { $0.take() } }
    }

    /// The outcome of `body`, thrown or returned.
    static func result<T>(_ body: () async throws -> T) async -> Result<T, any Error> {
        do { return .success(try await body()) } catch { return .failure(error) }
    }

    /// `connect()`, expected to fail: the error, and how long it took.
    static func failingConnect(_ client: XMPPClient, within limit: Duration = .seconds(10),
                               sourceLocation: SourceLocation = #_sourceLocation) async throws -> (XMPPClientError?, Duration) {
        let start = ContinuousClock.now
        let result = try await within(limit, "connect()") { await Hostile.result { try await client.connect() } }
        let elapsed = ContinuousClock.now - start
        switch result {
        case .success(let session):
            Issue.record("connected although the server misbehaved (bound \(session.boundJID))", sourceLocation: sourceLocation)
            return (nil, elapsed)
        case .failure(let error as XMPPClientError):
            return (error, elapsed)
        case .failure(let error):
            Issue.record("connect() threw an untyped error: \(error)", sourceLocation: sourceLocation)
            return (nil, elapsed)
        }
    }

    /// The client's state once a failed `connect()` has settled. `connect()` throws before the
    /// session records the failure (`XMPPClient.run(resuming:)` resumes the caller, then calls
    /// `connectionEnded`), so for a moment the state may still read `.connecting` and `lastError`
    /// nil; this waits (up to a second) for the state to leave `.connecting`.
    static func settledState(_ client: XMPPClient) async -> ConnectionState {
        for _ in 0..<100 {
            let state = await client.state
            if state != .connecting { return state }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return await client.state
    }

    /// Waits until an established session has ended (any state but connecting/connected), and
    /// returns that state.
    static func ended(_ client: XMPPClient, within limit: Duration) async throws -> ConnectionState {
        try await within(limit, "the session's end") {
            for await state in await client.stateUpdates() {
                switch state {
                case .connected, .connecting: continue
                default: return state
                }
            }
            return await client.state
        }
    }

    /// A test client configuration's logger: quiet.
    static func quiet(_ configuration: XMPPClientConfiguration) -> XMPPClientConfiguration {
        var configuration = configuration
        configuration.logger.logLevel = .critical
        return configuration
    }

    // MARK: - Credentials before TLS

    /// RFC 6120 §13.8 and §5.3.1: nothing but the stream header and `<starttls/>` may cross
    /// the wire before TLS. Checks every connection the server accepted: no `<auth`, no SASL
    /// `<response`, neither the password nor its base64 nor PLAIN's message, not even the account
    /// name (the client leaves 'from' out before TLS, §4.7.1), and every element parsed from those
    /// bytes is `<starttls/>`.
    static func expectNothingSecretBeforeTLS(_ server: TestXMPPServer, sourceLocation: SourceLocation = #_sourceLocation) {
        let configuration = server.configuration
        let password = configuration.password
        let forbidden: [(String, [UInt8])] = [
            ("<auth", Array("<auth".utf8)),
            ("<response", Array("<response".utf8)),
            ("mechanism=", Array("mechanism=".utf8)),
            ("the password", Array(password.utf8)),
            ("the password in base64", Array(Data(password.utf8).base64EncodedString().utf8)),
            ("PLAIN's message in base64", Array(Data("\u{0}\(configuration.username)\u{0}\(password)".utf8).base64EncodedString().utf8)),
            ("the account name", Array(configuration.username.utf8)),
        ]
        let connections = server.connections
        #expect(!connections.isEmpty, "the client never connected", sourceLocation: sourceLocation)
        for record in connections {
            let clear = record.bytesBeforeTLS
            for (name, needle) in forbidden where contains(clear, needle) {
                Issue.record("\(name) crossed the wire before TLS on \(record): \(String(decoding: clear, as: UTF8.self))",
                             sourceLocation: sourceLocation)
            }
            let parser = XMLStreamParser()
            let events = (try? parser.feed(clear)) ?? []
            // <starttls/>, and a stream error telling the server why we leave (RFC 6120 §4.9.1.2), carry no secret.
            for case .element(let element) in events where !(element.name == "starttls" && element.namespace == XMPPNamespace.tls)
                && !(element.name == "error" && element.namespace == XMPPNamespace.streams) {
                Issue.record("<\(element.name) xmlns='\(element.namespace)'/> was sent before TLS", sourceLocation: sourceLocation)
            }
        }
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if haystack[start..<(start + needle.count)].elementsEqual(needle) { return true }
        }
        return false
    }
}

/// The process's resident memory, from `/proc/self`: what a hostile peer can make the client hold.
enum ResidentMemoryProbe {
    /// Resident set size now (`/proc/self/statm`, second field, in pages).
    static func residentBytes() -> Int {
        guard let text = read("/proc/self/statm") else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// The peak resident size since the last ``resetPeak()`` (`VmHWM`), if the kernel reports it.
    static func peakResidentBytes() -> Int? {
        guard let text = read("/proc/self/status"),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kilobytes = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { return nil }
        return kilobytes * 1024
    }

    /// Resets `VmHWM` to the current size (`echo 5 > /proc/self/clear_refs`, Linux ≥ 4.0).
    @discardableResult
    static func resetPeak() -> Bool {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        return (try? handle.write(contentsOf: Data("5".utf8))) != nil
    }

    private static func read(_ path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        return (try? handle.readToEnd()).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Measures the peak growth of resident memory while `operation` runs: the kernel's peak
    /// when it can be reset, and samples every 5 ms in any case.
    static func peakGrowth<T: Sendable>(during operation: () async throws -> T) async rethrows -> (result: T, growth: Int) {
        let baseline = residentBytes()
        let peakResettable = resetPeak()
        let sampled = Mutex(baseline)
        let sampler = Task {
            while !Task.isCancelled {
                let now = residentBytes()
                sampled.withLock { $0 = max($0, now) }
                try? await Task.sleep(for: .milliseconds(5))
            }
        }
        let result = try await operation()
        sampler.cancel()
        _ = await sampler.value
        var peak = max(sampled.withLock { $0 }, residentBytes())
        if peakResettable, let kernelPeak = peakResidentBytes() { peak = max(peak, kernelPeak) }
        return (result, peak - baseline)
    }

    static func megabytes(_ bytes: Int) -> String {
        String(format: "%.1f MB", Double(bytes) / 1_048_576)
    }
}
