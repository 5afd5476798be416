/// When and how often to reconnect after an established connection drops: exponential backoff with
/// jitter, so many clients cut off at once do not all return at once.
public struct ReconnectPolicy: Sendable, Hashable {
    public var initialDelay: Duration
    public var maximumDelay: Duration
    public var multiplier: Double
    /// Each delay is drawn from `delay × (1 − jitter) … delay`.
    public var jitter: Double
    /// Attempts before giving up; nil keeps trying.
    public var maximumAttempts: Int?

    public init(initialDelay: Duration = .milliseconds(250), maximumDelay: Duration = .seconds(30), multiplier: Double = 2,
                jitter: Double = 0.5, maximumAttempts: Int? = nil) {
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.multiplier = multiplier
        self.jitter = min(max(jitter, 0), 1)
        self.maximumAttempts = maximumAttempts
    }

    /// The wait before attempt `attempt` (1 for the first retry).
    public func delay(forAttempt attempt: Int, random: Double = Double.random(in: 0...1)) -> Duration {
        let base = initialDelay.inSeconds
        let cap = maximumDelay.inSeconds
        let grown = min(cap, base * pow(multiplier, Double(max(0, attempt - 1))))
        let jittered = grown * (1 - jitter * random)
        return .nanoseconds(Int64(jittered * 1e9))
    }

    private func pow(_ base: Double, _ exponent: Double) -> Double {
        var result = 1.0
        var remaining = Int(exponent)
        while remaining > 0 && result < 1e12 {
            result *= base
            remaining -= 1
        }
        return result
    }
}
