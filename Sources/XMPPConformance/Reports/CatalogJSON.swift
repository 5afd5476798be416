import Foundation

/// The checks as `Specs/conformance/*.json` publishes them: what each tests, the requirement
/// it cites, what it sends and expects, and what it needs.
public enum CatalogJSON {
    public struct Entry: Codable, Equatable, Sendable {
        public var id: String
        public var title: String
        public var citation: Citation
        public var category: CheckCategory
        public var levels: [ComplianceLevel]
        public var needs: CheckNeeds
        public var sends: String
        public var expects: String

        public init(_ check: ConformanceCheck) {
            id = check.id
            title = check.title
            citation = check.citation
            category = check.category
            levels = check.levels
            needs = check.needs
            sends = check.sends
            expects = check.expects
        }
    }

    /// A spec file: `{"checks": [...]}`.
    public struct File: Codable, Equatable, Sendable {
        public var checks: [Entry]
        public init(checks: [Entry]) { self.checks = checks }
    }

    public static func render(_ checks: [ConformanceCheck]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(File(checks: checks.map(Entry.init))), as: UTF8.self)
    }
}
