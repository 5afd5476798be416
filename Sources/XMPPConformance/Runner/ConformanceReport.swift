/// The results of one run, in catalog order, with counts per category and per XEP-0479 level.
public struct ConformanceReport: Sendable {
    /// The server, as the report names it.
    public var target: String
    public var results: [CheckResult]
    public var duration: Duration

    public init(target: String, results: [CheckResult], duration: Duration) {
        self.target = target
        self.results = results
        self.duration = duration
    }

    /// How many checks ended with each outcome.
    public struct Tally: Sendable, Hashable, Encodable {
        public var pass = 0
        public var fail = 0
        public var notApplicable = 0
        public var error = 0

        mutating func add(_ outcome: CheckOutcome) {
            switch outcome {
            case .pass: pass += 1
            case .fail: fail += 1
            case .notApplicable: notApplicable += 1
            case .error: error += 1
            }
        }

        public var total: Int { pass + fail + notApplicable + error }

        enum CodingKeys: String, CodingKey {
            case pass, fail, error, total
            case notApplicable = "not-applicable"
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(pass, forKey: .pass)
            try container.encode(fail, forKey: .fail)
            try container.encode(notApplicable, forKey: .notApplicable)
            try container.encode(error, forKey: .error)
            try container.encode(total, forKey: .total)
        }
    }

    public var total: Tally { tally(results) }

    public func tally(category: CheckCategory) -> Tally { tally(results.filter { $0.check.category == category }) }

    public func tally(level: ComplianceLevel) -> Tally { tally(results.filter { $0.check.levels.contains(level) }) }

    /// True when every check passed or was not applicable (`xmppkit conform` exits 0).
    public var passed: Bool { total.fail == 0 && total.error == 0 }

    private func tally(_ results: [CheckResult]) -> Tally {
        var tally = Tally()
        for result in results { tally.add(result.outcome) }
        return tally
    }
}
