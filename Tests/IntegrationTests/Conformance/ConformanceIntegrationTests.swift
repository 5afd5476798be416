import Foundation
import Testing
import TestSupport
import XMPPClient
import XMPPConformance

/// `xmppkit conform` against the real servers: every check runs and its result is printed (id,
/// outcome, message). `CONFORM_ONLY=id,id` runs a subset; `CONFORM_TRANSCRIPT=1` prints the
/// transcripts of checks that did not pass, `CONFORM_TRANSCRIPT=all` every transcript.
@Suite("Conformance against the real servers")
struct ConformanceIntegrationTests {
    @Test(arguments: ["prosody", "ejabberd"])
    func runsEveryCheck(_ name: String) async throws {
        let server = try Servers.server(name)
        let environment = try Servers.environment.get()
        let configuration = ConformanceConfiguration(
            host: server.host, port: server.port, domain: server.domain,
            trust: .certificateAuthorities(file: environment.caFile), accounts: .register, webSocketURL: server.webSocketURL)
        let runner = ConformanceRunner(configuration: configuration)
        try await runner.verifyReachable()
        var checks = ConformanceCatalog.all
        if let only = ProcessInfo.processInfo.environment["CONFORM_ONLY"], !only.isEmpty {
            checks = ConformanceCatalog.select(only.split(separator: ",").map(String.init)).checks
        }
        let report = await runner.run(checks)
        let transcripts = ProcessInfo.processInfo.environment["CONFORM_TRANSCRIPT"]
        for result in report.results {
            print("[\(name)] \(result.check.id): \(result.outcome.rawValue)\(result.message.isEmpty ? "" : " — \(result.message)")")
            if transcripts == "all" || (transcripts == "1" && result.outcome != .pass) {
                for line in result.transcript { print("    \(line)") }
            }
        }
        let total = report.total
        print("[\(name)] \(total.pass) pass, \(total.fail) fail, \(total.notApplicable) not applicable, \(total.error) error in \(report.duration)")
        #expect(report.results.count == checks.count)
        // RFC 6121 and XEP checks must not end in error (their setup works on both servers).
        let errors = report.results.filter { $0.outcome == .error && $0.check.category != .core }.map(\.check.id)
        #expect(errors.isEmpty, "checks ended in error against \(name): \(errors)")
    }
}
