import Synchronization
import Testing
import XMPPClient
import XMPPCore
import XMPPXML
@testable import XMPPExtensions

@Suite("XMPP Ping (XEP-0199)")
struct PingModuleTests {
    @Test("§4.1 Examples 1–2 and §4.4 Examples 10–11: pings are answered with an empty result")
    func answers() async throws {
        let host = try ScriptedModuleHost(jid: "juliet@capulet.lit/balcony")
        await host.start(PingModule())
        try await host.receive(XEPExample.stanza("0199/server-ping.xml"))
        try await host.receive(XEPExample.stanza("0199/e2e-ping.xml"))
        let sent = try await host.waitForSent(count: 2).map { try IQ(element: $0) }
        let serverPong = try IQ(element: XEPExample.stanza("0199/server-pong.xml"))
        #expect(sent[0].kind == .result && sent[0].id == serverPong.id && sent[0].to == serverPong.to && sent[0].payload == nil)
        let e2ePong = try IQ(element: XEPExample.stanza("0199/e2e-pong.xml"))
        #expect(sent[1].kind == .result && sent[1].id == e2ePong.id && sent[1].to == e2ePong.to && sent[1].payload == nil)
    }

    @Test("A ping set is bad-request; our features say urn:xmpp:ping (§5)")
    func pingSet() async throws {
        let host = try ScriptedModuleHost()
        let ping = await host.start(PingModule())
        try await host.receive(xml: "<iq from='capulet.lit' type='set' id='s1'><ping xmlns='urn:xmpp:ping'/></iq>")
        let reply = try IQ(element: #require(await host.waitForSent(count: 1).first))
        #expect(reply.error?.condition == .badRequest)
        #expect(ping.features == ["urn:xmpp:ping"])
        #expect(await host.advertisedFeatures.contains("urn:xmpp:ping"))
    }

    @Test("§4.2 Example 4: ping() pings our server and measures the round trip; a JID is pinged as given")
    func pingsServer() async throws {
        let host = try ScriptedModuleHost(jid: "juliet@capulet.lit/balcony") { $0.makeResult() }
        let ping = await host.start(PingModule())
        let roundTrip = try await ping.ping()
        #expect(roundTrip >= .zero)
        _ = try await ping.ping(JID("romeo@montague.lit/home"))
        let requests = await host.sentRequests
        let example = try IQ(element: XEPExample.stanza("0199/client-ping.xml"))
        #expect(requests[0].to == example.to)
        #expect(requests[0].kind == .get && requests[0].payload == example.payload)
        #expect(requests[1].to == (try JID("romeo@montague.lit/home")))
    }

    @Test("§4.4 Example 12: an error reply is thrown as the StanzaError")
    func errorReply() async throws {
        let host = try ScriptedModuleHost { $0.makeError(StanzaError(.serviceUnavailable)) }
        let ping = await host.start(PingModule())
        await #expect(throws: StanzaError.self) { _ = try await ping.ping(JID("romeo@montague.lit/home")) }
    }

    @Test("The keepalive pings the server while the session lasts and stops when it ends")
    func keepalive() async throws {
        let count = Mutex(0)
        let host = try ScriptedModuleHost { request in
            count.withLock { $0 += 1 }
            return request.makeResult()
        }
        let ping = await host.start(PingModule(keepaliveInterval: .milliseconds(20)))
        var events = ping.events.makeAsyncIterator()
        guard case .keepaliveAnswered? = await events.next() else { Issue.record("no keepalive answer"); return }
        guard case .keepaliveAnswered? = await events.next() else { Issue.record("no second keepalive answer"); return }
        #expect(await ping.isKeepaliveRunning)
        await ping.sessionEnded()
        #expect(await ping.isKeepaliveRunning == false)
        let stopped = count.withLock { $0 }
        try await Task.sleep(for: .milliseconds(100))
        // At most one tick already past its sleep may still land.
        #expect(count.withLock { $0 } <= stopped + 1)
        await ping.sessionStarted(resumed: false)
        #expect(await ping.isKeepaliveRunning)
        await ping.setKeepalive(every: nil)
        #expect(await ping.isKeepaliveRunning == false)
    }

    @Test("A failing keepalive reports the failure")
    func keepaliveFailure() async throws {
        let host = try ScriptedModuleHost { $0.makeError(StanzaError(.remoteServerTimeout)) }
        let ping = await host.start(PingModule())
        var events = ping.events.makeAsyncIterator()
        await ping.setKeepalive(every: .milliseconds(10))
        guard case .keepaliveFailed(let reason)? = await events.next() else { Issue.record("no failure event"); return }
        #expect(reason.contains("remote-server-timeout"))
        await ping.sessionEnded()
    }
}
