import Synchronization
import Testing
import XMPPClient
import XMPPCore
import XMPPXML
@testable import XMPPExtensions

/// A monotonic clock the test moves by hand.
final class LastActivityTestClock: Sendable {
    private let start = ContinuousClock.now
    private let offset = Mutex<Duration>(.zero)

    func advance(by duration: Duration) { offset.withLock { $0 += duration } }
    var now: ContinuousClock.Instant { start + offset.withLock { $0 } }
}

@Suite("Last activity module (XEP-0012)")
struct LastActivityModuleTests {
    private func reply(to fixture: String) throws -> @Sendable (IQ) throws -> IQ {
        let answer = try IQ(element: XEPExample.stanza(fixture))
        return { request in
            if answer.kind == .error { return request.makeError(answer.error ?? StanzaError(.undefinedCondition)) }
            return request.makeResult(payload: answer.payload)
        }
    }

    @Test("§3: asking an account (bare JID): seconds since logout and its last status (Examples 3, 5)")
    func offlineQuery() async throws {
        let host = try ScriptedModuleHost(jid: "romeo@montague.net/orchard", responder: try reply(to: "0012/offline-response.xml"))
        let module = await host.start(LastActivityModule())
        let answer = try await module.lastLogout(of: JID("juliet@capulet.com/balcony"))
        #expect(answer == LastActivity(seconds: 903, status: "Heading Home"))
        let sent = try #require(await host.sentRequests.first)
        let expected = try IQ(element: XEPExample.stanza("0012/query.xml"))
        #expect(sent.to == expected.to)
        #expect(sent.kind == .get)
        #expect(sent.payload == expected.payload)
    }

    @Test("§3 Example 4, §4 Examples 7 and 9: forbidden and service-unavailable are thrown as they came")
    func errors() async throws {
        let host = try ScriptedModuleHost(jid: "romeo@montague.net/orchard", responder: try reply(to: "0012/offline-forbidden.xml"))
        let module = await host.start(LastActivityModule())
        var error = await #expect(throws: StanzaError.self) { try await module.lastActivity(of: JID("juliet@capulet.com")) }
        #expect(error?.condition == .forbidden)
        #expect(error?.type == .auth)
        await host.setResponder(try reply(to: "0012/online-service-unavailable.xml"))
        error = await #expect(throws: StanzaError.self) { try await module.lastActivity(of: JID("juliet@capulet.com/balcony")) }
        #expect(error?.condition == .serviceUnavailable)
    }

    @Test("§4 Example 8 and §5 Example 11: idle time of a full JID, uptime of our server")
    func onlineAndServer() async throws {
        let host = try ScriptedModuleHost(jid: "romeo@montague.net/orchard", responder: try reply(to: "0012/online-response.xml"))
        let module = await host.start(LastActivityModule())
        #expect(try await module.lastActivity(of: JID("juliet@capulet.com/balcony")).seconds == 123)
        await host.setResponder(try reply(to: "0012/server-response.xml"))
        #expect(try await module.serverUptime() == .seconds(123_456))
        #expect(await host.sentRequests.last?.to == (try JID("montague.net")))
    }

    @Test("Hostile answers: a missing query, negative, huge or non-numeric seconds are bad-request", arguments: [
        "<iq type='result' id='x'/>",
        "<iq type='result' id='x'><query xmlns='jabber:iq:last'/></iq>",
        "<iq type='result' id='x'><query xmlns='jabber:iq:last' seconds='-5'/></iq>",
        "<iq type='result' id='x'><query xmlns='jabber:iq:last' seconds='340282366920938463463374607431768211456'/></iq>",
        "<iq type='result' id='x'><query xmlns='jabber:iq:last' seconds='soon'/></iq>",
        "<iq type='result' id='x'><query xmlns='jabber:iq:version'/></iq>",
    ])
    func hostileAnswers(xml: String) async throws {
        let answer = try IQ(element: XEPExample.parse(xml)[0])
        let host = try ScriptedModuleHost { request in request.makeResult(payload: answer.payload) }
        let module = await host.start(LastActivityModule())
        let error = await #expect(throws: StanzaError.self) { try await module.lastActivity(of: JID("juliet@capulet.com")) }
        #expect(error?.condition == .badRequest)
    }

