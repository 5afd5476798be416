import Testing
import XMPPClient
import XMPPCore
import XMPPExtensions
import XMPPXML

@Suite("Blocking command (XEP-0191) against the real servers")
struct BlockingIntegrationTests {
    @Test("Blocklist, block, push to the account's other resource, unblock, unblock-all (XEP-0191 §3.2–§3.5)",
          arguments: ["prosody", "ejabberd"])
    func lifecycle(serverName: String) async throws {
        let server = try Servers.server(serverName)
        let account = try await TestAccounts.register(on: server)
        let one = try await TestAccounts.connect(account, on: server, modules: [BlockingModule()], resource: "one")
        let two = try await TestAccounts.connect(account, on: server, modules: [BlockingModule()], resource: "two")
        let first = try #require(await one.module(BlockingModule.self))
        let second = try #require(await two.module(BlockingModule.self))
        #expect(try await first.isSupportedByServer())
        #expect(try await first.blocklist() == [])
        // §3.3: pushes go to the resources that asked for the list.
        #expect(try await second.blocklist() == [])
        let romeo = try JID("romeo@\(server.domain)")
        let iago = try JID("iago@shakespeare.example")

        let blockedEvents = second.events
        let blockedPush = Task { await BlockingSuiteSupport.first(blockedEvents) { event -> [JID]? in
            if case .blocked(let jids) = event { return jids }
            return nil
        } }
        try await first.block([romeo])
        #expect(await blockedPush.value == [romeo])
        #expect(await second.cachedBlocklist == [romeo])
        #expect(try await second.blocklist(refresh: true) == [romeo])

        let unblockedEvents = second.events
        let unblockedPush = Task { await BlockingSuiteSupport.first(unblockedEvents) { event -> [JID]? in
            if case .unblocked(let jids) = event { return jids }
            return nil
        } }
        try await first.unblock([romeo])
        #expect(await unblockedPush.value == [romeo])
        #expect(try await first.blocklist(refresh: true) == [])

        try await first.block([romeo, iago])
        #expect(Set(try await first.blocklist(refresh: true)) == [romeo, iago])
        let allEvents = second.events
        let allPush = Task { await BlockingSuiteSupport.first(allEvents) { $0 == .unblockedAll ? true : nil } }
        try await first.unblockAll()
        #expect(await allPush.value == true)
        #expect(await second.cachedBlocklist == [])
        #expect(try await second.blocklist(refresh: true) == [])
        await one.disconnect()
        await two.disconnect()
    }

    @Test("A blocked user's message to us is refused, and ours to them bounces with <blocked/> (XEP-0191 §3.3)",
          arguments: ["prosody", "ejabberd"])
    func blockedContactMessages(serverName: String) async throws {
        let server = try Servers.server(serverName)
        let (alice, aliceAccount) = try await TestAccounts.connectedClient(on: server, modules: [BlockingModule()])
        let (bob, bobAccount) = try await TestAccounts.connectedClient(on: server)
        try await alice.send(Presence())
        try await bob.send(Presence())
        let blocking = try #require(await alice.module(BlockingModule.self))
        try await blocking.block([bobAccount.jid])
        let aliceLog = BlockingSuiteSupport.MessageLog(alice)
        let bobLog = BlockingSuiteSupport.MessageLog(bob)

        // Bob writes to Alice: what comes back to Bob, and does Alice see anything?
        try await bob.send(Message(.chat, to: aliceAccount.jid, body: "let me in"))
        let bounced = await bobLog.first(within: .seconds(3)) { $0.kind == .error }
        #expect(await aliceLog.first(within: .seconds(1)) { $0.body == "let me in" } == nil, "the server delivered a blocked user's message")
        switch serverName {
        case "prosody":
            // Prosody 0.12 mod_blocklist bounces a chat to the bare JID with service-unavailable.
            #expect(bounced?.error?.condition == .serviceUnavailable)
        default:
            // ejabberd 23.01 (mod_privacy behind mod_blocking) answers service-unavailable too.
            #expect(bounced?.error?.condition == .serviceUnavailable)
        }
        print("XEP-0191 §3.3 \(serverName): message from a blocked user -> \(bounced.map { "\($0.error?.description ?? "error without <error/>")" } ?? "silence")")

        // Alice writes to Bob: her server refuses with not-acceptable (+ <blocked/>, §3.3 MUST).
        let blockingEvents = blocking.events
        let refusal = Task { await BlockingSuiteSupport.first(blockingEvents) { event -> JID?? in
            if case .outboundBlocked(let to, _) = event { return .some(to) }
            return nil
        } }
        try await alice.send(Message(.chat, to: bobAccount.jid, body: "you are blocked"))
        let refused = await refusal.value
        let error = await aliceLog.first { $0.kind == .error }?.error
        print("XEP-0191 §3.3 \(serverName): message to a blocked contact -> \(error?.description ?? "silence"), <blocked/>: \(error?.isBlockedByUs == true)")
        #expect(refused == .some(bobAccount.jid))
        #expect(error?.condition == .notAcceptable)
        // ejabberd 23.01 leaves out the <blocked xmlns='urn:xmpp:blocking:errors'/> §3.3 requires.
        #expect(error?.isBlockedByUs == (serverName == "prosody"))
        await aliceLog.stop()
        await bobLog.stop()
        await alice.disconnect()
        await bob.disconnect()
    }
}
