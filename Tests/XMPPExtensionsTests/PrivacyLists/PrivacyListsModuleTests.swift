import Testing
import XMPPClient
import XMPPCore
import XMPPXML
@testable import XMPPExtensions

@Suite("Privacy lists (XEP-0016)")
struct PrivacyListsModuleTests {
    @Test("§2.3 Example 2: names with the active and default lists")
    func names() throws {
        let result = try IQ(element: XEPExample.stanza("0016/names-result.xml"))
        let names = try PrivacyListNames(element: #require(result.payload))
        #expect(names == PrivacyListNames(active: "private", default: "public", names: ["public", "private", "special"]))
        #expect(names.element == BlockingTestXML.trimmed(result.payload))
    }

    @Test("§2.3 Examples 4, 6, 8 and §2.9 Example 30: lists are read and written back unchanged")
    func lists() throws {
        let publicList = try PrivacyList(element: #require(IQ(element: XEPExample.stanza("0016/list-public.xml")).payload?.elements.first))
        #expect(publicList.name == "public")
        #expect(publicList.items == [
            PrivacyItem(.jid(try JID("tybalt@example.com")), action: .deny, order: 1),
            PrivacyItem(.everyone, action: .allow, order: 2),
        ])
        let privateList = try PrivacyList(element: #require(IQ(element: XEPExample.stanza("0016/list-private.xml")).payload?.elements.first))
        #expect(privateList.items.first?.match == .subscription(.both))
        #expect(privateList.items.last == PrivacyItem(.everyone, action: .deny, order: 15))
        let special = try #require(IQ(element: XEPExample.stanza("0016/list-special.xml")).payload?.elements.first)
        let specialList = try PrivacyList(element: special)
        #expect(specialList.items.map(\.order) == [6, 7, 42, 666])
        #expect(specialList.element == BlockingTestXML.trimmed(special))
        let group = try #require(IQ(element: XEPExample.stanza("0016/block-message-group.xml")).payload?.elements.first)
        let groupList = try PrivacyList(element: group)
        #expect(groupList.items == [PrivacyItem(.group("Enemies"), action: .deny, order: 4, stanzas: [.message])])
        #expect(groupList.element == BlockingTestXML.trimmed(group))
        let all = PrivacyItem(.jid(try JID("a@b")), action: .deny, order: 1, stanzas: [.message, .iq, .presenceIn, .presenceOut])
        #expect(try PrivacyItem(element: all.element) == all)
    }

    @Test("Requests match §2.3 Examples 1/3, §2.4 Examples 11/14, §2.5 Examples 16/20, §2.6 Example 23, §2.8 Example 27")
    func requests() async throws {
        let host = try ScriptedModuleHost(jid: "romeo@example.net/orchard") { request in
            if request.kind == .get, request.payload?.elements.isEmpty == true {
                return try IQ(element: XEPExample.stanza("0016/names-result.xml"))
            }
            if request.kind == .get { return try IQ(element: XEPExample.stanza("0016/list-public.xml")) }
            return request.makeResult()
        }
        let privacy = await host.start(PrivacyListsModule())
        #expect(try await privacy.listNames().active == "private")
        #expect(try await privacy.list(named: "public").items.count == 2)
        try await privacy.setActive("special")
        try await privacy.setActive(nil)
        try await privacy.setDefault("special")
        try await privacy.setDefault(nil)
        let edited = try PrivacyList(element: #require(IQ(element: XEPExample.stanza("0016/edit-request.xml")).payload?.elements.first))
        try await privacy.setList(edited)
        try await privacy.removeList(named: "private")
        let sent = await host.sentRequests
        let expected = try ["names-request", "list-request", "active-request", "active-decline", "default-request", "default-decline",
                            "edit-request", "remove-request"].map { try IQ(element: XEPExample.stanza("0016/\($0).xml")) }
        #expect(sent.count == expected.count)
        for (request, example) in zip(sent, expected) {
            #expect(request.kind == example.kind)
            #expect(request.payload == BlockingTestXML.trimmed(example.payload))
        }
    }

    @Test("§2.3 Example 9 and §2.5 Example 18: server errors are thrown as StanzaErrors")
    func errors() async throws {
        let host = try ScriptedModuleHost { request in
            var error = try IQ(element: XEPExample.stanza(request.kind == .get ? "0016/list-not-found.xml" : "0016/default-conflict.xml")).element
            error.setAttribute("id", to: request.id)
            return try IQ(element: error)
        }
        let privacy = await host.start(PrivacyListsModule())
        do {
            _ = try await privacy.list(named: "The Empty Set")
            Issue.record("no error")
        } catch let error as StanzaError { #expect(error.condition == .itemNotFound) }
        do {
            try await privacy.setDefault("special")
            Issue.record("no error")
        } catch let error as StanzaError { #expect(error.condition == .conflict) }
    }

    @Test("Malformed lists are bad-request", arguments: [
        "<list xmlns='jabber:iq:privacy' name='x'><item action='allow' order='1'/><item action='deny' order='1'/></list>",
        "<list xmlns='jabber:iq:privacy' name='x'><item action='block' order='1'/></list>",
        "<list xmlns='jabber:iq:privacy' name='x'><item order='1'/></list>",
        "<list xmlns='jabber:iq:privacy' name='x'><item action='allow'/></list>",
        "<list xmlns='jabber:iq:privacy' name='x'><item action='allow' order='-1'/></list>",
        "<list xmlns='jabber:iq:privacy' name='x'><item action='allow' order='+1'/></list>",
        "<list xmlns='jabber:iq:privacy' name='x'><item action='allow' order='4294967296'/></list>",
        "<list xmlns='jabber:iq:privacy' name='x'><item action='allow' order='one'/></list>",
        "<list xmlns='jabber:iq:privacy' name='x'><item type='role' value='x' action='allow' order='1'/></list>",
        "<list xmlns='jabber:iq:privacy' name='x'><item type='jid' value='a@b@c' action='allow' order='1'/></list>",
        "<list xmlns='jabber:iq:privacy' name='x'><item type='jid' action='allow' order='1'/></list>",
        "<list xmlns='jabber:iq:privacy' name='x'><item type='subscription' value='pending' action='allow' order='1'/></list>",
        "<list xmlns='jabber:iq:privacy' name='x'><item type='group' value='' action='allow' order='1'/></list>",
        "<list xmlns='jabber:iq:privacy' name='x'><item action='deny' order='1'><presence/></item></list>",
        "<list xmlns='jabber:iq:privacy'><item action='deny' order='1'/></list>",
    ])
    func malformed(xml: String) throws {
        let element = try XEPExample.parse(xml)[0]
        #expect(throws: StanzaError.self) { _ = try PrivacyList(element: element) }
    }

    @Test("A list we build with repeated orders or no items is refused before sending")
    func localValidation() async throws {
        #expect(throws: StanzaError.self) {
            _ = try PrivacyList(name: "x", items: [PrivacyItem(.everyone, action: .allow, order: 1), PrivacyItem(.everyone, action: .deny, order: 1)])
        }
        #expect(throws: StanzaError.self) { _ = try PrivacyList(name: "", items: []) }
        let host = try ScriptedModuleHost { $0.makeResult() }
        let privacy = await host.start(PrivacyListsModule())
        await #expect(throws: StanzaError.self) { try await privacy.setList(PrivacyList(name: "empty", items: [])) }
        #expect(await host.sentRequests.isEmpty)
    }

    @Test("§2.6 Examples 25–26: pushes are acknowledged and announced")
    func pushes() async throws {
        let host = try ScriptedModuleHost(jid: "romeo@example.net/orchard")
        let privacy = await host.start(PrivacyListsModule())
        var events = privacy.events.makeAsyncIterator()
        try await host.receive(XEPExample.stanzas("0016/push.xml")[0])
        #expect(await events.next() == .listChanged(name: "public"))
        let reply = try IQ(element: #require(await host.waitForSent(count: 1).first))
        #expect(reply.kind == .result && reply.id == "push1")
    }

    @Test("Pushes from strangers, gets, and malformed pushes are refused", arguments: [
        ("<iq from='mallory@evil.example' type='set' id='h1'><query xmlns='jabber:iq:privacy'><list name='public'/></query></iq>", StanzaError.Condition.serviceUnavailable),
        ("<iq from='romeo@example.net/home' type='set' id='h2'><query xmlns='jabber:iq:privacy'><list name='public'/></query></iq>", .serviceUnavailable),
        ("<iq type='get' id='h3'><query xmlns='jabber:iq:privacy'/></iq>", .serviceUnavailable),
        ("<iq type='set' id='h4'><query xmlns='jabber:iq:privacy'><list name='a'/><list name='b'/></query></iq>", .badRequest),
        ("<iq type='set' id='h5'><query xmlns='jabber:iq:privacy'><active name='a'/></query></iq>", .badRequest),
        ("<iq type='set' id='h6'><query xmlns='jabber:iq:privacy'/></iq>", .badRequest),
        ("<iq type='set' id='h7'><query xmlns='jabber:iq:privacy'><list/></query></iq>", .badRequest),
    ])
    func hostilePushes(xml: String, condition: StanzaError.Condition) async throws {
        let host = try ScriptedModuleHost(jid: "romeo@example.net/orchard")
        await host.start(PrivacyListsModule())
        try await host.receive(xml: xml)
        let reply = try IQ(element: #require(await host.waitForSent(count: 1).first))
        #expect(reply.error?.condition == condition)
    }

    @Test("A 100,000-item list is refused with resource-constraint")
    func hugeList() async throws {
        var list = XMLElement("list", namespace: PrivacyList.namespace, attributes: ["name": "huge"])
        for order in 0..<100_000 {
            list.append(PrivacyItem(.jid(try JID("s\(order)@example.net")), action: .deny, order: UInt32(order)).element)
        }
        var query = XMLElement("query", namespace: PrivacyList.namespace)
        query.append(list)
        let payload = query
        let host = try ScriptedModuleHost { $0.makeResult(payload: payload) }
        let privacy = await host.start(PrivacyListsModule())
        do {
            _ = try await privacy.list(named: "huge")
            Issue.record("a 100k-item list was accepted")
        } catch let error as StanzaError {
            #expect(error.condition == .resourceConstraint)
        }
    }
}
