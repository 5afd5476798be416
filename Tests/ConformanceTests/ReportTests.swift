import Foundation
import Testing
import XMPPXML
@testable import XMPPConformance

/// The three report formats, from a report with every outcome and hostile text in the evidence.
struct ReportTests {
    private func report() -> ConformanceReport {
        let checks = Array(ConformanceCatalog.all.prefix(4))
        let outcomes: [CheckOutcome] = [.pass, .fail, .notApplicable, .error]
        let results = zip(checks, outcomes).map { check, outcome in
            CheckResult(check: check, outcome: outcome, message: outcome == .pass ? "" : "got <error/> & \"quotes\" ]]> \u{1B}[31m",
                        transcript: ["C1 → <stream:stream to='x'>", "C1 ← <failure/>"], duration: .milliseconds(12))
        }
        return ConformanceReport(target: "example.org at 127.0.0.1:5222", results: results, duration: .seconds(2))
    }

    @Test func jsonHasChecksAndSummaries() throws {
        let text = try JSONReport.render(report())
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let checks = try #require(object["checks"] as? [[String: Any]])
        #expect(checks.map { $0["result"] as? String } == ["pass", "fail", "not-applicable", "error"])
        let failed = checks[1]
        #expect((failed["citation"] as? [String: Any])?["document"] as? String == ConformanceCatalog.all[1].citation.document)
        let evidence = try #require(failed["evidence"] as? [String: Any])
        #expect((evidence["transcript"] as? [String])?.count == 2)
        #expect(evidence["message"] as? String == "got <error/> & \"quotes\" ]]> \u{1B}[31m")
        let summary = try #require(object["summary"] as? [String: Any])
        let total = try #require(summary["total"] as? [String: Int])
        #expect(total == ["pass": 1, "fail": 1, "not-applicable": 1, "error": 1, "total": 4])
        #expect(object["passed"] as? Bool == false)
    }

    @Test func junitIsWellFormedAndCountsOutcomes() throws {
        let text = try JUnitReport.render(report())
        let parser = XMLStreamParser(mode: .document)
        let events = try parser.feed(Array(text.utf8)) + parser.finish()
        guard case .element(let root)? = events.first else {
            Issue.record("no root element: \(text)")
            return
        }
        #expect(root.name == "testsuites")
        #expect(root.attribute("failures") == "1" && root.attribute("errors") == "1" && root.attribute("skipped") == "1")
        let cases = root.elements.flatMap { $0.children("testcase", namespace: "") }
        #expect(cases.count == 4)
        let failure = try #require(cases[1].elements.first)
        #expect(failure.name == "failure")
        // The terminal escape in the message cannot travel in XML 1.0: replaced, not fatal.
        #expect(failure.attribute("message") == "got <error/> & \"quotes\" ]]> \u{FFFD}[31m")
    }

    @Test func textMarksFailuresAndColoursOnlyWhenAsked() {
        let plain = TextReport.render(report(), colours: false)
        #expect(plain.contains("FAIL") && plain.contains("ERROR") && plain.contains("n/a"))
        #expect(plain.contains("summary: 1 pass, 1 fail, 1 not applicable, 1 error"))
        #expect(!plain.contains("\u{1B}[32m"))
        #expect(TextReport.render(report(), colours: true).contains("\u{1B}[32m"))
    }
}
