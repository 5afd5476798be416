import Testing
import XMPPCore
import XMPPXML
@testable import XMPPExtensions

@Suite("vcard-temp:x:update element (XEP-0153)")
struct VCardUpdateTests {
    private func update(_ fixture: String) throws -> VCardUpdate? {
        let presence = try Presence(element: XEPExample.stanza(fixture))
        return presence.element.child("x", namespace: VCardUpdate.namespace).flatMap(VCardUpdate.init(element:))
    }

    @Test("§3.1 Example 3, §4.1 Examples 6 and 7: a hash, not ready, no image")
    func examples() throws {
        #expect(try update("0153/presence-with-hash.xml")?.photo == .hash("01b87fcd030b72895ff8e88db57ec525450f000d"))
        #expect(try update("0153/not-ready.xml")?.photo == .notReady)
        #expect(try update("0153/no-image.xml")?.photo == .noAvatar)
    }

    @Test("Serialization is the examples' shape: no <photo/>, an empty one, or the hash as its text")
    func serialization() throws {
        let ns = VCardUpdate.namespace
        #expect(VCardUpdate(photo: .notReady).element == XMLElement("x", namespace: ns))
        #expect(VCardUpdate(photo: .noAvatar).element == XMLElement("x", namespace: ns, children: [.element(XMLElement("photo", namespace: ns))]))
        let hash = "01b87fcd030b72895ff8e88db57ec525450f000d"
        let element = VCardUpdate(photo: .hash(hash)).element
        #expect(element.elements.count == 1)
        #expect(element.childText("photo", namespace: ns) == hash)
        #expect(VCardUpdate(element: element)?.photo == .hash(hash))
    }

    @Test("A photo that is not a SHA-1 hash makes the element unreadable", arguments: [
        "<x xmlns='vcard-temp:x:update'><photo>not-a-hash</photo></x>",
        "<x xmlns='vcard-temp:x:update'><photo>01b87fcd030b72895ff8e88db57ec525450f000d01b87fcd</photo></x>",
        "<x xmlns='vcard-temp:x:update'><photo><b/></photo></x>",
        "<y xmlns='vcard-temp:x:update'/>",
        "<x xmlns='vcard-temp'/>",
    ])
    func malformed(xml: String) throws {
        #expect(VCardUpdate(element: try XMLStreamParser.parseElement(Array(xml.utf8))) == nil)
    }
}
