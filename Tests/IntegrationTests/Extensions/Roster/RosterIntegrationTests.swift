import Testing
import XMPPClient
import XMPPCore
import XMPPExtensions
import XMPPXML

@Suite("Roster against the real servers (RFC 6121 §2, §2.6)")
struct RosterIntegrationTests {
    @Test("Add (§2.3): the push arrives and the item is kept; update (§2.4); remove (§2.5)", arguments: ["prosody", "ejabberd"])
    func addUpdateRemove(serverName: String) async throws {
        let server = try Servers.server(serverName)
        let alice = try await RosterUser.connect(on: server)
        let bob = try await TestAccounts.register(on: server, prefix: "roster")
        #expect(try await alice.roster.isSupportedByServer())
        #expect(await alice.roster.items.isEmpty)

        try await alice.roster.add(jid: bob.jid, name: "Bob", groups: ["Friends"])
        let added = await alice.push(for: bob.jid) { _ in true }
        #expect(added == RosterItem(jid: bob.jid, name: "Bob", subscription: .none, groups: ["Friends"]))
        #expect(await alice.roster.item(for: bob.jid) == added)

        try await alice.roster.set(RosterItem(jid: bob.jid, name: "Robert", groups: ["Friends", "Work"]))
        let updated = await alice.push(for: bob.jid) { $0.name == "Robert" }
        #expect(Set(updated?.groups ?? []) == ["Friends", "Work"])

        // §2.3.3: a duplicate group never leaves the client.
        await #expect(throws: StanzaError.self) { try await alice.roster.add(jid: bob.jid, groups: ["A", "A"]) }

        try await alice.roster.remove(bob.jid)
        #expect(await alice.removal(of: bob.jid) != nil)
        #expect(await alice.roster.item(for: bob.jid) == nil)

        // §2.5.3: removing an item that is not there is item-not-found. Prosody says so; ejabberd
        // 23.01 answers with a result (and no push), against §2.5.3.
        var missing: StanzaError?
        do { try await alice.roster.remove(bob.jid) } catch let error as StanzaError { missing = error }
        print("[roster] \(serverName): removing an absent item → \(missing.map { "\($0)" } ?? "result")")
        if serverName == "prosody" {
            #expect(missing?.condition == .itemNotFound)
        } else {
            #expect(missing == nil, "ejabberd 23.01 answers result; if this changes, §2.5.3 is met")
        }
        await alice.client.disconnect()
    }

    @Test("Versioning (§2.6): the feature, and a second login with the stored version", arguments: ["prosody", "ejabberd"])
    func versioning(serverName: String) async throws {
        let server = try Servers.server(serverName)
        let first = try await RosterUser.connect(on: server, sendPresence: false)
        let advertised = await first.roster.isVersioningSupported()
        print("[roster] \(serverName): rosterver advertised = \(advertised)")
        #expect(advertised, "both servers' stream features carry <ver xmlns='urn:xmpp:features:rosterver'/>")
        let contact = try JID("friend-\(StanzaID.make().lowercased().prefix(8))@\(server.domain)")
        try await first.roster.add(jid: contact, name: "Friend", groups: ["G"])
        #expect(await first.push(for: contact) { _ in true } != nil)
        let stored = await first.roster.snapshot()
        print("[roster] \(serverName): version after the push = \(stored.version ?? "none")")
        #expect(stored.version != nil)
        await first.client.disconnect()

        // Same roster: the stored version is current.
        let second = try await RosterUser.connect(on: server, account: first.account, snapshot: stored, sendPresence: false)
        let secondLoad = second.rosterEvents.events.first
        guard case .loaded(let items, let version, let unchanged)? = secondLoad else {
            Issue.record("expected .loaded, got \(String(describing: secondLoad))")
            return
        }
        print("[roster] \(serverName): login with the current version → \(unchanged ? "empty result (unchanged)" : "full roster, ver=\(version ?? "none")")")
        #expect(items == stored.items)
        #expect(await second.roster.items == stored.items)

        // Changed while we were away: a second contact added from another session.
        let other = try JID("other-\(StanzaID.make().lowercased().prefix(8))@\(server.domain)")
        try await second.roster.add(jid: other, name: "Other")
        #expect(await second.push(for: other) { _ in true } != nil)
        await second.client.disconnect()

        let third = try await RosterUser.connect(on: server, account: first.account, snapshot: stored, sendPresence: false)
        let thirdLoad = third.rosterEvents.events.first
        if case .loaded(_, let version, let unchanged)? = thirdLoad {
            print("[roster] \(serverName): login with an outdated version → \(unchanged ? "empty result, then pushes" : "full roster, ver=\(version ?? "none")")")
        }
        #expect(await rosterEventually { await third.roster.item(for: other) != nil },
                "the change made since the stored version arrives, by result or interim push")
        #expect(await third.roster.item(for: contact) != nil)
        #expect(await third.roster.version != stored.version)
        await third.client.disconnect()
    }

    @Test("A roster push forged by another user is not delivered as one (§2.1.6)", arguments: ["prosody", "ejabberd"])
    func forgedPush(serverName: String) async throws {
        let server = try Servers.server(serverName)
        let victim = try await RosterUser.connect(on: server)
        let (attacker, _) = try await TestAccounts.connectedClient(on: server, prefix: "roster")
        let bound = try #require(await victim.client.boundJID)
        var query = XMLElement("query", namespace: RosterItem.namespace)
        query.append(RosterItem(jid: try JID("evil@\(server.domain)"), name: "Trusted", subscription: .both).element)
        let before = await victim.roster.snapshot()
        var outcome = "result"
        do {
            _ = try await attacker.send(IQ(.set, to: bound, payload: query))
        } catch let error as StanzaError {
            outcome = "\(error.condition.rawValue)"
        }
        print("[roster] \(serverName): forged push to a full JID → attacker sees \(outcome)")
        #expect(outcome != "result")
        #expect(await victim.roster.snapshot() == before)
        await attacker.disconnect()
        await victim.client.disconnect()
    }
}
