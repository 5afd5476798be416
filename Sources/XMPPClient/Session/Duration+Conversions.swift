public import NIOCore

extension Duration {
    /// The duration for NIO APIs, keeping sub-second parts.
    public var timeAmount: TimeAmount {
        .nanoseconds(components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000)
    }

    /// The duration in (fractional) seconds.
    public var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
