import Testing
import XMPPClient
import XMPPCore
import XMPPExtensions
import XMPPXML

@Suite("Private XML storage (XEP-0049) against the real servers")
struct PrivateStorageIntegrationTests {
    @Test("Store, retrieve from another resource, replace, clear (XEP-0049 §2.3)", arguments: ["prosody", "ejabberd"])
    func roundTrip(serverName: String) async throws {
        let server = try Servers.server(serverName)
        let account = try await TestAccounts.register(on: server)
        let one = try await TestAccounts.connect(account, on: server, modules: [PrivateStorageModule()], resource: "one")
        let storage = try #require(await one.module(PrivateStorageModule.self))
        #expect(try await storage.isSupportedByServer())
        #expect(try await storage.retrieve("prefs", namespace: "urn:xmppkit:test:prefs") == nil)
        var prefs = XMLElement("prefs", namespace: "urn:xmppkit:test:prefs", attributes: ["theme": "dark"])
        prefs.append(XMLElement("font", namespace: "urn:xmppkit:test:prefs", text: "Menlo ünïcødé"))
        try await storage.store(prefs)

        let two = try await TestAccounts.connect(account, on: server, modules: [PrivateStorageModule()], resource: "two")
        let other = try #require(await two.module(PrivateStorageModule.self))
        #expect(try await other.retrieve("prefs", namespace: "urn:xmppkit:test:prefs") == prefs)
        // Another fragment in another namespace is kept apart.
        try await other.store(XMLElement("notes", namespace: "urn:xmppkit:test:notes", text: "n"))
        let replaced = XMLElement("prefs", namespace: "urn:xmppkit:test:prefs", attributes: ["theme": "light"], text: "v2")
        try await other.store(replaced)
        #expect(try await storage.retrieve("prefs", namespace: "urn:xmppkit:test:prefs") == replaced)
        // A fragment without children: ejabberd keeps its attributes, Prosody 0.12 takes it as a removal.
        let bare = XMLElement("flags", namespace: "urn:xmppkit:test:flags", attributes: ["on": "yes"])
        try await storage.store(bare)
        let flags = try await other.retrieve("flags", namespace: "urn:xmppkit:test:flags")
        print("XEP-0049 \(serverName): a childless fragment with attributes reads back as \(flags?.description ?? "nothing")")
        #expect(flags == (serverName == "ejabberd" ? bare : nil))
        #expect(try await storage.retrieve("notes", namespace: "urn:xmppkit:test:notes")?.text == "n")
        try await storage.clear("prefs", namespace: "urn:xmppkit:test:prefs")
        #expect(try await other.retrieve("prefs", namespace: "urn:xmppkit:test:prefs") == nil)
        await #expect(throws: StanzaError.self) { try await storage.store(XMLElement("x", namespace: "jabber:client")) }
        await one.disconnect()
        await two.disconnect()
    }

    @Test("What the server says to a reserved namespace and to another user's storage (XEP-0049 §2.3)", arguments: ["prosody", "ejabberd"])
    func serverRefusals(serverName: String) async throws {
        let server = try Servers.server(serverName)
        let (client, _) = try await TestAccounts.connectedClient(on: server)
        let other = try await TestAccounts.register(on: server)
        // Sent raw: the module refuses these before they leave.
        var vcard = XMLElement("query", namespace: "jabber:iq:private")
        vcard.append(XMLElement("vCard", namespace: "vcard-temp"))
        var reserved: String
        do {
            _ = try await client.send(IQ(.set, payload: vcard))
            reserved = "accepted"
        } catch let error as StanzaError { reserved = error.condition.rawValue }
        var query = XMLElement("query", namespace: "jabber:iq:private")
        query.append(XMLElement("prefs", namespace: "urn:xmppkit:test:prefs"))
        var foreign: String
        do {
            _ = try await client.send(IQ(.get, to: other.jid, payload: query))
            foreign = "answered"
        } catch let error as StanzaError { foreign = error.condition.rawValue }
        print("XEP-0049 \(serverName): set in vcard-temp -> \(reserved); get of another user's storage -> \(foreign)")
        // §4: never another user's data.
        #expect(foreign != "answered")
        await client.disconnect()
    }
}
