import Testing
import TestSupport
import XMPPXML

@Suite struct SerializerTests {
    @Test func escapesMarkupInTextAndAttributes() throws {
        var element = XMLElement("body", text: "a < b > c & d \"e\" 'f'")
        element[attribute: "x"] = "<'\"&>"
        let xml = try element.serializedString()
        #expect(xml == "<body x=\"&lt;&apos;&quot;&amp;&gt;\">a &lt; b &gt; c &amp; d \"e\" 'f'</body>")
    }

    @Test func escapesWhitespaceThatParsingWouldNormalise() throws {
        var element = XMLElement("a", text: "line1\r\nline2\ttab")
        element[attribute: "v"] = "x\ty\nz\r"
        let xml = try element.serializedString()
        #expect(xml == "<a v=\"x&#x9;y&#xA;z&#xD;\">line1&#xD;\nline2\ttab</a>")
        #expect(try XMLStreamParser.parseElement(Array(xml.utf8)) == element)
    }

    @Test(arguments: [0x00, 0x01, 0x08, 0x0B, 0x0C, 0x1F] as [UInt8])
    func refusesControlCharactersXMLCannotCarry(byte: UInt8) {
        let text = "a" + String(decoding: [byte], as: UTF8.self) + "b"
        #expect(throws: XMLSerializationError.invalidCharacter(UInt32(byte))) { try XMLElement("a", text: text).serialized() }
        var element = XMLElement("a")
        element[attribute: "v"] = text
        #expect(throws: XMLSerializationError.self) { try element.serialized() }
    }

    @Test func refusesNoncharactersFFFEAndFFFF() {
        #expect(throws: XMLSerializationError.invalidCharacter(0xFFFE)) { try XMLElement("a", text: "\u{FFFE}").serialized() }
        #expect(throws: XMLSerializationError.invalidCharacter(0xFFFF)) { try XMLElement("a", text: "x\u{FFFF}").serialized() }
        #expect(throws: Never.self) { try XMLElement("a", text: "\u{FFFD}\u{FEFF}").serialized() }
    }

    @Test(arguments: ["", "1a", "a b", "a<b", "a:b", "a\"", "-x"])
    func refusesInvalidNames(name: String) {
        #expect(throws: XMLSerializationError.invalidName(name)) { try XMLElement(name).serialized() }
    }

    @Test func refusesNamespaceDeclarationsGivenAsAttributes() {
        var element = XMLElement("a")
        element[attribute: "xmlns"] = "urn:x"
        #expect(throws: XMLSerializationError.reservedAttribute("xmlns")) { try element.serialized() }
    }

    @Test func declaresNamespacesOnlyWhereTheyChange() throws {
        var message = XMLElement("message", namespace: "jabber:client")
        message.append(XMLElement("body", namespace: "jabber:client", text: "hi"))
        var x = XMLElement("x", namespace: "urn:x")
        x.append(XMLElement("y", namespace: "urn:x"))
        x.append(XMLElement("z"))
        x.attributes.append(XMLAttribute("flag", namespace: "urn:p", value: "1"))
        x.attributes.append(.lang("en"))
        message.append(x)
        let xml = try message.serializedString(inheritedNamespace: "jabber:client")
        #expect(xml == "<message><body>hi</body><x xmlns=\"urn:x\" xmlns:ns0=\"urn:p\" ns0:flag=\"1\" xml:lang=\"en\"><y/><z xmlns=\"\"/></x></message>")
    }

    @Test func everyStanzaOfTheRecordedStreamRoundTrips() throws {
        let events = try XMLStreamParser().feed(try Fixtures.bytes("xml/streams/rfc6120-section9-server.xml"))
        var count = 0
        for case .element(let element) in events {
            let bytes = try element.serialized()
            #expect(try XMLStreamParser.parseElement(bytes) == element)
            count += 1
        }
        #expect(count == 10)
    }

    @Test func randomElementsRoundTrip() throws {
        var random = SystemRandomNumberGenerator()
        let alphabet = Array("ab<>&\"' \t\n\r\u{E9}\u{2603}\u{1D11E}]]>")
        func randomText() -> String { String((0..<Int.random(in: 0...12, using: &random)).map { _ in alphabet.randomElement(using: &random)! }) }
        func randomElement(depth: Int) -> XMLElement {
            var element = XMLElement(["a", "b", "message", "x-y"].randomElement(using: &random)!,
                                     namespace: ["", "jabber:client", "urn:x"].randomElement(using: &random)!)
            for index in 0..<Int.random(in: 0...3, using: &random) {
                element.setAttribute("k\(index)", namespace: ["", "urn:attr", XMLNamespace.xml].randomElement(using: &random)!, to: randomText())
            }
            for _ in 0..<Int.random(in: 0...4, using: &random) {
                if depth < 4 && Bool.random(using: &random) { element.append(randomElement(depth: depth + 1)) } else { element.append(text: randomText()) }
            }
            return element
        }
        for _ in 0..<500 {
            let element = randomElement(depth: 0)
            #expect(try XMLStreamParser.parseElement(try element.serialized()) == element)
        }
    }

    @Test func streamHeaderSerializesAndParsesBack() throws {
        let header = XMLStreamHeader(contentNamespace: "jabber:client", attributes: [
            XMLAttribute("to", value: "example.com"), XMLAttribute("version", value: "1.0"), .lang("en"),
        ])
        var bytes: [UInt8] = []
        try header.serialize(into: &bytes)
        let events = try XMLStreamParser().feed(bytes)
        #expect(events == [.streamOpened(header)])
    }
}
