import XMPPClient
import XMPPXML

/// The report as JUnit XML for CI systems: one `<testsuite>` per category, one `<testcase>` per
/// check; `fail` is a `<failure>`, `error` an `<error>`, `not-applicable` a `<skipped>`.
public enum JUnitReport {
    public static func render(_ report: ConformanceReport) throws -> String {
        let total = report.total
        var suites = XMLElement("testsuites", attributes: [
            XMLAttribute("name", value: "xmppkit conform: \(report.target)"),
            XMLAttribute("tests", value: "\(total.total)"),
            XMLAttribute("failures", value: "\(total.fail)"),
            XMLAttribute("errors", value: "\(total.error)"),
            XMLAttribute("skipped", value: "\(total.notApplicable)"),
            XMLAttribute("time", value: seconds(report.duration)),
        ])
        for category in CheckCategory.allCases {
            let results = report.results.filter { $0.check.category == category }
            guard !results.isEmpty else { continue }
            let tally = report.tally(category: category)
            var suite = XMLElement("testsuite", attributes: [
                XMLAttribute("name", value: category.rawValue),
                XMLAttribute("tests", value: "\(tally.total)"),
                XMLAttribute("failures", value: "\(tally.fail)"),
                XMLAttribute("errors", value: "\(tally.error)"),
                XMLAttribute("skipped", value: "\(tally.notApplicable)"),
            ])
            for result in results { suite.append(testCase(result)) }
            suites.append(suite)
        }
        return "<?xml version='1.0' encoding='UTF-8'?>\n" + (try suites.serializedString()) + "\n"
    }

    private static func testCase(_ result: CheckResult) -> XMLElement {
        var testCase = XMLElement("testcase", attributes: [
            XMLAttribute("classname", value: "conform.\(result.check.category.rawValue)"),
            XMLAttribute("name", value: result.check.id),
            XMLAttribute("time", value: seconds(result.duration)),
        ])
        let evidence = "\(result.check.citation.reference): \(result.check.citation.text)\nsent: \(result.check.sends)\n"
            + "expected: \(result.check.expects)\n\n" + result.transcript.joined(separator: "\n")
        switch result.outcome {
        case .pass:
            break
        case .fail:
            testCase.append(XMLElement("failure", attributes: [XMLAttribute("message", value: xmlSafe(result.message)),
                                                               XMLAttribute("type", value: result.check.citation.reference)],
                                       children: [.text(xmlSafe(evidence))]))
        case .error:
            testCase.append(XMLElement("error", attributes: [XMLAttribute("message", value: xmlSafe(result.message))],
                                       children: [.text(xmlSafe(evidence))]))
        case .notApplicable:
            testCase.append(XMLElement("skipped", attributes: [XMLAttribute("message", value: xmlSafe(result.message))]))
        }
        return testCase
    }

    /// `text` with the characters XML 1.0 cannot carry (control characters, e.g. from an error
    /// description) replaced by U+FFFD, so one odd message cannot make the whole report unwritable.
    static func xmlSafe(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { scalar in
            switch scalar.value {
            case 0x9, 0xA, 0xD, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: scalar
            default: "\u{FFFD}"
            }
        }))
    }

    private static func seconds(_ duration: Duration) -> String {
        String((duration.inSeconds * 1000).rounded() / 1000)
    }
}
