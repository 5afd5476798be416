import Testing
import XMPPCore
import XMPPXML

@Suite struct StanzaTests {
    static func element(_ xml: String) throws -> XMLElement {
        // Parsed inside a jabber:client stream, as stanzas arrive.
        let stream = "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>" + xml
        for case .element(let element) in try XMLStreamParser().feed(Array(stream.utf8)) { return element }
        throw StanzaError(.badRequest, text: "no element")
    }

    @Test func readsAnIQGetFromRFC6120Section8_2_3() throws {
        let iq = try IQ(element: Self.element("<iq from='juliet@im.example.com/balcony' id='rg1' type='get'><query xmlns='jabber:iq:roster'/></iq>"))
        #expect(iq.kind == .get)
        #expect(iq.id == "rg1")
        #expect(iq.from == (try JID("juliet@im.example.com/balcony")))
        #expect(iq.payload?.namespace == "jabber:iq:roster")
        let result = iq.makeResult()
        #expect(result.kind == .result)
        #expect(result.id == "rg1")
        #expect(result.to == iq.from)
    }

    @Test(arguments: [
        "<iq type='get'><query xmlns='jabber:iq:roster'/></iq>",  // no id
        "<iq id='1'><query xmlns='jabber:iq:roster'/></iq>",  // no type
        "<iq id='1' type='fetch'><query xmlns='jabber:iq:roster'/></iq>",  // unknown type
        "<iq id='1' type='get'/>",  // no payload
        "<iq id='1' type='set'><a xmlns='urn:a'/><b xmlns='urn:b'/></iq>",  // two payloads
        "<iq id='1' type='result'><a xmlns='urn:a'/><b xmlns='urn:b'/></iq>",
        "<iq id='1' type='error'/>",  // error without <error/>
    ])
    func refusesIQsThatBreakSection8_2_3(xml: String) throws {
        let error = #expect(throws: StanzaError.self) { try IQ(element: Self.element(xml)) }
        #expect(error?.condition == .badRequest)
    }

    @Test func refusesMalformedAddresses() throws {
        let error = #expect(throws: StanzaError.self) { try Message(element: Self.element("<message to='@bad'/>")) }
        #expect(error?.condition == .jidMalformed)
    }

    @Test func readsMessageBodyInTheDefaultLanguage() throws {
        let message = try Message(element: Self.element(
            "<message type='chat' xml:lang='en'><body xml:lang='fr'>Salut</body><body>Hi</body><thread>t1</thread></message>"))
        #expect(message.kind == .chat)
        #expect(message.body == "Hi")
        #expect(message.thread == "t1")
        #expect(message.language == "en")
    }

    @Test func readsPresence() throws {
        let presence = try Presence(element: Self.element("<presence><show>dnd</show><status>busy</status><priority>-5</priority></presence>"))
        #expect(presence.kind == .available)
        #expect(presence.show == .dnd)
        #expect(presence.priority == -5)
        #expect(throws: StanzaError.self) { try Presence(element: Self.element("<presence type='available'/>")) }
        #expect(throws: StanzaError.self) { try Presence(element: Self.element("<presence><priority>300</priority></presence>")) }
        #expect(Presence(.subscribe, to: try JID("romeo@example.net")).element.attribute("type") == "subscribe")
    }

    @Test func anIQErrorCarriesTheRequestAndTheCondition() throws {
        let request = IQ(.get, id: "x1", to: try JID("example.com"), payload: XMLElement("query", namespace: "urn:unknown"))
        let reply = request.makeError(StanzaError(.serviceUnavailable))
        let reread = try IQ(element: XMLStreamParser.parseElement(try reply.element.serialized()))
        #expect(reread.kind == .error)
        #expect(reread.error?.condition == .serviceUnavailable)
        #expect(reread.error?.type == .cancel)
        #expect(reread.payload?.namespace == "urn:unknown")
    }
}
