import Foundation
import TestSupport
import Testing

/// `xmppkit conform` as an operator runs it: the reports it writes and its exit codes.
@Suite("xmppkit conform command line")
struct CLIConformTests {
    private func conform(_ arguments: [String]) async throws -> CLITests.Run {
        let home = CLITests.makeHome()
        defer { try? FileManager.default.removeItem(atPath: home) }
        return try await CLITests.run(["conform"] + arguments, home: home)
    }

    private func target(_ name: String) throws -> [String] {
        let server = try Servers.server(name)
        return ["--host", server.host, "--port", "\(server.port)", "--domain", server.domain, "--ca", try Servers.environment.get().caFile]
    }

    @Test func jsonReportHasEveryCheckWithCitationAndEvidence() async throws {
        let out = NSTemporaryDirectory() + "conform-\(UUID().uuidString.prefix(8)).json"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let run = try await conform(try target("prosody") + ["--register", "--format", "json", "--out", out])
        #expect(run.status == 0 || run.status == 1, "exit \(run.status): \(run.stdout)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [String: Any])
        let checks = try #require(report["checks"] as? [[String: Any]])
        #expect(checks.count >= 60)
        for check in checks {
            #expect(check["id"] is String)
            #expect(["pass", "fail", "not-applicable", "error"].contains(check["result"] as? String ?? ""), "\(check)")
            let citation = try #require(check["citation"] as? [String: Any])
            #expect(citation["document"] is String && citation["section"] is String && citation["text"] is String)
            #expect(check["evidence"] is [String: Any])
        }
        let summary = try #require(report["summary"] as? [String: Any])
        #expect(summary["categories"] is [String: Any] && summary["levels"] is [String: Any])
        let failed = checks.contains { $0["result"] as? String == "fail" || $0["result"] as? String == "error" }
        #expect(run.status == (failed ? 1 : 0))
    }

    @Test func junitReportIsWellFormedXML() async throws {
        let out = NSTemporaryDirectory() + "conform-\(UUID().uuidString.prefix(8)).xml"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let run = try await conform(try target("ejabberd") + ["--register", "--format", "junit", "--out", out])
        #expect(run.status == 0 || run.status == 1, "exit \(run.status): \(run.stdout)")
        // A third-party XML parser reads it as JUnit: test cases, and failures where checks failed.
        let python = try Subprocess(["python3", "-c", """
            import sys, xml.etree.ElementTree as ET
            root = ET.parse(sys.argv[1]).getroot()
            cases = root.findall('./testsuite/testcase')
            print(root.tag, len(cases), len(root.findall('./testsuite/testcase/failure')))
            """, out], mergeErrors: true)
        python.closeInput()
        let deadline = ContinuousClock.now + .seconds(30)
        while python.exitStatusIfExited() == nil && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        let status = python.exitStatusIfExited().map { ($0 >> 8) & 0xff }
        try await Task.sleep(for: .milliseconds(100))
        let words = String(decoding: python.output, as: UTF8.self).split(separator: " ").map(String.init)
        #expect(status == 0 && words.first == "testsuites", "\(String(decoding: python.output, as: UTF8.self))")
        #expect(Int(words.dropFirst().first ?? "") ?? 0 >= 60)
    }

    @Test func exitCodes() async throws {
        // A check that passes on Prosody, one that fails there (a real deviation), usage and connection errors.
        let passing = try await conform(try target("prosody") + ["--register", "--only", "rfc6120-stream-header-reply,rfc6120-sasl-abort"])
        #expect(passing.status == 0, "\(passing.stdout)")
        let failing = try await conform(try target("prosody") + ["--register", "--only", "rfc6120-stream-error-content-namespace"])
        #expect(failing.status == 1, "\(failing.stdout)")
        #expect(failing.stdout.contains("FAIL") && failing.stdout.contains("RFC 6120 §4.9.3.10"))
        let usage = try await conform(["--host", "127.0.0.1", "--register", "--format", "yaml"])
        #expect(usage.status == 2)
        let unknownCheck = try await conform(["--host", "127.0.0.1", "--register", "--only", "rfc6120-no-such-check"])
        #expect(unknownCheck.status == 2)
        let unreachable = try await conform(["--host", "127.0.0.1", "--port", "1", "--domain", "prosody.test", "--register"])
        #expect(unreachable.status == 2)
        let wrongPassword = try await conform(try target("prosody") + ["--user", try Servers.server("prosody").userJID, "--password", "wrong-password"])
        #expect(wrongPassword.status == 2)
    }
}
