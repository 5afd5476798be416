import Testing
import XMPPClient
import XMPPCore
import XMPPXML
@testable import XMPPExtensions

@Suite("Roster: hostile payloads")
struct RosterHostileTests {
    @Test("A 10,000-item result with invalid items among them: the valid ones load, the rest are skipped")
    func bigResult() async throws {
        var items = ""
        for index in 0..<10_000 { items += "<item jid='contact\(index)@example.com' subscription='both'><group>G\(index % 7)</group></item>" }
        items += "<item jid='a@b@c'/><item name='no jid'/><item jid='x@example.com' subscription='bogus'/><item jid=''/>"
        let payload = items
        let host = try ScriptedModuleHost { request in try RosterXML.result(for: request, payload, ver: "big") }
        let roster = RosterModule()
        await host.register(roster)
        let loaded = try await roster.fetch()
        #expect(loaded.count == 10_000)
        #expect(await roster.item(for: try JID("contact9999@example.com"))?.groups == ["G\(9999 % 7)"])
        #expect(await roster.version == "big")
    }

    @Test("maximumItems bounds what a result and later pushes can make us hold")
    func itemLimit() async throws {
        let host = try ScriptedModuleHost { request in
            try RosterXML.result(for: request, (0..<50).map { "<item jid='c\($0)@example.com'/>" }.joined(), ver: "v")
        }
        let roster = RosterModule(maximumItems: 10)
        let events = ModuleEventRecorder(roster.events)
        await host.start(roster)
        _ = await events.wait(count: 1)
        #expect(await roster.items.count == 10)
        try await host.receive(RosterXML.push("<item jid='one-more@example.com'/>", id: "over", ver: "v2"))
        let reply = try IQ(element: try #require(await host.waitForSent(count: 2).last))
        #expect(reply.error?.condition == .resourceConstraint)
        #expect(await roster.items.count == 10)
        #expect(await roster.version == nil, "the copy no longer matches a server version")
        // Updating an item already held is still fine.
        try await host.receive(RosterXML.push("<item jid='c0@example.com' name='Zero' subscription='both'/>", id: "ok", ver: "v3"))
        let ok = try IQ(element: try #require(await host.waitForSent(count: 3).last))
        #expect(ok.kind == .result)
        #expect(await roster.item(for: try JID("c0@example.com"))?.name == "Zero")
    }

    @Test("Malformed pushes are answered with the typed error and change nothing", arguments: [
        ("<item name='no jid'/>", StanzaError.Condition.badRequest),
        ("<item jid='a@b@c'/>", .jidMalformed),
        ("<item jid='x@example.com' subscription='owner'/>", .badRequest),
        ("<item jid='x@example.com' ask='please'/>", .badRequest),
        ("<item jid='x@example.com'><group>A</group><group>A</group></item>", .badRequest),
        ("<item jid='x@example.com'><group/></item>", .notAcceptable),
        ("<item jid='x@example.com'/><item jid='y@example.com'/>", .badRequest),
        ("", .badRequest),
    ])
    func malformedPush(items: String, condition: StanzaError.Condition) async throws {
        let host = try RosterModuleTests.host()
        let roster = RosterModule()
        await RosterModuleTests.startLoaded(roster, on: host)
        let before = await roster.snapshot()
        let events = ModuleEventRecorder(roster.events)
        try await host.receive(RosterXML.push(items, id: "bad", ver: "evil"))
        let reply = try IQ(element: try #require(await host.waitForSent(count: 2).last))
        #expect(reply.kind == .error && reply.id == "bad")
        #expect(reply.error?.condition == condition)
        #expect(await roster.snapshot() == before)
        #expect(events.events.isEmpty)
    }

    @Test("A result that is not a roster query fails the fetch with bad-request")
    func foreignResult() async throws {
        let host = try ScriptedModuleHost { request in
            request.makeResult(payload: XMLElement("query", namespace: "jabber:iq:private"))
        }
        let roster = RosterModule()
        await host.register(roster)
        let error = await #expect(throws: StanzaError.self) { try await roster.fetch() }
        #expect(error?.condition == .badRequest)
    }

    @Test("A snapshot over the limit is cut to it, without a version to claim")
    func oversizedSnapshot() async throws {
        let items = try (0..<20).map { RosterItem(jid: try JID("c\($0)@example.com")) }
        let roster = RosterModule(snapshot: RosterSnapshot(version: "v", items: items), maximumItems: 5)
        #expect(await roster.items.count == 5)
        #expect(await roster.version == nil)
    }
}
