import Testing
import XMPPClient
import XMPPCore
import XMPPExtensions

@Suite("Presence subscriptions against the real servers (RFC 6121 §3)")
struct PresenceSubscriptionIntegrationTests {
    @Test("Two fresh accounts subscribe both ways (§3.1), end at 'both', and removal cancels it (§2.5.2)", arguments: ["prosody", "ejabberd"])
    func subscribeBothWays(serverName: String) async throws {
        let server = try Servers.server(serverName)
        let alice = try await RosterUser.connect(on: server)
        let bob = try await RosterUser.connect(on: server)
        #expect(try await alice.subscriptions.isSupportedByServer())

        // A adds B (§2.3): push seen, item present.
        try await alice.roster.add(jid: bob.jid, name: "Bob")
        #expect(await alice.push(for: bob.jid) { $0.subscription == .none } != nil)
        #expect(await alice.roster.item(for: bob.jid) != nil)

        // A subscribes to B (§3.1.1): A's item shows ask='subscribe' (§3.1.2); B hears the request (§3.1.4).
        try await alice.subscriptions.subscribe(to: bob.jid)
        #expect(await alice.push(for: bob.jid) { $0.ask == .subscribe } != nil)
        let request = await bob.subscriptionEvents.first { event -> JID? in
            if case .subscriptionRequest(let from) = event { return from }
            return nil
        }
        #expect(request == alice.jid)
        #expect(await bob.subscriptions.pendingRequests.contains(alice.jid))

        // B approves (§3.1.5): B's item for A is 'from', A's item for B is 'to' (§3.1.6).
        try await bob.subscriptions.approve(alice.jid)
        #expect(await bob.push(for: alice.jid) { $0.subscription == .from } != nil)
        #expect(await alice.push(for: bob.jid) { $0.subscription == .to && $0.ask == nil } != nil)
        let subscribed = await alice.subscriptionEvents.first { event -> JID? in
            if case .subscribed(let by) = event { return by }
            return nil
        }
        #expect(subscribed == bob.jid)
        // §3.1.6: the contact's available resources' presence follows the approval.
        #expect(await rosterEventually { await alice.subscriptions.book.isAvailable(bob.jid) })

        // The reverse: B subscribes to A, A approves; both end at 'both'.
        try await bob.subscriptions.subscribe(to: alice.jid)
        let reverse = await alice.subscriptionEvents.first { event -> JID? in
            if case .subscriptionRequest(let from) = event { return from }
            return nil
        }
        #expect(reverse == bob.jid)
        try await alice.subscriptions.approve(bob.jid)
        #expect(await alice.push(for: bob.jid) { $0.subscription == .both } != nil)
        #expect(await bob.push(for: alice.jid) { $0.subscription == .both } != nil)
        #expect(await alice.roster.item(for: bob.jid)?.subscription == .both)
        #expect(await bob.roster.item(for: alice.jid)?.subscription == .both)
        #expect(await rosterEventually { await bob.subscriptions.book.isAvailable(alice.jid) })

        // A removes B (§2.5.2): A's item goes; B's item for A loses both directions.
        try await alice.roster.remove(bob.jid)
        #expect(await alice.removal(of: bob.jid) != nil)
        #expect(await bob.push(for: alice.jid) { $0.subscription == .none } != nil)
        let unsubscribe = await bob.subscriptionEvents.first { event -> Bool? in
            if case .unsubscribe(let from) = event, from == alice.jid { return true }
            return nil
        }
        let unsubscribed = await bob.subscriptionEvents.first(timeout: .seconds(3)) { event -> Bool? in
            if case .unsubscribed(let by) = event, by == alice.jid { return true }
            return nil
        }
        print("[subscriptions] \(serverName): after A removes B, B got unsubscribe=\(unsubscribe == true) unsubscribed=\(unsubscribed == true); B's item for A: \(String(describing: await bob.roster.item(for: alice.jid)))")
        #expect(unsubscribe == true)
        #expect(await rosterEventually { await !bob.subscriptions.book.isAvailable(alice.jid) },
                "A's presence is withdrawn from B (§3.2.2 unavailable presence)")
        await alice.client.disconnect()
        await bob.client.disconnect()
    }

    @Test("A denial (§3.1.5 unsubscribed) reaches the requester and leaves no subscription", arguments: ["prosody", "ejabberd"])
    func deny(serverName: String) async throws {
        let server = try Servers.server(serverName)
        let alice = try await RosterUser.connect(on: server)
        let bob = try await RosterUser.connect(on: server)
        try await alice.subscriptions.subscribe(to: bob.jid)
        let request = await bob.subscriptionEvents.first { event -> JID? in
            if case .subscriptionRequest(let from) = event { return from }
            return nil
        }
        #expect(request == alice.jid)
        try await bob.subscriptions.deny(alice.jid)
        let denied = await alice.subscriptionEvents.first { event -> JID? in
            if case .unsubscribed(let by) = event { return by }
            return nil
        }
        #expect(denied == bob.jid)
        #expect(await alice.push(for: bob.jid) { $0.subscription == .none && $0.ask == nil } != nil)
        await alice.client.disconnect()
        await bob.client.disconnect()
    }

    @Test("Pre-approval (§3.4): advertised by Prosody, not by ejabberd", arguments: ["prosody", "ejabberd"])
    func preApproval(serverName: String) async throws {
        let server = try Servers.server(serverName)
        let alice = try await RosterUser.connect(on: server)
        let bob = try await RosterUser.connect(on: server)
        let supported = await alice.subscriptions.isPreApprovalSupported()
        print("[subscriptions] \(serverName): pre-approval advertised = \(supported)")
        #expect(supported == (serverName == "prosody"))
        guard supported else {
            let error = await #expect(throws: StanzaError.self) { try await alice.subscriptions.preApprove(bob.jid) }
            #expect(error?.condition == .featureNotImplemented)
            await alice.client.disconnect()
            await bob.client.disconnect()
            return
        }
        try await alice.subscriptions.preApprove(bob.jid)
        let approvedPush = await alice.rosterEvents.first(timeout: .seconds(3)) { event -> RosterItem? in
            if case .itemChanged(_, let new) = event, new.jid == bob.jid { return new }
            return nil
        }
        print("[subscriptions] \(serverName): push after pre-approving a contact not in the roster: \(approvedPush.map { "\($0.element)" } ?? "none")")
        // §3.4.2 creates the item and pushes it; Prosody 0.12 pushes it without approved='true'.
        #expect(approvedPush != nil)
        // B asks; A's server approves on A's behalf (§3.1.3), so A is never asked.
        try await bob.subscriptions.subscribe(to: alice.jid)
        #expect(await bob.push(for: alice.jid) { $0.subscription == .to } != nil)
        #expect(await alice.push(for: bob.jid) { $0.subscription == .from } != nil)
        #expect(!alice.subscriptionEvents.events.contains(.subscriptionRequest(from: bob.jid)))
        await alice.client.disconnect()
        await bob.client.disconnect()
    }
}
