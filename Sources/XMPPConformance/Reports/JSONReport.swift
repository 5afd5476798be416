import Foundation
import XMPPClient

/// The report as JSON: `checks` (one object per check with `id`, `result`, `citation`,
/// `evidence`) and `summary` per category and XEP-0479 level.
public enum JSONReport {
    struct Document: Encodable {
        var target: String
        var durationSeconds: Double
        var passed: Bool
        var summary: Summary
        var checks: [Check]
    }

    struct Summary: Encodable {
        var total: ConformanceReport.Tally
        var categories: [String: ConformanceReport.Tally]
        var levels: [String: ConformanceReport.Tally]
    }

    struct Check: Encodable {
        var id: String
        var title: String
        var category: String
        var levels: [String]
        var result: String
        var citation: Citation
        var evidence: Evidence
        var durationSeconds: Double
    }

    struct Evidence: Encodable {
        var message: String
        var sent: String
        var expected: String
        var transcript: [String]
    }

    public static func render(_ report: ConformanceReport) throws -> String {
        let document = Document(
            target: report.target, durationSeconds: report.duration.inSeconds, passed: report.passed,
            summary: Summary(
                total: report.total,
                categories: Dictionary(uniqueKeysWithValues: CheckCategory.allCases.map { ($0.rawValue, report.tally(category: $0)) }),
                levels: Dictionary(uniqueKeysWithValues: ComplianceLevel.allCases.map { ($0.rawValue, report.tally(level: $0)) })),
            checks: report.results.map { result in
                Check(id: result.check.id, title: result.check.title, category: result.check.category.rawValue,
                      levels: result.check.levels.map(\.rawValue), result: result.outcome.rawValue, citation: result.check.citation,
                      evidence: Evidence(message: result.message, sent: result.check.sends, expected: result.check.expects,
                                         transcript: result.outcome == .pass ? [] : result.transcript),
                      durationSeconds: result.duration.inSeconds)
            })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(document), as: UTF8.self)
    }
}
