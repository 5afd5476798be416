import NIOCore
import Testing
@testable import XMPPClient

/// Timeouts keep their sub-second part on the way to NIO (a 500 ms connect timeout once became 0).
@Suite struct DurationConversionTests {
    @Test func subSecondPartsSurvive() {
        #expect(Duration.milliseconds(500).timeAmount == .milliseconds(500))
        #expect(Duration.seconds(2).timeAmount == .seconds(2))
        #expect(Duration.milliseconds(1_250).inSeconds == 1.25)
    }

    @Test func backoffGrowsAndStaysUnderTheCap() {
        let policy = ReconnectPolicy(initialDelay: .milliseconds(250), maximumDelay: .seconds(2), multiplier: 2, jitter: 0)
        #expect(policy.delay(forAttempt: 1, random: 0) == .milliseconds(250))
        #expect(policy.delay(forAttempt: 3, random: 0) == .seconds(1))
        #expect(policy.delay(forAttempt: 10, random: 0) == .seconds(2))
    }
}
