import Testing
import TestSupport
import XMPPXML

/// Feeding: headers, stanzas, namespaces, stream end, restart.
@Suite struct StreamParsingTests {
    static let header = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' from='example.com' id='s1' version='1.0' xml:lang='en'>"

    @Test func reportsTheStreamHeaderWithItsAttributes() throws {
        let parser = XMLStreamParser()
        let events = try parser.feed(Array(Self.header.utf8))
        guard case .streamOpened(let header)? = events.first, events.count == 1 else {
            Issue.record("expected one streamOpened event, got \(events)")
            return
        }
        #expect(header.contentNamespace == "jabber:client")
        #expect(header.namespace == XMLStreamHeader.streamNamespace)
        #expect(header.from == "example.com")
        #expect(header.id == "s1")
        #expect(header.version == "1.0")
        #expect(header.lang == "en")
    }

    @Test func reportsEachStanzaWithResolvedNamespaces() throws {
        let parser = XMLStreamParser()
        _ = try parser.feed(Array(Self.header.utf8))
        let events = try parser.feed(Array("<message to='a@b' xml:lang='fr'><body>hi &amp; bye</body><x xmlns='urn:x' xmlns:p='urn:p' p:attr='1'><p:y/></x></message>".utf8))
        guard case .element(let message)? = events.first else {
            Issue.record("no element in \(events)")
            return
        }
        #expect(message.name == "message")
        #expect(message.namespace == "jabber:client")
        #expect(message.attribute("to") == "a@b")
        #expect(message.attribute("lang", namespace: XMLNamespace.xml) == "fr")
        #expect(message.childText("body", namespace: "jabber:client") == "hi & bye")
        let x = try #require(message.child("x", namespace: "urn:x"))
        #expect(x.attribute("attr", namespace: "urn:p") == "1")
        #expect(x.child("y", namespace: "urn:p") != nil)
    }

    @Test func ignoresWhitespaceKeepalivesAndReportsTheStreamEnd() throws {
        let parser = XMLStreamParser()
        let events = try parser.feed(Array((Self.header + " \n <presence/>\n\t </stream:stream>").utf8))
        #expect(events.count == 3)
        #expect(events.last == .streamClosed)
    }

    @Test func resetStartsANewStream() throws {
        let parser = XMLStreamParser()
        _ = try parser.feed(Array((Self.header + "<presence/>").utf8))
        parser.reset()
        let events = try parser.feed(Array((Self.header + "<message/>").utf8))
        #expect(events.count == 2)
    }

    @Test func staysFailedAfterAnError() throws {
        let parser = XMLStreamParser()
        #expect(throws: XMLStreamError.self) { try parser.feed(Array((Self.header + "<a></b>").utf8)) }
        let error = #expect(throws: XMLStreamError.self) { try parser.feed(Array("<presence/>".utf8)) }
        #expect(error?.condition == .notWellFormed)
    }

    @Test func parsesAStandaloneElement() throws {
        let element = try XMLStreamParser.parseElement(Array("<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' to='example.com' version='1.0'/>".utf8))
        #expect(element.name == "open")
        #expect(element.namespace == "urn:ietf:params:xml:ns:xmpp-framing")
        #expect(throws: XMLStreamError.self) { try XMLStreamParser.parseElement(Array("<open>".utf8)) }
        #expect(throws: XMLStreamError.self) { try XMLStreamParser.parseElement(Array("<a/><b/>".utf8)) }
    }

    @Test func acceptsTheRecordedStreamWithTheStanzaCountItsManifestGives() throws {
        let bytes = try Fixtures.bytes("xml/streams/rfc6120-section9-server.xml")
        let events = try XMLStreamParser().feed(bytes)
        let elements = events.filter { if case .element = $0 { return true } else { return false } }
        #expect(elements.count == 10)  // features, 8 stanzas and the stream:error
        #expect(events.last == .streamClosed)
    }
}
