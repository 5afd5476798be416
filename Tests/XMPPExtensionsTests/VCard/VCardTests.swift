import Testing
import XMPPCore
import XMPPXML
@testable import XMPPExtensions

@Suite("vcard-temp value type (XEP-0054)")
struct VCardTests {
    private func vCard(_ fixture: String) throws -> VCard {
        let iq = try IQ(element: XEPExample.stanza(fixture))
        return try VCard(element: try #require(iq.payload))
    }

    @Test("§3.1 Example 2: every typed property of Peter's vCard")
    func ownVCardExample() throws {
        let vcard = try vCard("0054/own-vcard-result.xml")
        #expect(vcard.formattedName == "Peter Saint-Andre")
        #expect(vcard.name == VCardName(family: "Saint-Andre", given: "Peter", middle: ""))
        #expect(vcard.nickname == "stpeter")
        #expect(vcard.url == "http://www.xmpp.org/xsf/people/stpeter.shtml")
        #expect(vcard.birthday == "1966-08-06")
        #expect(vcard.organization == VCardOrganization(name: "XMPP Standards Foundation", units: [""]))
        #expect(vcard.title == "Executive Director")
        #expect(vcard.role == "Patron Saint")
        #expect(vcard.telephones.count == 6)
        #expect(vcard.telephones[0] == VCardTelephone(number: "303-308-3282", flags: [.work, .voice]))
        #expect(vcard.telephones[1] == VCardTelephone(number: "", flags: [.work, .fax]))
        #expect(vcard.telephones[3] == VCardTelephone(number: "303-555-1212", flags: [.home, .voice]))
        #expect(vcard.addresses == [
            VCardAddress(flags: [.work], extendedAddress: "Suite 600", street: "1899 Wynkoop Street", locality: "Denver",
                         region: "CO", postalCode: "80202", country: "USA"),
            VCardAddress(flags: [.home], extendedAddress: "", street: "", locality: "Denver", region: "CO",
                         postalCode: "80209", country: "USA"),
        ])
        #expect(vcard.emails == [VCardEmail(address: "stpeter@jabber.org", flags: [.internet, .preferred])])
        #expect(vcard.jabberID == "stpeter@jabber.org")
        #expect(vcard.jid == (try JID("stpeter@jabber.org")))
        #expect(vcard.desc?.contains("http://www.saint-andre.com/") == true)
        #expect(vcard.photo == nil)
        #expect(vcard.note == nil)
        #expect(vcard.otherElements.isEmpty)
    }

    @Test("§3.3 Example 9: N with children out of the DTD's order")
    func otherVCardExample() throws {
        let vcard = try vCard("0054/other-vcard-result.xml")
        #expect(vcard.formattedName == "JeremieMiller")
        #expect(vcard.name?.given == "Jeremie")
        #expect(vcard.name?.family == "Miller")
        #expect(vcard.emails.first?.flags == [.internet, .preferred])
        #expect(vcard.jabberID == "jer@jabber.org")
    }

    @Test("§3.1 Example 4: an empty <vCard/> is an empty vCard")
    func emptyExample() throws {
        let vcard = try vCard("0054/no-vcard-empty.xml")
        #expect(vcard.isEmpty)
        #expect(vcard.element == XMLElement("vCard", namespace: VCard.namespace))
    }

    @Test("Every XEP example survives serialization and parsing unchanged")
    func roundTrip() throws {
        for fixture in ["0054/own-vcard-result.xml", "0054/update-request.xml", "0054/other-vcard-result.xml"] {
            let vcard = try vCard(fixture)
            let reparsed = try VCard(element: XMLStreamParser.parseElement(Array(vcard.element.description.utf8)))
            #expect(reparsed == vcard, "\(fixture)")
        }
    }

    @Test("Unknown properties, unknown flags, attributes and repeats are kept through a get-modify-set")
    func preservesUnknown() throws {
        let xml = """
        <vCard xmlns='vcard-temp' version='3.0'>
          <FN>Juliet</FN>
          <FN>Second FN</FN>
          <GEO><LAT>45.44</LAT><LON>10.99</LON></GEO>
          <X-CUSTOM xmlns='urn:example:custom' level='2'><deep>value</deep></X-CUSTOM>
          <TEL><CELL/><X-SATELLITE/><NUMBER>+39 045 1234</NUMBER><EXT>12</EXT></TEL>
          <N lang='it'><GIVEN>Giulietta</GIVEN></N>
          <LOGO><TYPE>image/png</TYPE><BINVAL>AAAA</BINVAL></LOGO>
          <ADR><HOME/><CTRY>Italy</CTRY><X-FLOOR>2</X-FLOOR></ADR>
        </vCard>
        """
        var vcard = try VCard(element: XMLStreamParser.parseElement(Array(xml.utf8)))
        #expect(vcard.formattedName == "Juliet")
        #expect(vcard.attributes.first { $0.name == "version" }?.value == "3.0")
        #expect(vcard.telephones.first?.flags == [.cell, VCardFlag(rawValue: "X-SATELLITE")])
        #expect(vcard.telephones.first?.otherElements.map(\.name) == ["EXT"])
        #expect(vcard.addresses.first?.otherElements.map(\.name) == ["X-FLOOR"])
        // N with an attribute cannot be typed without loss: it stays whole.
        #expect(vcard.name == nil)
        #expect(vcard.otherElements.map(\.name) == ["FN", "GEO", "X-CUSTOM", "N", "LOGO"])

        vcard.nickname = "Jules"
        let sent = try VCard(element: XMLStreamParser.parseElement(Array(vcard.element.description.utf8)))
        #expect(sent.nickname == "Jules")
        #expect(sent.otherElements == vcard.otherElements)
        #expect(sent.telephones == vcard.telephones)
        #expect(sent.addresses == vcard.addresses)
        #expect(sent.attributes == vcard.attributes)
        let custom = try #require(sent.otherElements.first { $0.namespace == "urn:example:custom" })
        #expect(custom.attribute("level") == "2")
        #expect(custom.childText("deep", namespace: "urn:example:custom") == "value")
    }

    @Test("§8: a TEL always carries NUMBER and an EMAIL its USERID; an address written as EMAIL text is read")
    func implementationNotes() throws {
        let vcard = VCard(telephones: [VCardTelephone(number: "", flags: [.home, .fax])])
        let tel = try #require(vcard.element.child("TEL", namespace: VCard.namespace))
        #expect(tel.elements.map(\.name) == ["HOME", "FAX", "NUMBER"])
        let legacy = try VCard(element: XMLStreamParser.parseElement(Array(
            "<vCard xmlns='vcard-temp'><EMAIL> juliet@capulet.lit </EMAIL></vCard>".utf8)))
        #expect(legacy.emails == [VCardEmail(address: "juliet@capulet.lit", flags: [])])
        let email = try #require(legacy.element.child("EMAIL", namespace: VCard.namespace))
        #expect(email.childText("USERID", namespace: VCard.namespace) == "juliet@capulet.lit")
    }

    @Test("PHOTO: TYPE and BINVAL (base64 with line breaks), or EXTVAL; written back unwrapped")
    func photo() throws {
        let image: [UInt8] = Array(0...255) + Array(0...99)
        let encoded = Base64.encode(image)
        var wrapped = ""
        for (index, character) in encoded.enumerated() {
            if index > 0, index % 76 == 0 { wrapped += "\r\n" }
            wrapped.append(character)
        }
        let xml = "<vCard xmlns='vcard-temp'><PHOTO><TYPE> image/png </TYPE><BINVAL>\n\(wrapped)\n</BINVAL></PHOTO></vCard>"
        let vcard = try VCard(element: XMLStreamParser.parseElement(Array(xml.utf8)))
        #expect(vcard.photo?.type == "image/png")
        #expect(vcard.photo?.data == image)
        #expect(vcard.photo?.hasImage == true)
        #expect(vcard.element.child("PHOTO", namespace: VCard.namespace)?.childText("BINVAL", namespace: VCard.namespace) == encoded)

        let external = try VCard(element: XMLStreamParser.parseElement(Array(
            "<vCard xmlns='vcard-temp'><PHOTO><EXTVAL>https://example.com/a.png</EXTVAL></PHOTO></vCard>".utf8)))
        #expect(external.photo == VCardPhoto(externalURL: "https://example.com/a.png"))
        #expect(external.photo?.hasImage == false)

        let empty = try VCard(element: XMLStreamParser.parseElement(Array(
            "<vCard xmlns='vcard-temp'><PHOTO><TYPE>image/png</TYPE><BINVAL/></PHOTO></vCard>".utf8)))
        #expect(empty.photo?.data == [])
        #expect(empty.photo?.hasImage == false)
    }

    @Test("Another element is not a vCard")
    func notAVCard() throws {
        #expect(throws: VCardError.notAVCard(name: "vcard", namespace: "vcard-temp")) {
            try VCard(element: XMLElement("vcard", namespace: "vcard-temp"))
        }
        #expect(throws: VCardError.notAVCard(name: "vCard", namespace: "urn:ietf:params:xml:ns:vcard-4.0")) {
            try VCard(element: XMLElement("vCard", namespace: "urn:ietf:params:xml:ns:vcard-4.0"))
        }
    }
}
