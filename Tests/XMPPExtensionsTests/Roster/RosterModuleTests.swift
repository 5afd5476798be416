import Testing
import XMPPClient
import XMPPCore
import XMPPXML
@testable import XMPPExtensions

@Suite("Roster module (RFC 6121 §2)")
struct RosterModuleTests {
    /// A host whose server answers a roster get with RFC 6121 §2.2's result and a set with an empty result.
    static func host(jid: String = "juliet@example.com/balcony") throws -> ScriptedModuleHost {
        try ScriptedModuleHost(jid: jid) { request in
            if request.kind == .get {
                let fixture = try IQ(element: XEPExample.stanza("rfc6121/roster-result.xml"))
                return request.makeResult(payload: fixture.payload)
            }
            return request.makeResult()
        }
    }

    /// Starts `roster` on `host` and waits for its first fetch to be applied.
    static func startLoaded(_ roster: RosterModule, on host: ScriptedModuleHost) async {
        let events = ModuleEventRecorder(roster.events)
        await host.start(roster)
        _ = await events.wait(count: 1)
    }

    @Test("§2.2: the roster is fetched when the session starts, and kept")
    func fetchesOnSessionStart() async throws {
        let host = try Self.host()
        let roster = RosterModule()
        let events = ModuleEventRecorder(roster.events)
        await host.start(roster)
        let loaded = await events.wait(count: 1)
        let expectedGet = try IQ(element: XEPExample.stanza("rfc6121/roster-get.xml"))
        let sentGet = try #require(await host.sentRequests.first)
        #expect(sentGet.kind == .get)
        #expect(sentGet.payload == expectedGet.payload?.withoutIndentation)  // no 'ver': the server offers no versioning
        guard case .loaded(let items, let version, let unchanged)? = loaded.first else {
            Issue.record("expected .loaded, got \(loaded)")
            return
        }
        #expect(items.count == 3 && version == "ver11" && !unchanged)
        #expect(await roster.isLoaded)
        #expect(await roster.version == "ver11")
        #expect(await roster.item(for: try JID("romeo@example.net/orchard"))?.groups == ["Friends"])
        #expect(await roster.item(for: try JID("nurse@example.com")) == nil)
    }

    @Test("A resumed session (XEP-0198) fetches nothing: the server kept our state")
    func resumedSessionDoesNotFetch() async throws {
        let host = try Self.host()
        let roster = RosterModule()
        await host.register(roster)
        await host.startSession(resumed: true)
        // Drive one push through the mailbox: its reply proves the session-start input was handled.
        try await host.receive(XEPExample.stanza("rfc6121/add-push.xml"))
        let sent = await host.waitForSent(count: 1)
        #expect(await host.sentRequests.isEmpty)
        #expect(sent.count == 1 && sent.first?.attribute("type") == "result")
        #expect(await !roster.isLoaded)
    }

