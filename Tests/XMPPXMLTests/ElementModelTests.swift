import Testing
import XMPPXML

@Suite struct ElementModelTests {
    @Test func equalityIgnoresAttributeOrderButNotChildOrder() {
        let a = XMLElement("a", attributes: [XMLAttribute("x", value: "1"), XMLAttribute("y", value: "2")])
        let b = XMLElement("a", attributes: [XMLAttribute("y", value: "2"), XMLAttribute("x", value: "1")])
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        var c = XMLElement("p"); c.append(XMLElement("a")); c.append(XMLElement("b"))
        var d = XMLElement("p"); d.append(XMLElement("b")); d.append(XMLElement("a"))
        #expect(c != d)
    }

    @Test func appendTextMergesAdjacentRunsAndSkipsEmptyOnes() {
        var element = XMLElement("a")
        element.append(text: "x")
        element.append(text: "")
        element.append(text: "y")
        #expect(element.children == [.text("xy")])
        element.append(XMLElement("b"))
        element.append(text: "z")
        #expect(element.children.count == 3)
        #expect(element.text == "xyz")
    }

    @Test func attributeAccessors() {
        var element = XMLElement("a", attributes: ["type": "get", "id": "1"])
        #expect(element.attribute("type") == "get")
        element.setAttribute("type", to: "set")
        element.setAttribute("id", to: nil)
        element[attribute: "to"] = "x@y"
        #expect(element.attributes == [XMLAttribute("type", value: "set"), XMLAttribute("to", value: "x@y")])
    }

    @Test func childAccessors() {
        var iq = XMLElement("iq", namespace: "jabber:client")
        iq.append(XMLElement("query", namespace: "jabber:iq:roster"))
        iq.append(XMLElement("error", namespace: "jabber:client"))
        #expect(iq.child("query", namespace: "jabber:iq:roster") != nil)
        #expect(iq.child("query", namespace: "jabber:client") == nil)
        #expect(iq.firstChild(namespace: "jabber:iq:roster")?.name == "query")
        #expect(iq.elements.count == 2)
        iq.removeChildren("error", namespace: "jabber:client")
        #expect(iq.elements.count == 1)
    }
}