    @Test("§4: we answer a subscribed contact with our idle seconds since the last user activity")
    func answersIdleTime() async throws {
        let clock = LastActivityTestClock()
        let host = try ScriptedModuleHost(jid: "juliet@capulet.com/balcony") { request in
            // The roster (RFC 6121 §2.1.3): Romeo may see our presence.
            request.makeResult(payload: try XEPExample.parse("""
                <query xmlns='jabber:iq:roster'><item jid='romeo@montague.net' subscription='both'/>\
                <item jid='tybalt@capulet.com' subscription='to'/><item jid='nurse@capulet.com' subscription='from'/></query>
                """)[0])
        }
        let module = await host.start(LastActivityModule(clock: { clock.now }))
        clock.advance(by: .seconds(100))
        await module.userActivity()
        clock.advance(by: .milliseconds(123_900))
        try await host.receive(XEPExample.stanza("0012/online-query.xml"))
        let sent = await host.waitForSent(count: 2)
        try #require(sent.count == 2)
        let answer = try IQ(element: sent[1])
        #expect(sent[0].name == "iq" && sent[0].child("query", namespace: "jabber:iq:roster") != nil)
        #expect(answer.kind == .result)
        #expect(answer.id == "last2")
        #expect(answer.to == (try JID("romeo@montague.net/orchard")))
        let expected = try IQ(element: XEPExample.stanza("0012/online-response.xml"))
        #expect(answer.payload == expected.payload)
        #expect(await host.advertisedFeatures.contains("jabber:iq:last"))

        // 'from' subscription: answered (the roster is cached, not fetched again).
        try await host.receive(xml: "<iq type='get' id='n1' from='nurse@capulet.com/kitchen'><query xmlns='jabber:iq:last'/></iq>")
        // 'to' only: Tybalt may not see our presence; strangers neither (§8): service-unavailable (§4).
        try await host.receive(xml: "<iq type='get' id='t1' from='tybalt@capulet.com/street'><query xmlns='jabber:iq:last'/></iq>")
        try await host.receive(xml: "<iq type='get' id='s1' from='stranger@evil.example/x'><query xmlns='jabber:iq:last'/></iq>")
        // Our own other resource and our server always may.
        try await host.receive(xml: "<iq type='get' id='o1' from='juliet@capulet.com/chamber'><query xmlns='jabber:iq:last'/></iq>")
        let all = await host.waitForSent(count: 6)
        try #require(all.count == 6)
        let replies = try all.suffix(4).map { try IQ(element: $0) }
        #expect(replies.map(\.id) == ["n1", "t1", "s1", "o1"])
        #expect(replies.map(\.kind) == [.result, .error, .error, .result])
        #expect(replies[1].error?.condition == .serviceUnavailable)
        #expect(replies[2].error?.condition == .serviceUnavailable)
        #expect(await host.sentRequests.count == 1)
    }

    @Test("§8: the user can turn answers off; other policies")
    func policies() async throws {
        let host = try ScriptedModuleHost(jid: "juliet@capulet.com/balcony")
        let module = await host.start(LastActivityModule(policy: .everyone))
        func ask(_ id: String, from: String = "romeo@montague.net/orchard") async throws -> IQ {
            try await host.receive(xml: "<iq type='get' id='\(id)' from='\(from)'><query xmlns='jabber:iq:last'/></iq>")
            // The answer, not a roster request the module may send first to check the subscription.
            for count in (await host.sent.count + 1)... {
                let sent = await host.waitForSent(count: count)
                if let reply = sent.last(where: { $0.attribute("id") == id }) { return try IQ(element: reply) }
                if sent.count < count { throw StanzaError(.remoteServerTimeout, text: "no answer to \(id)") }
            }
            throw StanzaError(.undefinedCondition)
        }
        #expect(try await ask("e1").kind == .result)
        await module.setPolicy(.nobody)
        #expect(try await ask("n1").error?.condition == .serviceUnavailable)
        #expect(try await ask("n2", from: "juliet@capulet.com/chamber").error?.condition == .serviceUnavailable)
        await module.setPolicy(.ownAccount)
        #expect(try await ask("a1").error?.condition == .serviceUnavailable)
        #expect(try await ask("a2", from: "juliet@capulet.com/chamber").kind == .result)
        await module.setPolicy(.custom { $0.localpart == "romeo" })
        #expect(try await ask("c1").kind == .result)
        #expect(try await ask("c2", from: "paris@verona.lit/x").error?.condition == .serviceUnavailable)
        // The roster cannot be read: nobody counts as subscribed (never leak).
        await module.setPolicy(.subscribers)
        #expect(try await ask("s1").error?.condition == .serviceUnavailable)
    }

    @Test("Hostile requests: an IQ set is bad-request; a flood is answered one by one without growth")
    func hostileRequests() async throws {
        let host = try ScriptedModuleHost(jid: "juliet@capulet.com/balcony")
        await host.start(LastActivityModule(policy: .everyone))
        try await host.receive(xml: "<iq type='set' id='s' from='romeo@montague.net/orchard'><query xmlns='jabber:iq:last' seconds='-1'/></iq>")
        let reply = try IQ(element: try #require(await host.waitForSent(count: 1).last))
        #expect(reply.error?.condition == .badRequest)
        for index in 0..<2_000 {
            try await host.receive(xml: "<iq type='get' id='f\(index)' from='u\(index)@flood.example/r'><query xmlns='jabber:iq:last'/></iq>")
        }
        let sent = await host.waitForSent(count: 2_001, timeout: .seconds(60))
        #expect(sent.count == 2_001)
    }

    @Test("Idle seconds never go negative and count whole seconds")
    func idleSeconds() async {
        let clock = LastActivityTestClock()
        let module = LastActivityModule(clock: { clock.now })
        #expect(await module.idleSeconds() == 0)
        clock.advance(by: .milliseconds(2_999))
        #expect(await module.idleSeconds() == 2)
        await module.userActivity()
        #expect(await module.idleSeconds() == 0)
    }
}
