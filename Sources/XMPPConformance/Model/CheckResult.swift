/// What running one check gave.
public struct CheckResult: Sendable {
    public var check: ConformanceCheck
    public var outcome: CheckOutcome
    /// Why: the failed expectation, the missing feature, or the error.
    public var message: String
    /// The exchange that led to the verdict, one line per element sent (`C:`) or received (`S:`).
    public var transcript: [String]
    public var duration: Duration

    public init(check: ConformanceCheck, outcome: CheckOutcome, message: String, transcript: [String], duration: Duration) {
        self.check = check
        self.outcome = outcome
        self.message = message
        self.transcript = transcript
        self.duration = duration
    }
}
