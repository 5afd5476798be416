import Testing
import XMPPClient
import XMPPCore
import XMPPXML
@testable import XMPPExtensions

@Suite("vcard-temp against hostile payloads")
struct VCardHostileTests {
    /// A vCard result whose PHOTO holds `bytes` of (valid) base64 image data.
    private func photoResult(base64Length: Int) -> XMLElement {
        var binval = XMLElement("BINVAL", namespace: VCard.namespace)
        binval.append(text: String(repeating: "A", count: base64Length))
        var photo = XMLElement("PHOTO", namespace: VCard.namespace)
        photo.append(XMLElement("TYPE", namespace: VCard.namespace, text: "image/png"))
        photo.append(binval)
        var vcard = XMLElement("vCard", namespace: VCard.namespace)
        vcard.append(photo)
        return vcard
    }

    @Test("A 50 MB PHOTO is refused by the limit, before decoding, with a typed error")
    func fiftyMegabytePhoto() throws {
        // 50 MiB of image as base64 (4 characters per 3 bytes, rounded up): 66.7 MB of text.
        let fiftyMB = 50 << 20
        let base64Length = (fiftyMB + 2) / 3 * 4
        let element = photoResult(base64Length: base64Length)
        // Refused as soon as the count passes the limit: the error names a size over it.
        for limit in [1 << 20, 10 << 20] {
            do {
                _ = try VCard(element: element, limits: VCard.Limits(maxPhotoBytes: limit))
                Issue.record("a 50 MB photo was accepted with a \(limit)-byte limit")
            } catch {
                guard case .photoTooLarge(let bytes, let reported) = error else { Issue.record("unexpected \(error)"); continue }
                #expect(reported == limit)
                #expect(bytes > limit)
            }
        }
        #expect(VCard.Limits().maxPhotoBytes == 1 << 20)
    }

    @Test("The limit is exact: a photo of exactly maxPhotoBytes is read, one byte more is not")
    func exactLimit() throws {
        let limit = 3000
        let atLimit = Base64.encode([UInt8](repeating: 7, count: limit))
        let over = Base64.encode([UInt8](repeating: 7, count: limit + 1))
        func vcard(_ text: String) -> XMLElement {
            var element = XMLElement("vCard", namespace: VCard.namespace)
            var photo = XMLElement("PHOTO", namespace: VCard.namespace)
            photo.append(XMLElement("BINVAL", namespace: VCard.namespace, text: text))
            element.append(photo)
            return element
        }
        let limits = VCard.Limits(maxPhotoBytes: limit)
        #expect(try VCard(element: vcard(atLimit), limits: limits).photo?.data?.count == limit)
        #expect(throws: VCardError.photoTooLarge(bytes: limit + 1, limit: limit)) { try VCard(element: vcard(over), limits: limits) }
    }

    @Test("A BINVAL that is not base64 is a typed error, not a crash", arguments: [
        "Base64-encoded-avatar-file-here!", "AAA", "AAAA=AAA", "AA==AA==", "////=", "AB==", "ÄÖÜ=", "A\u{0}AA",
    ])
    func notBase64(binval: String) throws {
        var photo = XMLElement("PHOTO", namespace: VCard.namespace)
        photo.append(XMLElement("BINVAL", namespace: VCard.namespace, text: binval))
        var element = XMLElement("vCard", namespace: VCard.namespace)
        element.append(photo)
        #expect(throws: VCardError.photoNotBase64) { try VCard(element: element) }
    }

    @Test("XEP-0153 §3.1 Example 1's placeholder BINVAL is refused as not base64")
    func xep0153Placeholder() throws {
        let iq = try IQ(element: XEPExample.stanza("0153/publish.xml"))
        #expect(throws: VCardError.photoNotBase64) { try VCard(element: try #require(iq.payload)) }
    }

    @Test("A BINVAL holding elements instead of text is not base64")
    func binvalWithElements() throws {
        let xml = "<vCard xmlns='vcard-temp'><PHOTO><BINVAL>AAAA<b/>AAAA</BINVAL></PHOTO></vCard>"
        #expect(throws: VCardError.photoNotBase64) { try VCard(element: XMLStreamParser.parseElement(Array(xml.utf8))) }
    }

    @Test("The module turns an oversized PHOTO in a server's answer into the typed error")
    func moduleRefusesOversizedPhoto() async throws {
        let result = photoResult(base64Length: 4 * 1024)
        let host = try ScriptedModuleHost { $0.makeResult(payload: result) }
        let module = await host.start(VCardModule(limits: VCard.Limits(maxPhotoBytes: 1024)))
        let error = await #expect(throws: VCardError.self) { try await module.vCard(of: JID("romeo@montague.lit")) }
        guard case .photoTooLarge(let bytes, let limit)? = error else { Issue.record("unexpected \(String(describing: error))"); return }
        #expect(limit == 1024)
        #expect(bytes > 1024)
    }

    @Test("A result carrying another payload is refused")
    func wrongPayload() async throws {
        let host = try ScriptedModuleHost { $0.makeResult(payload: XMLElement("query", namespace: "jabber:iq:roster")) }
        let module = await host.start(VCardModule())
        await #expect(throws: VCardError.notAVCard(name: "query", namespace: "jabber:iq:roster")) { try await module.vCard() }
    }

    @Test("Thousands of properties and deep unknown elements parse without trouble")
    func manyProperties() throws {
        var element = XMLElement("vCard", namespace: VCard.namespace)
        for index in 0..<20_000 {
            var tel = XMLElement("TEL", namespace: VCard.namespace)
            tel.append(XMLElement("NUMBER", namespace: VCard.namespace, text: String(index)))
            element.append(tel)
        }
        var deep = XMLElement("X-DEEP", namespace: VCard.namespace, text: "bottom")
        for _ in 0..<200 {
            var outer = XMLElement("X-DEEP", namespace: VCard.namespace)
            outer.append(deep)
            deep = outer
        }
        element.append(deep)
        let vcard = try VCard(element: element)
        #expect(vcard.telephones.count == 20_000)
        #expect(vcard.otherElements.count == 1)
    }
}
