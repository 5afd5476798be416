import Synchronization
import TestSupport
import Testing
import XMPPClient
import XMPPCore
import XMPPXML
import XMPPExtensions

@Suite("Last activity against the real servers (XEP-0012)")
struct LastActivityIntegrationTests {
    private struct Peer {
        var client: XMPPClient
        var account: TestAccounts.Account
        var inbox: PresencePeerInbox
        var jid: JID

        static func connect(on server: ServerEnvironment.Server, prefix: String) async throws -> Peer {
            let (client, account) = try await TestAccounts.connectedClient(on: server, modules: [LastActivityModule()], prefix: prefix)
            let jid = try #require(await client.boundJID)
            return Peer(client: client, account: account, inbox: PresencePeerInbox(client), jid: jid)
        }

        var module: LastActivityModule {
            get async throws { try #require(await client.module(LastActivityModule.self)) }
        }

        var tuple: (client: XMPPClient, jid: JID, inbox: PresencePeerInbox) { (client, jid, inbox) }
    }

    private func condition(_ body: () async throws -> LastActivity) async -> String {
        do {
            let answer = try await body()
            return "result seconds=\(answer.seconds) status=\(answer.status ?? "nil")"
        } catch let error as StanzaError {
            return "error \(error.condition.rawValue)"
        } catch {
            return "failure \(error)"
        }
    }

    @Test("§5: the server answers with its uptime; §6: it advertises jabber:iq:last", arguments: ["prosody", "ejabberd"])
    func serverUptime(serverName: String) async throws {
        let server = try Servers.server(serverName)
        let a = try await Peer.connect(on: server, prefix: "la")
        let module = try await a.module
        #expect(try await module.isSupportedByServer())
        let uptime = try await module.serverUptime()
        print("[last] \(serverName): server uptime \(uptime)")
        #expect(uptime >= .zero)
        await a.client.disconnect()
    }

    @Test("§3: an account's last logout, refused without a subscription, then answered with the status it left",
          arguments: ["prosody", "ejabberd"])
    func accountQuery(serverName: String) async throws {
        let server = try Servers.server(serverName)
        let a = try await Peer.connect(on: server, prefix: "la")
        let b = try await Peer.connect(on: server, prefix: "lb")
        try await a.client.send(Presence())
        try await b.client.send(Presence())
        let bModule = try await b.module

        let stranger = await condition { try await bModule.lastLogout(of: a.jid) }
        print("[last] \(serverName): B asks A's bare JID without a subscription, A online: \(stranger)")
        // §3 says forbidden; ejabberd 23.01 answers subscription-required (still a refusal).
        #expect(stranger == (serverName == "prosody" ? "error forbidden" : "error subscription-required"))

        try await PresencePeers.subscribe(b.tuple, to: a.tuple)
        let online = await condition { try await bModule.lastLogout(of: a.jid) }
        print("[last] \(serverName): B (subscribed) asks A's bare JID while A is online: \(online)")

        try await a.client.send(Presence(.unavailable, status: "Heading Home"))
        _ = await b.inbox.presence(from: a.jid, .unavailable)
        await a.client.disconnect()
        let offline = await condition { try await bModule.lastLogout(of: a.jid) }
        print("[last] \(serverName): B (subscribed) asks A's bare JID after A logged out: \(offline)")
        let answer = try await bModule.lastLogout(of: a.jid)
        #expect(answer.seconds < 3600)
        await b.client.disconnect()
    }

    @Test("§4: a full JID; our client answers its idle time to a subscriber, and nothing to a stranger",
          arguments: ["prosody", "ejabberd"])
    func fullJIDQuery(serverName: String) async throws {
        let server = try Servers.server(serverName)
        let a = try await Peer.connect(on: server, prefix: "la")
        let b = try await Peer.connect(on: server, prefix: "lb")
        try await a.client.send(Presence())
        try await b.client.send(Presence())
        let bModule = try await b.module

        // §4: the server MUST NOT deliver a stranger's query to the client. A policy that records
        // every asker shows whether the server delivered it anyway.
        let aModule = try await a.module
        let askers = LastActivityAskers()
        await aModule.setPolicy(.custom { asker in askers.append(asker); return true })
        let delivered = await condition { try await bModule.lastActivity(of: a.jid) }
        print("[last] \(serverName): B (stranger) asks A's full JID, A answering everyone: \(delivered); reached A's client: \(askers.all)")
        if serverName == "prosody" {
            #expect(askers.all == [b.jid], "Prosody delivers a stranger's query to the client (against §4)")
            #expect(delivered.hasPrefix("result"))
        } else {
            #expect(askers.all.isEmpty, "ejabberd keeps a stranger's query from the client (§4)")
            #expect(delivered == "error service-unavailable")
        }

        // So the client refuses for itself (§8): service-unavailable, as §4 says a client does.
        await aModule.setPolicy(.subscribers)
        let stranger = await condition { try await bModule.lastActivity(of: a.jid) }
        print("[last] \(serverName): B (stranger) asks A's full JID, A answering subscribers: \(stranger)")
        #expect(stranger == "error service-unavailable")

        try await PresencePeers.subscribe(b.tuple, to: a.tuple)
        // A subscriber's query reaches the client on both servers.
        let subscriberAskers = LastActivityAskers()
        await aModule.setPolicy(.custom { asker in subscriberAskers.append(asker); return true })
        _ = try await bModule.lastActivity(of: a.jid)
        #expect(subscriberAskers.all == [b.jid], "the query of a subscriber is delivered to A's client")
        await aModule.setPolicy(.subscribers)

        await aModule.userActivity()
        let subscribed = await condition { try await bModule.lastActivity(of: a.jid) }
        print("[last] \(serverName): B (subscribed) asks A's full JID: \(subscribed)")
        let answer = try await bModule.lastActivity(of: a.jid)
        #expect(answer.seconds < 3600)
        #expect(answer.status == nil)
        await a.client.disconnect()
        await b.client.disconnect()
    }
}

/// The JIDs a last-activity policy was asked about.
final class LastActivityAskers: Sendable {
    private let askers = Mutex<[JID]>([])

    func append(_ jid: JID) { askers.withLock { $0.append(jid) } }
    var all: [JID] { askers.withLock { $0 } }
}
