import XMPPCore
import XMPPXML

/// The photograph, `PHOTO` (XEP-0054 §9: `(TYPE, BINVAL) | EXTVAL`): the image inline, base64
/// in `BINVAL` with its media type in `TYPE`, or a URI in `EXTVAL`.
public struct VCardPhoto: Sendable, Hashable {
    /// The media type (`TYPE`), e.g. `image/png`: a hint only (XEP-0153 §5).
    public var type: String?
    /// The image bytes (`BINVAL`, decoded); empty for an empty `BINVAL` (XEP-0153 §4.3: no image).
    public var data: [UInt8]?
    /// A URI where the image is (`EXTVAL`; XEP-0153 §4.5 discourages it for avatars).
    public var externalURL: String?
    /// Children the DTD does not name, kept for the round trip.
    public var otherElements: [XMLElement]

    /// An inline image.
    public init(type: String?, data: [UInt8], otherElements: [XMLElement] = []) {
        self.type = type
        self.data = data
        self.otherElements = otherElements
    }

    /// An image by reference.
    public init(externalURL: String, type: String? = nil) {
        self.type = type
        self.externalURL = externalURL
        self.otherElements = []
    }

    /// Whether the photo holds image bytes (a non-empty `BINVAL`).
    public var hasImage: Bool { !(data ?? []).isEmpty }

    /// Reads a `PHOTO` element, decoding `BINVAL` within `limits` (whitespace inside it is ignored,
    /// XEP-0153 §4.6).
    /// - Throws: ``VCardError/photoTooLarge(bytes:limit:)`` before decoding anything larger than
    ///   allowed; ``VCardError/photoNotBase64`` for anything but base64.
    public init(element: XMLElement, limits: VCard.Limits = VCard.Limits()) throws(VCardError) {
        type = nil
        data = nil
        externalURL = nil
        otherElements = []
        for child in element.elements {
            guard child.namespace == VCard.namespace else {
                otherElements.append(child)
                continue
            }
            switch child.name {
            case "TYPE" where type == nil && VCardFields.plainText(child) != nil:
                type = trimmed(child.text)
            case "BINVAL" where data == nil:
                data = try Self.decode(child, limits: limits)
            case "EXTVAL" where externalURL == nil && VCardFields.plainText(child) != nil:
                externalURL = trimmed(child.text)
            default:
                otherElements.append(child)
            }
        }
    }

    /// The bytes of a `BINVAL`, counted before they are decoded so an oversized value costs no
    /// allocation; the count stops as soon as the value is known to be over the limit, so a
    /// hostile 50 MB value costs no more than one just over it.
    private static func decode(_ binval: XMLElement, limits: VCard.Limits) throws(VCardError) -> [UInt8] {
        // Characters beyond this many (and up to 2 of padding) decode past the limit.
        // Saturating: a limit of .max must not overflow.
        let maximumCharacters = min(limits.maxPhotoBytes, Int.max / 2) / 3 * 4 + 12
        var significant = 0
        for node in binval.children {
            guard let text = node.text else { throw .photoNotBase64 }
            significant += significantCount(text, stoppingAfter: maximumCharacters - significant)
            if significant > maximumCharacters {
                throw .photoTooLarge(bytes: significant / 4 * 3 - 2, limit: limits.maxPhotoBytes)
            }
        }
        guard significant % 4 == 0 else { throw .photoNotBase64 }
        // Each 4 characters are 3 bytes, less at most 2 of padding.
        let atLeast = max(0, significant / 4 * 3 - 2)
        guard atLeast <= limits.maxPhotoBytes else { throw .photoTooLarge(bytes: atLeast, limit: limits.maxPhotoBytes) }
        guard let bytes = Base64.decode(binval.text, ignoringWhitespace: true) else { throw .photoNotBase64 }
        guard bytes.count <= limits.maxPhotoBytes else { throw .photoTooLarge(bytes: bytes.count, limit: limits.maxPhotoBytes) }
        return bytes
    }

    /// Non-whitespace bytes in `text`, counting no further than `limit` + 1.
    private static func significantCount(_ text: String, stoppingAfter limit: Int) -> Int {
        var count = 0
        for byte in text.utf8 where !(byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D) {
            count += 1
            if count > limit { break }
        }
        return count
    }

    public var element: XMLElement {
        VCardFields.property("PHOTO", values: [
            ("TYPE", type), ("BINVAL", data.map(Base64.encode)), ("EXTVAL", externalURL),
        ], others: otherElements)
    }
}
