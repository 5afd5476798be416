import Testing
import XMPPClient

@Suite struct ConnectionStateTests {
    @Test func describesEveryState() {
        let states: [ConnectionState] = [.disconnected, .connecting, .connected, .reconnecting(attempt: 2), .authenticationFailed, .connectionFailed]
        #expect(Set(states.map(\.description)).count == states.count)
    }
}
