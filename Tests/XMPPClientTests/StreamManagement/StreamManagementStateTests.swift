import Testing
@testable import XMPPClient
import XMPPXML

/// XEP-0198 counting as a plain value.
@Suite struct StreamManagementStateTests {
    static func stanza(_ n: Int) -> XMLElement { XMLElement("message", namespace: "jabber:client", attributes: ["id": "m\(n)"]) }

    @Test func acknowledgementsDropWhatTheServerHandled() throws {
        var state = StreamManagementState(resumptionID: "id")
        for n in 0..<5 { state.sent(Self.stanza(n)) }
        #expect(try state.acknowledge(3) == 3)
        #expect(state.unacknowledged.map { $0.attribute("id") } == ["m3", "m4"])
        #expect(try state.acknowledge(3) == 0)  // a repeated ack changes nothing
        #expect(throws: StreamManagementState.AckError.self) { try state.acknowledge(6) }
    }

    @Test func resumptionResendsOnlyWhatTheServerMissed() throws {
        var state = StreamManagementState(resumptionID: "id")
        for n in 0..<4 { state.sent(Self.stanza(n)) }
        let resend = try state.stanzasToResend(afterResumedWith: 2)
        #expect(resend.map { $0.attribute("id") } == ["m2", "m3"])
        for stanza in resend { state.sent(stanza) }
        #expect(state.outboundCount == 4)
    }

    @Test func countersWrapAt2To32() throws {
        var state = StreamManagementState(resumptionID: "id")
        for _ in 0..<3 { state.handledInbound() }
        #expect(state.inboundCount == 3)
        // Sending past the wrap: h values near UInt32.max must still line up.
        var wrapped = StreamManagementState(resumptionID: "id")
        wrapped.setOutboundCountForTesting(UInt32.max - 1)
        for n in 0..<4 { wrapped.sent(Self.stanza(n)) }
        #expect(wrapped.outboundCount == 2)
        #expect(try wrapped.acknowledge(1) == 3)
    }
}
