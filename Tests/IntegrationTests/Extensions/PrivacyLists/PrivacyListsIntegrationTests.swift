import Testing
import XMPPClient
import XMPPCore
import XMPPExtensions
import XMPPXML

@Suite("Privacy lists (XEP-0016) against the real servers")
struct PrivacyListsIntegrationTests {
    @Test("ejabberd: set, read, activate, make default, decline, push to the other resource, remove (XEP-0016 §2.3–§2.8)")
    func ejabberd() async throws {
        let server = try Servers.server("ejabberd")
        let account = try await TestAccounts.register(on: server)
        let one = try await TestAccounts.connect(account, on: server, modules: [PrivacyListsModule()], resource: "one")
        let two = try await TestAccounts.connect(account, on: server, modules: [PrivacyListsModule()], resource: "two")
        let privacy = try #require(await one.module(PrivacyListsModule.self))
        let other = try #require(await two.module(PrivacyListsModule.self))
        #expect(try await privacy.isSupportedByServer())
        let initial = try await privacy.listNames()
        print("XEP-0016 ejabberd: a fresh account's lists -> active \(initial.active ?? "none"), default \(initial.default ?? "none"), names \(initial.names)")

        let list = try PrivacyList(name: "xmppkit-test", items: [
            PrivacyItem(.jid(try JID("tybalt@\(server.domain)")), action: .deny, order: 1),
            PrivacyItem(.group("Enemies"), action: .deny, order: 2, stanzas: [.message, .presenceIn]),
            PrivacyItem(.subscription(.none), action: .deny, order: 3, stanzas: [.iq]),
            PrivacyItem(.everyone, action: .allow, order: 4),
        ])
        let pushEvents = other.events
        let push = Task { await BlockingSuiteSupport.first(pushEvents) { event -> String? in
            if case .listChanged(let name) = event { return name }
            return nil
        } }
        try await privacy.setList(list)
        #expect(await push.value == "xmppkit-test")
        let read = try await privacy.list(named: "xmppkit-test")
        #expect(read.items.map(\.order) == [1, 2, 3, 4])
        #expect(read.items.map(\.match) == list.items.map(\.match))
        #expect(read.items.map(\.action) == list.items.map(\.action))
        #expect(read.items.map(\.stanzas) == list.items.map(\.stanzas))

        try await privacy.setActive("xmppkit-test")
        try await privacy.setDefault("xmppkit-test")
        var names = try await privacy.listNames()
        #expect(names.active == "xmppkit-test")
        #expect(names.default == "xmppkit-test")
        #expect(names.names.contains("xmppkit-test"))
        try await privacy.setActive(nil)
        try await privacy.setDefault(nil)
        names = try await privacy.listNames()
        #expect(names.active == nil)
        #expect(names.default == nil)

        do {
            _ = try await privacy.list(named: "no such list")
            Issue.record("a missing list was returned")
        } catch let error as StanzaError {
            #expect(error.condition == .itemNotFound)
        }
        try await privacy.removeList(named: "xmppkit-test")
        #expect(try await privacy.listNames().names.contains("xmppkit-test") == false)
        await one.disconnect()
        await two.disconnect()
    }

    @Test("Prosody 0.12 has no privacy lists: not advertised, and a request fails with the server's error")
    func prosody() async throws {
        let server = try Servers.server("prosody")
        let (client, _) = try await TestAccounts.connectedClient(on: server, modules: [PrivacyListsModule()])
        let privacy = try #require(await client.module(PrivacyListsModule.self))
        #expect(try await privacy.isSupportedByServer() == false)
        do {
            _ = try await privacy.listNames()
            Issue.record("Prosody answered a privacy-list request")
        } catch let error as StanzaError {
            print("XEP-0016 prosody: list names request -> \(error)")
            #expect(error.condition == .serviceUnavailable)
        }
        await client.disconnect()
    }
}