    @Test("§2.3: add sends §2.3.1's set; the push (§2.3.2) adds the item and is answered with a result")
    func addThenPush() async throws {
        let host = try Self.host()
        let roster = RosterModule()
        await Self.startLoaded(roster, on: host)
        let events = ModuleEventRecorder(roster.events)
        try await roster.add(jid: try JID("nurse@example.com"), name: "Nurse", groups: ["Servants"])
        let set = try #require(await host.sentRequests.last)
        let expected = try IQ(element: XEPExample.stanza("rfc6121/add-set.xml"))
        #expect(set.kind == .set)
        #expect(set.payload == expected.payload?.withoutIndentation)
        #expect(await roster.item(for: try JID("nurse@example.com")) == nil, "the local copy changes only with the push")

        let before = await host.sent.count
        try await host.receive(XEPExample.stanza("rfc6121/add-push.xml"))
        let sent = await host.waitForSent(count: before + 1)
        let reply = try IQ(element: try #require(sent.last))
        let expectedReply = try IQ(element: XEPExample.stanza("rfc6121/add-push-result.xml"))
        #expect(reply.kind == .result && reply.id == expectedReply.id && reply.payload == nil)
        let nurse = RosterItem(jid: try JID("nurse@example.com"), name: "Nurse", subscription: .none, groups: ["Servants"])
        #expect(await roster.item(for: try JID("nurse@example.com")) == nurse)
        #expect(await roster.version == "ver13")
        #expect(await events.wait(count: 1).contains(.itemChanged(old: nil, new: nurse)))
    }

    @Test("§2.4: an update push replaces the item and reports old and new")
    func updatePush() async throws {
        let host = try Self.host()
        let roster = RosterModule()
        await Self.startLoaded(roster, on: host)
        let events = ModuleEventRecorder(roster.events)
        let romeo = try JID("romeo@example.net")
        let old = try #require(await roster.item(for: romeo))
        try await roster.set(RosterItem(jid: romeo, name: "Romeo", groups: ["Friends", "Lovers"]))
        let expectedSet = try IQ(element: XEPExample.stanza("rfc6121/update-set.xml"))
        #expect(await host.sentRequests.last?.payload == expectedSet.payload?.withoutIndentation)
        try await host.receive(XEPExample.stanza("rfc6121/update-push.xml"))
        _ = await host.waitForSent(count: 3)
        let new = RosterItem(jid: romeo, name: "Romeo", subscription: .both, groups: ["Friends", "Lovers"])
        #expect(await roster.item(for: romeo) == new)
        #expect(await events.wait(count: 1) == [.itemChanged(old: old, new: new)])
    }

    @Test("§2.5: remove sends subscription='remove'; the push removes the item")
    func removeThenPush() async throws {
        let host = try Self.host()
        let roster = RosterModule()
        await Self.startLoaded(roster, on: host)
        try await host.receive(XEPExample.stanza("rfc6121/add-push.xml"))
        _ = await host.waitForSent(count: 2)
        let nurse = try #require(await roster.item(for: try JID("nurse@example.com")))
        let events = ModuleEventRecorder(roster.events)
        try await roster.remove(try JID("nurse@example.com"))
        let expectedSet = try IQ(element: XEPExample.stanza("rfc6121/delete-set.xml"))
        #expect(await host.sentRequests.last?.payload == expectedSet.payload?.withoutIndentation)
        try await host.receive(XEPExample.stanza("rfc6121/delete-push.xml"))
        _ = await host.waitForSent(count: 4)
        #expect(await roster.item(for: try JID("nurse@example.com")) == nil)
        #expect(await roster.version == "ver17")
        #expect(await events.wait(count: 1) == [.itemRemoved(nurse)])
    }

    @Test("§2.1.6 rule 2: a push from our bare JID is accepted like one without 'from'")
    func pushFromOurBareJID() async throws {
        let host = try Self.host()
        let roster = RosterModule()
        await Self.startLoaded(roster, on: host)
        try await host.receive(xml: """
            <iq from='juliet@example.com' type='set' id='p1'><query xmlns='jabber:iq:roster'>
              <item jid='tybalt@example.com' subscription='none'/></query></iq>
            """)
        let reply = try IQ(element: try #require(await host.waitForSent(count: 2).last))
        #expect(reply.kind == .result && reply.id == "p1")
        #expect(await roster.item(for: try JID("tybalt@example.com")) != nil)
    }

    @Test("§2.1.6 rule 2: a push from anyone else is ignored (no change, no event) and answered service-unavailable (RFC 6120 §8.4)",
          arguments: ["rfc6121/push-from-stranger.xml", nil])
    func pushFromStranger(fixture: String?) async throws {
        let host = try Self.host()
        let roster = RosterModule()
        await Self.startLoaded(roster, on: host)
        let before = await roster.snapshot()
        let events = ModuleEventRecorder(roster.events)
        let push: XMLElement
        if let fixture {
            push = try XEPExample.stanza(fixture)
        } else {
            // Our own full JID is not our bare JID either; nor is our server's domain.
            push = try XEPExample.parse("""
                <iq from='juliet@example.com/chamber' type='set' id='evil1'><query xmlns='jabber:iq:roster'>
                  <item jid='mercutio@example.com' subscription='remove'/></query></iq>
                """)[0]
        }
        try await host.receive(push)
        let reply = try IQ(element: try #require(await host.waitForSent(count: 2).last))
        #expect(reply.kind == .error)
        #expect(reply.error?.condition == .serviceUnavailable)
        #expect(reply.id == "evil1")
        #expect(await roster.snapshot() == before)
        #expect(events.events.isEmpty)
        // And from the server's domain:
        try await host.receive(xml: """
            <iq from='example.com' type='set' id='evil2'><query xmlns='jabber:iq:roster'>
              <item jid='mercutio@example.com' subscription='remove'/></query></iq>
            """)
        let second = try IQ(element: try #require(await host.waitForSent(count: 3).last))
        #expect(second.error?.condition == .serviceUnavailable)
        #expect(await roster.snapshot() == before)
    }

    @Test("A roster get addressed to us is service-unavailable: a client serves no roster")
    func getIsRefused() async throws {
        let host = try Self.host()
        await Self.startLoaded(RosterModule(), on: host)
        try await host.receive(XEPExample.stanza("rfc6121/roster-get.xml"))
        let reply = try IQ(element: try #require(await host.waitForSent(count: 2).last))
        #expect(reply.error?.condition == .serviceUnavailable)
    }

    @Test("Groups §2.3.3 forbids are refused before anything is sent")
    func invalidGroupsNotSent() async throws {
        let host = try Self.host()
        let roster = RosterModule()
        await Self.startLoaded(roster, on: host)
        let jid = try JID("nurse@example.com")
        await #expect(throws: StanzaError.self) { try await roster.add(jid: jid, groups: ["A", "A"]) }
        await #expect(throws: StanzaError.self) { try await roster.add(jid: jid, groups: [""]) }
        #expect(await host.sentRequests.count == 1)
    }

    @Test("A failed fetch is reported as an event, and the error reply surfaces from fetch()")
    func fetchFailure() async throws {
        let host = try ScriptedModuleHost { $0.makeError(StanzaError(.serviceUnavailable)) }
        let roster = RosterModule()
        let events = ModuleEventRecorder(roster.events)
        await host.start(roster)
        guard case .fetchFailed? = await events.wait(count: 1).first else {
            Issue.record("expected .fetchFailed")
            return
        }
        let error = await #expect(throws: StanzaError.self) { try await roster.fetch() }
        #expect(error?.condition == .serviceUnavailable)
        #expect(try await !roster.isSupportedByServer())
    }

    @Test("isSupportedByServer: a fetched roster says yes; an unattached module throws")
    func featureDetection() async throws {
        let host = try Self.host()
        let roster = RosterModule()
        await Self.startLoaded(roster, on: host)
        #expect(try await roster.isSupportedByServer())
        await #expect(throws: (any Error).self) { try await RosterModule().isSupportedByServer() }
    }
}
