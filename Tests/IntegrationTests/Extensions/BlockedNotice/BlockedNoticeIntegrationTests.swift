import Testing
import XMPPClient
import XMPPCore
import XMPPExtensions
import XMPPXML

@Suite("Blocked-notice protocol (Specs/blocked-notice.md) between two XMPPKit clients on the real servers")
struct BlockedNoticeIntegrationTests {
    static func blockedMe(_ events: AsyncStream<BlockedNoticeModule.Event>) async -> JID? {
        await BlockingSuiteSupport.first(events) { event -> JID? in
            if case .blockedMe(let jid) = event { return jid }
            return nil
        }
    }

    static func unblockedMe(_ events: AsyncStream<BlockedNoticeModule.Event>) async -> JID? {
        await BlockingSuiteSupport.first(events) { event -> JID? in
            if case .unblockedMe(let jid) = event { return jid }
            return nil
        }
    }

    @Test("Receiver online on two devices: both hear the block and the unblock; the stored set follows (spec §3, §4)",
          arguments: ["prosody", "ejabberd"])
    func online(serverName: String) async throws {
        let server = try Servers.server(serverName)
        let (alice, aliceAccount) = try await TestAccounts.connectedClient(on: server, modules: [BlockedNoticeModule()])
        let bobAccount = try await TestAccounts.register(on: server)
        let phoneModule = BlockedNoticeModule(), tabletModule = BlockedNoticeModule()
        let phone = try await TestAccounts.connect(bobAccount, on: server, modules: [phoneModule], resource: "phone")
        let tablet = try await TestAccounts.connect(bobAccount, on: server, modules: [tabletModule], resource: "tablet")
        try await alice.send(Presence())
        try await phone.send(Presence())
        try await tablet.send(Presence())
        #expect(await phoneModule.usersWhoBlockedMe() == [])
        let notices = try #require(await alice.module(BlockedNoticeModule.self))
        #expect(try await notices.isSupportedByServer())

        let phoneBlocked = phoneModule.events, tabletBlocked = tabletModule.events
        try await notices.block([bobAccount.jid])
        let onPhone = await Self.blockedMe(phoneBlocked)
        let onTablet = await Self.blockedMe(tabletBlocked)
        print("blocked-notice \(serverName): block heard on phone -> \(onPhone?.description ?? "no"), on tablet -> \(onTablet?.description ?? "no")")
        #expect(onPhone == aliceAccount.jid)
        #expect(onTablet == aliceAccount.jid)
        #expect(await phoneModule.usersWhoBlockedMe() == [aliceAccount.jid])
        let blocking = try #require(await alice.module(BlockingModule.self))
        #expect(try await blocking.blocklist(refresh: true) == [bobAccount.jid])

        // The events come after the storage writes: a third device reads the stored set at once.
        let laptopModule = BlockedNoticeModule()
        let laptop = try await TestAccounts.connect(bobAccount, on: server, modules: [laptopModule], resource: "laptop")
        #expect(await laptopModule.usersWhoBlockedMe() == [aliceAccount.jid])
        #expect(try await phoneModule.refresh() == [aliceAccount.jid])

        let phoneUnblocked = phoneModule.events, tabletUnblocked = tabletModule.events
        try await notices.unblock([bobAccount.jid])
        #expect(await Self.unblockedMe(phoneUnblocked) == aliceAccount.jid)
        #expect(await Self.unblockedMe(tabletUnblocked) == aliceAccount.jid)
        #expect(try await blocking.blocklist(refresh: true) == [])
        #expect(try await laptopModule.refresh() == [])
        for client in [alice, phone, tablet, laptop] { await client.disconnect() }
    }

    @Test("Receiver offline at block time: the notice waits in offline storage and is applied at the next login; a second device reads the stored set (spec §4.3)",
          arguments: ["prosody", "ejabberd"])
    func offline(serverName: String) async throws {
        let server = try Servers.server(serverName)
        let (alice, aliceAccount) = try await TestAccounts.connectedClient(on: server, modules: [BlockedNoticeModule()])
        let bobAccount = try await TestAccounts.register(on: server)
        let notices = try #require(await alice.module(BlockedNoticeModule.self))
        try await notices.block([bobAccount.jid])

        let phoneModule = BlockedNoticeModule()
        let phoneEvents = phoneModule.events
        let phone = try await TestAccounts.connect(bobAccount, on: server, modules: [phoneModule], resource: "phone")
        #expect(await phoneModule.usersWhoBlockedMe() == [])
        // Offline messages come after initial presence (RFC 6121 §8.5.2.2.1, XEP-0160 §4).
        try await phone.send(Presence())
        let heard = await Self.blockedMe(phoneEvents)
        print("blocked-notice \(serverName): offline block notice delivered at next login -> \(heard?.description ?? "no")")
        #expect(heard == aliceAccount.jid)
        #expect(await phoneModule.usersWhoBlockedMe() == [aliceAccount.jid])

        let tabletModule = BlockedNoticeModule()
        let tablet = try await TestAccounts.connect(bobAccount, on: server, modules: [tabletModule], resource: "tablet")
        #expect(await tabletModule.usersWhoBlockedMe() == [aliceAccount.jid])
        await phone.disconnect()
        await tablet.disconnect()

        // And back: unblocked while Bob is offline, learnt at his next login.
        try await notices.unblock([bobAccount.jid])
        let againModule = BlockedNoticeModule()
        let againEvents = againModule.events
        let again = try await TestAccounts.connect(bobAccount, on: server, modules: [againModule], resource: "phone")
        #expect(await againModule.usersWhoBlockedMe() == [aliceAccount.jid])
        try await again.send(Presence())
        #expect(await Self.unblockedMe(againEvents) == aliceAccount.jid)
        #expect(await againModule.usersWhoBlockedMe() == [])
        await again.disconnect()
        await alice.disconnect()
    }
}
