/// One conformance check: what it tests (with the cited requirement) and how.
///
/// The metadata is what `Specs/conformance/*.json` publishes; `ConformanceSpecTests` keeps the
/// two identical. The body reports `fail` only for the rule it tests: it throws ``CheckFailure``
/// (through ``CheckContext/expect(_:_:)``) for that, ``CheckNotApplicable`` when the feature is
/// not offered, and anything else (``CheckSetupError`` from the context's helpers) becomes `error`.
public struct ConformanceCheck: Sendable, Identifiable {
    public let id: String
    public let title: String
    public let citation: Citation
    public let category: CheckCategory
    public let levels: [ComplianceLevel]
    public let needs: CheckNeeds
    /// What the check sends, in words.
    public let sends: String
    /// What a conforming server answers, in words.
    public let expects: String
    let body: @Sendable (CheckContext) async throws -> Void

    init(
        _ id: String, _ title: String, cites citation: Citation, category: CheckCategory,
        levels: [ComplianceLevel], needs: CheckNeeds, sends: String, expects: String,
        body: @escaping @Sendable (CheckContext) async throws -> Void
    ) {
        self.id = id
        self.title = title
        self.citation = citation
        self.category = category
        self.levels = levels
        self.needs = needs
        self.sends = sends
        self.expects = expects
        self.body = body
    }
}
