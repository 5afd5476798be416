/// The verdict on one check.
public enum CheckOutcome: String, Sendable, Hashable, Codable, CaseIterable {
    /// The server did what the cited requirement asks.
    case pass
    /// It did not; the evidence says what was sent, what came back, and what was required.
    case fail
    /// The server does not offer the feature, or the run lacks what the check needs.
    case notApplicable = "not-applicable"
    /// The check could not be carried out (its setup failed, or it timed out).
    case error
}
