import Synchronization
import Testing
import XMPPClient
import XMPPCore
import XMPPXML
@testable import XMPPExtensions

@Suite("Private XML storage (XEP-0049)")
struct PrivateStorageModuleTests {
    /// A server keeping fragments by (name, namespace), as XEP-0049 §2.3 describes.
    static func server() -> (@Sendable (IQ) throws -> IQ) {
        let store = Mutex<[String: XMLElement]>([:])
        return { request in
            guard let payload = request.payload else { return request.makeError(StanzaError(.badRequest)) }
            let query = try PrivateStorageQuery(element: payload)
            guard let first = query.fragments.first else { return request.makeError(StanzaError(.notAcceptable)) }
            let key = first.name + " " + first.namespace
            if request.kind == .set {
                store.withLock { $0[key] = first }
                return request.makeResult()
            }
            let stored = store.withLock { $0[key] } ?? XMLElement(first.name, namespace: first.namespace)
            return request.makeResult(payload: PrivateStorageQuery([stored]).element)
        }
    }

    @Test("§2.3 Examples 1–2: store and retrieve are the XEP's requests, and the result is read")
    func examples() async throws {
        let result = try IQ(element: XEPExample.stanza("0049/retrieve-result.xml"))
        let host = try ScriptedModuleHost(jid: "hamlet@shakespeare.lit/denmark") { _ in result }
        let storage = await host.start(PrivateStorageModule())
        let stored = try #require(try await storage.retrieve("exodus", namespace: "exodus:prefs"))
        #expect(stored.childText("defaultnick", namespace: "exodus:prefs") == "Hamlet")
        await host.setResponder { $0.makeResult() }
        try await storage.store(BlockingTestXML.trimmed(stored))
        let requests = await host.sentRequests
        #expect(requests[0].kind == .get)
        #expect(requests[0].payload == BlockingTestXML.trimmed(try IQ(element: XEPExample.stanza("0049/retrieve-request.xml")).payload))
        #expect(requests[1].kind == .set)
        #expect(requests[1].payload == BlockingTestXML.trimmed(try IQ(element: XEPExample.stanza("0049/store.xml")).payload))
        #expect(requests.allSatisfy { $0.to == nil })
    }

    @Test("Round trip; nothing stored reads as nil; clear empties")
    func roundTrip() async throws {
        let host = try ScriptedModuleHost(responder: Self.server())
        let storage = await host.start(PrivateStorageModule())
        #expect(try await storage.retrieve("prefs", namespace: "urn:example:prefs") == nil)
        var prefs = XMLElement("prefs", namespace: "urn:example:prefs", attributes: ["theme": "dark"])
        prefs.append(XMLElement("font", namespace: "urn:example:prefs", text: "Menlo"))
        try await storage.store(prefs)
        #expect(try await storage.retrieve("prefs", namespace: "urn:example:prefs") == prefs)
        try await storage.clear("prefs", namespace: "urn:example:prefs")
        #expect(try await storage.retrieve("prefs", namespace: "urn:example:prefs") == nil)
    }

    @Test("§2.3 Example 5: reserved namespaces are refused before sending", arguments: [
        "jabber:client", "jabber:server", "jabber:iq:private", "jabber:iq:roster", "http://jabber.org/protocol/disco#info", "vcard-temp", "",
    ])
    func reserved(namespace: String) async throws {
        let host = try ScriptedModuleHost(responder: Self.server())
        let storage = await host.start(PrivateStorageModule())
        do {
            try await storage.store(XMLElement("data", namespace: namespace))
            Issue.record("stored in reserved namespace '\(namespace)'")
        } catch let error as StanzaError {
            #expect(error.condition == .notAcceptable)
        }
        await #expect(throws: StanzaError.self) { _ = try await storage.retrieve("data", namespace: namespace) }
        #expect(await host.sentRequests.isEmpty)
        #expect(PrivateStorageQuery.isReserved("storage:bookmarks") == false)
        let example = try IQ(element: XEPExample.stanza("0049/reserved-namespace.xml"))
        #expect(try PrivateStorageQuery.isReserved(#require(example.payload?.elements.first).namespace))
    }

    @Test("Malformed results are StanzaErrors", arguments: [
        "<query xmlns='jabber:iq:private'><exodus/></query>",
        "<query xmlns='jabber:iq:private'><query xmlns='jabber:iq:private'/></query>",
        "<vCard xmlns='vcard-temp'/>",
    ])
    func malformed(xml: String) async throws {
        let payload = try XEPExample.parse(xml)[0]
        let host = try ScriptedModuleHost { $0.makeResult(payload: payload) }
        let storage = await host.start(PrivateStorageModule())
        await #expect(throws: StanzaError.self) { _ = try await storage.retrieve("exodus", namespace: "exodus:prefs") }
    }

    @Test("An answer for another fragment, or an empty result, reads as nothing stored")
    func unrelatedAnswer() async throws {
        let payload = try XEPExample.parse("<query xmlns='jabber:iq:private'><other xmlns='urn:other'><x/></other></query>")[0]
        let host = try ScriptedModuleHost { $0.makeResult(payload: payload) }
        let storage = await host.start(PrivateStorageModule())
        #expect(try await storage.retrieve("exodus", namespace: "exodus:prefs") == nil)
        await host.setResponder { $0.makeResult() }
        #expect(try await storage.retrieve("exodus", namespace: "exodus:prefs") == nil)
    }

    @Test("A jabber:iq:private request from anyone is not answered with data (service-unavailable)")
    func inboundRequest() async throws {
        let host = try ScriptedModuleHost()
        await host.start(PrivateStorageModule())
        try await host.receive(xml: "<iq from='mallory@evil.example/x' type='get' id='p1'><query xmlns='jabber:iq:private'><exodus xmlns='exodus:prefs'/></query></iq>")
        let reply = try IQ(element: #require(await host.waitForSent(count: 1).first))
        #expect(reply.error?.condition == .serviceUnavailable)
    }
}
