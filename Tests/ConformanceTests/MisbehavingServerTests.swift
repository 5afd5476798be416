import TestSupport
import Testing
import XMPPConformance

/// Every check can fail (issue 8, item 3): the whole suite runs against ``ConformanceTestServer``,
/// first well-behaved (every check passes), then once per check with that check's rule broken
/// (that check, and no other, fails; others may pass, be not applicable, or be errors when
/// their setup needed the broken rule).
@Suite("Misbehaving server")
struct MisbehavingServerTests {
    /// Suite runs at once: each is a server plus up to eight checks in flight.
    static let runs = RunLimiter(width: 4)

    @Test("the well-behaved server passes every check")
    func wellBehaved() async throws {
        let report = try await Self.run(misbehaviour: nil)
        #expect(report.results.count == ConformanceCatalog.all.count)
        for result in report.results where result.outcome != .pass {
            Issue.record("\(result.check.id): \(result.outcome.rawValue): \(result.message)\n\(result.transcript.joined(separator: "\n"))")
        }
    }

    @Test("a misbehaviour fails exactly its check", arguments: ConformanceCatalog.all.map(\.id))
    func misbehaviour(_ id: String) async throws {
        let report = try await Self.run(misbehaviour: id)
        let target = report.results.first { $0.check.id == id }
        #expect(target?.outcome == .fail, """
            \(id) is \(target?.outcome.rawValue ?? "missing") against the server that breaks its rule: \(target?.message ?? "")
            \(target?.transcript.joined(separator: "\n") ?? "")
            """)
        for other in report.results where other.check.id != id && other.outcome == .fail {
            Issue.record("\(other.check.id) fails too when the server breaks \(id): \(other.message)\n\(other.transcript.joined(separator: "\n"))")
        }
    }

    /// The whole catalog against a fresh server, with accounts registered in-band.
    static func run(misbehaviour: String?) async throws -> ConformanceReport {
        let pki = try TLSTestPKI.get()
        return try await runs.run {
            let server = try await ConformanceTestServer.start(misbehaviour: misbehaviour, pki: pki)
            var configuration = ConformanceConfiguration(
                host: "127.0.0.1", port: server.port, domain: ConformanceTestServer.domain,
                trust: .certificateAuthorities(file: pki.caFile), accounts: .register, webSocketURL: server.webSocketURL)
            configuration.checkTimeout = .seconds(60)
            let report = await ConformanceRunner(configuration: configuration).run(ConformanceCatalog.all)
            await server.stop()
            return report
        }
    }
}

/// At most `width` bodies at a time, the others waiting in order.
actor RunLimiter {
    private let width: Int
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(width: Int) {
        self.width = width
    }

    func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        if running >= width {
            await withCheckedContinuation { waiting.append($0) }
        } else {
            running += 1
        }
        defer {
            if waiting.isEmpty {
                running -= 1
            } else {
                waiting.removeFirst().resume()
            }
        }
        return try await body()
    }
}
