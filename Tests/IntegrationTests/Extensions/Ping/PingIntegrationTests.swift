import Testing
import XMPPClient
import XMPPCore
import XMPPExtensions
import XMPPXML

@Suite("XMPP Ping (XEP-0199) against the real servers")
struct PingIntegrationTests {
    @Test("We ping the server (§4.2), our own full JID (§4.4, answered by our module) and another client", arguments: ["prosody", "ejabberd"])
    func pings(serverName: String) async throws {
        let server = try Servers.server(serverName)
        let account = try await TestAccounts.register(on: server)
        let one = try await TestAccounts.connect(account, on: server, modules: [PingModule()], resource: "one")
        let two = try await TestAccounts.connect(account, on: server, modules: [PingModule()], resource: "two")
        let ping = try #require(await one.module(PingModule.self))
        #expect(try await ping.isSupportedByServer())
        #expect(try await ping.ping() >= .zero)
        let me = try #require(await one.boundJID)
        #expect(try await ping.ping(me) >= .zero)
        let sibling = try #require(await two.boundJID)
        #expect(try await ping.ping(sibling) >= .zero)
        // §4.4 note: a bare JID is answered by the server on the account's behalf.
        #expect(try await ping.ping(account.jid) >= .zero)
        // §7: a full JID with no session is service-unavailable from the server.
        do {
            _ = try await ping.ping(account.jid.withResource("gone"))
            Issue.record("a ping to a resource that is not connected was answered")
        } catch let error as StanzaError {
            #expect(error.condition == .serviceUnavailable)
        }
        await one.disconnect()
        await two.disconnect()
    }

    @Test("The keepalive pings the server while connected and stops on disconnect", arguments: ["prosody", "ejabberd"])
    func keepalive(serverName: String) async throws {
        let server = try Servers.server(serverName)
        let module = PingModule(keepaliveInterval: .milliseconds(200))
        let events = module.events
        let (client, _) = try await TestAccounts.connectedClient(on: server, modules: [module])
        let answered = await BlockingSuiteSupport.first(events) { event -> Duration? in
            if case .keepaliveAnswered(let roundTrip) = event { return roundTrip }
            return nil
        }
        #expect(answered != nil)
        await client.disconnect()
        // sessionEnded reaches the module through its mailbox; allow it a moment.
        for _ in 0..<100 where await module.isKeepaliveRunning { try await Task.sleep(for: .milliseconds(20)) }
        #expect(await module.isKeepaliveRunning == false)
    }
}
