import XMPPClient

/// The report as a table for people: one line per check, the evidence under each failure, and
/// the counts per category and XEP-0479 level. Colours only when asked (a terminal).
public enum TextReport {
    public static func render(_ report: ConformanceReport, colours: Bool) -> String {
        let idWidth = min(52, (report.results.map(\.check.id.count).max() ?? 10) + 2)
        var lines = ["xmppkit conform: \(report.target): \(report.results.count) checks in \(seconds(report.duration)) s", ""]
        lines.append(pad("RESULT", 8) + pad("CHECK", idWidth) + "CITATION")
        for result in report.results {
            let outcome = pad(label(result.outcome), 8)
            lines.append(paint(outcome, result.outcome, colours) + pad(result.check.id, idWidth) + result.check.citation.reference)
            switch result.outcome {
            case .pass:
                continue
            case .notApplicable:
                lines.append(String(repeating: " ", count: 8 + 2) + result.message)
            case .fail, .error:
                lines.append(String(repeating: " ", count: 8 + 2) + result.message)
                if result.outcome == .fail {
                    lines.append(String(repeating: " ", count: 8 + 2) + "requires: \"\(result.check.citation.text)\"")
                }
                for entry in result.transcript.suffix(12) {
                    lines.append(String(repeating: " ", count: 8 + 4) + entry)
                }
            }
        }
        lines.append("")
        lines.append(summary(report))
        for category in CheckCategory.allCases where report.tally(category: category).total > 0 {
            lines.append("  " + pad(category.rawValue, 22) + describe(report.tally(category: category)))
        }
        for level in ComplianceLevel.allCases where report.tally(level: level).total > 0 {
            lines.append("  " + pad(level.rawValue, 22) + describe(report.tally(level: level)))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `summary: 70 pass, 2 fail, 8 not applicable, 0 error`.
    public static func summary(_ report: ConformanceReport) -> String {
        "summary: " + describe(report.total)
    }

    /// The progress line while checks run: `[12/88] pass rfc6120-stream-header-reply`.
    public static func progress(_ result: CheckResult, done: Int, of total: Int, colours: Bool) -> String {
        "[\(done)/\(total)] " + paint(label(result.outcome), result.outcome, colours) + " " + result.check.id
    }

    static func label(_ outcome: CheckOutcome) -> String {
        switch outcome {
        case .pass: "pass"
        case .fail: "FAIL"
        case .notApplicable: "n/a"
        case .error: "ERROR"
        }
    }

    private static func paint(_ text: String, _ outcome: CheckOutcome, _ colours: Bool) -> String {
        guard colours else { return text }
        let code = switch outcome {
        case .pass: "32"
        case .fail: "1;31"
        case .notApplicable: "2"
        case .error: "33"
        }
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }

    private static func describe(_ tally: ConformanceReport.Tally) -> String {
        "\(tally.pass) pass, \(tally.fail) fail, \(tally.notApplicable) not applicable, \(tally.error) error"
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }

    private static func seconds(_ duration: Duration) -> String {
        String((duration.inSeconds * 10).rounded() / 10)
    }
}
