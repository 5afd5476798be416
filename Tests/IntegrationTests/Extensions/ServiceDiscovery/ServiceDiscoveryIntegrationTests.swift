import Testing
import XMPPClient
import XMPPCore
import XMPPExtensions
import XMPPXML

@Suite("Service discovery and entity caps against the real servers")
struct ServiceDiscoveryIntegrationTests {
    @Test("The server answers disco#info with a server/im identity (XEP-0030 §3.1)", arguments: ["prosody", "ejabberd"])
    func serverInfo(serverName: String) async throws {
        let server = try Servers.server(serverName)
        let (client, _) = try await TestAccounts.connectedClient(on: server, modules: [ServiceDiscoveryModule()])
        defer { Task { await client.disconnect() } }
        let discovery = try #require(await client.module(ServiceDiscoveryModule.self))
        let info = try await discovery.serverInfo()
        #expect(info.identities.contains { $0.category == "server" && $0.type == "im" })
        #expect(info.features.contains(DiscoInfo.namespace))
        #expect(try await discovery.isSupportedByServer())
        await client.disconnect()
    }

    @Test("Another account's client verifies our caps hash through the server (XEP-0115 §5.4)", arguments: ["prosody", "ejabberd"])
    func capsVerifiedByPeer(serverName: String) async throws {
        let server = try Servers.server(serverName)
        let account = try await TestAccounts.register(on: server)
        // Two resources of one account see each other's presence without any subscription.
        let first = try await TestAccounts.connect(account, on: server, modules: [EntityCapabilitiesModule()], resource: "one")
        let second = try await TestAccounts.connect(account, on: server, modules: [EntityCapabilitiesModule()], resource: "two")
        let secondCaps = try #require(await second.module(EntityCapabilitiesModule.self))
        let events = secondCaps.events
        try await second.send(Presence())
        try await first.send(Presence())
        let firstJID = try #require(await first.boundJID)
        let expectedVer = try await #require(first.module(EntityCapabilitiesModule.self)).currentVer()
        var seen: DiscoInfo?
        for await event in events {
            if case .verified(let jid, let info) = event, jid == firstJID { seen = info; break }
            if case .verificationFailed(let jid, let ver, let reason) = event, jid == firstJID {
                Issue.record("verification of \(ver) failed: \(reason)")
                break
            }
        }
        let info = try #require(seen)
        #expect(info.features.contains(CapabilitiesElement.namespace))
        #expect(try CapabilitiesHash.ver(for: info) == expectedVer)
        #expect(await secondCaps.capabilities(of: firstJID) == info)
        await first.disconnect()
        await second.disconnect()
    }

    @Test("Between two clients: disco#info answers from the registered modules; an unknown payload is service-unavailable (RFC 6120 §8.4)",
          arguments: ["prosody", "ejabberd"])
    func clientToClient(serverName: String) async throws {
        let server = try Servers.server(serverName)
        let account = try await TestAccounts.register(on: server)
        let asker = try await TestAccounts.connect(account, on: server, modules: [ServiceDiscoveryModule()], resource: "asker")
        let answerer = try await TestAccounts.connect(account, on: server, modules: [EntityCapabilitiesModule()], resource: "answerer")
        let target = try #require(await answerer.boundJID)
        let discovery = try #require(await asker.module(ServiceDiscoveryModule.self))
        let info = try await discovery.info(for: target)
        #expect(info.identities == [.pcClient])
        #expect(info.features == [DiscoInfo.namespace, DiscoItem.namespace, CapabilitiesElement.namespace])
        let error = await #expect(throws: StanzaError.self) {
            _ = try await asker.send(IQ(.get, to: target, payload: XMLElement("query", namespace: "urn:xmppkit:test:nobody-handles-this")))
        }
        #expect(error?.condition == .serviceUnavailable)
        await asker.disconnect()
        await answerer.disconnect()
    }
}
