import Synchronization
import Testing
import XMPPClient
import XMPPCore
import XMPPXML
@testable import XMPPExtensions

@Suite("Service discovery (XEP-0030)")
struct ServiceDiscoveryModuleTests {
    @Test("§3.1 Example 2: identities and features are read")
    func readsInfo() throws {
        let iq = try IQ(element: XEPExample.stanza("0030/info-result.xml"))
        let info = try DiscoInfo(element: try #require(iq.payload))
        #expect(info.identities.count == 2)
        #expect(info.identities.first == DiscoIdentity(category: "conference", type: "text", name: "Play-Specific Chatrooms"))
        #expect(info.features.contains("jabber:iq:register"))
        #expect(info.features.count == 7)
        #expect(try DiscoInfo(element: info.element) == info)
    }

    @Test("§4.1 Example 10: items are read")
    func readsItems() throws {
        let iq = try IQ(element: XEPExample.stanza("0030/items-result.xml"))
        let items = try DiscoItem.items(in: try #require(iq.payload))
        #expect(items.count == 8)
        #expect(items.first?.jid == (try JID("people.shakespeare.lit")))
        #expect(items.first?.name == "Directory of Characters")
    }

    @Test("Malformed answers are bad-request, not crashes", arguments: [
        "<query xmlns='http://jabber.org/protocol/disco#info'><identity type='pc'/></query>",
        "<query xmlns='http://jabber.org/protocol/disco#info'><x xmlns='jabber:x:data'/></query>",
        "<query xmlns='http://jabber.org/protocol/disco#items'><item jid='a@b@c'/></query>",
        "<query xmlns='http://jabber.org/protocol/disco#items'><item name='no jid'/></query>",
    ])
    func malformed(xml: String) throws {
        let element = try XEPExample.parse(xml)[0]
        #expect(throws: StanzaError.self) {
            if element.namespace == DiscoInfo.namespace { _ = try DiscoInfo(element: element) } else { _ = try DiscoItem.items(in: element) }
        }
    }

    @Test("§3.1 Example 1: we answer with our identity and every registered module's features")
    func answersWithRegisteredFeatures() async throws {
        let host = try ScriptedModuleHost()
        await host.start(ServiceDiscoveryModule())
        await host.start(EntityCapabilitiesModule())
        try await host.receive(XEPExample.stanza("0030/info-request.xml"))
        let sent = await host.waitForSent(count: 1)
        let reply = try IQ(element: try #require(sent.first))
        #expect(reply.kind == .result)
        #expect(reply.id == "info1")
        #expect(reply.to == (try JID("romeo@montague.net/orchard")))
        let info = try DiscoInfo(element: try #require(reply.payload))
        #expect(info.identities == [.pcClient])
        #expect(info.features == [DiscoInfo.namespace, DiscoItem.namespace, CapabilitiesElement.namespace])
    }

    @Test("A node we do not publish is item-not-found; a set is bad-request")
    func unknownNodeAndSet() async throws {
        let host = try ScriptedModuleHost()
        await host.start(ServiceDiscoveryModule())
        try await host.receive(XEPExample.stanza("0030/info-request-unknown-node.xml"))
        try await host.receive(xml: "<iq type='set' id='s1' from='romeo@montague.net/orchard'><query xmlns='http://jabber.org/protocol/disco#items'/></iq>")
        let sent = await host.waitForSent(count: 2)
        #expect(try IQ(element: sent[0]).error?.condition == .itemNotFound)
        #expect(try IQ(element: sent[1]).error?.condition == .badRequest)
    }

    @Test("Answers are cached for the session and dropped on a new one, not on a resumed one")
    func caching() async throws {
        let counter = Counter()
        let host = try ScriptedModuleHost { request in
            counter.increment()
            return request.makeResult(payload: DiscoInfo(identities: [DiscoIdentity(category: "server", type: "im")], features: ["urn:xmpp:ping"]).element)
        }
        // Registered without a session start: the test drives sessionStarted itself.
        let discovery = await host.register(ServiceDiscoveryModule())
        #expect(try await discovery.serverSupports("urn:xmpp:ping"))
        #expect(try await discovery.serverSupports("urn:xmpp:blocking") == false)
        #expect(counter.value == 1)
        await discovery.sessionStarted(resumed: true)
        _ = try await discovery.serverInfo()
        #expect(counter.value == 1)
        await discovery.sessionStarted(resumed: false)
        _ = try await discovery.serverInfo()
        #expect(counter.value == 2)
        let request = try #require(await host.sentRequests.first)
        #expect(request.to == (try JID("example.com")))
    }

    @Test("services(offering:) finds a feature on the server's items and skips items that fail")
    func servicesOffering() async throws {
        let host = try ScriptedModuleHost { request in
            let payload = try #require(request.payload)
            if payload.namespace == DiscoItem.namespace {
                var query = XMLElement("query", namespace: DiscoItem.namespace)
                query.append(DiscoItem(jid: try JID("upload.example.com")).element)
                query.append(DiscoItem(jid: try JID("broken.example.com")).element)
                return request.makeResult(payload: query)
            }
            switch request.to?.description {
            case "upload.example.com": return request.makeResult(payload: DiscoInfo(features: ["urn:xmpp:http:upload:0"]).element)
            case "broken.example.com": return request.makeError(StanzaError(.remoteServerNotFound))
            default: return request.makeResult(payload: DiscoInfo(features: [DiscoInfo.namespace]).element)
            }
        }
        let discovery = await host.start(ServiceDiscoveryModule())
        let services = try await discovery.services(offering: "urn:xmpp:http:upload:0")
        #expect(services.map(\.jid) == [try JID("upload.example.com")])
    }
}

/// A thread-safe count for responders, which run synchronously inside the host actor.
final class Counter: Sendable {
    private let storage = Mutex(0)
    func increment() { storage.withLock { $0 += 1 } }
    var value: Int { storage.withLock { $0 } }
}
