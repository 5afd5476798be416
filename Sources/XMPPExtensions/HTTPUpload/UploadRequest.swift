import XMPPCore
import XMPPXML

/// A slot request (XEP-0363 §4): the file's name, its size in bytes and, optionally, its
/// content type, sent in an IQ get to the upload service.
public struct UploadRequest: Sendable, Hashable {
    /// `urn:xmpp:http:upload:0`, the namespace of XEP-0363 since version 0.3.
    public static let namespace = "urn:xmpp:http:upload:0"

    public var filename: String
    /// The size of what will be PUT, in bytes (for an encrypted file, the ciphertext and tag).
    public var size: Int
    public var contentType: String?

    public init(filename: String, size: Int, contentType: String? = nil) {
        self.filename = filename
        self.size = size
        self.contentType = contentType
    }

    /// Reads `<request xmlns='urn:xmpp:http:upload:0'/>`.
    /// - Throws: `bad-request` when `filename` or `size` is missing, or `size` is not a
    ///   non-negative integer (§4: both MUST be present).
    public init(element: XMLElement) throws(StanzaError) {
        guard element.name == "request", element.namespace == Self.namespace else {
            throw StanzaError(.badRequest, text: "expected <request xmlns='\(Self.namespace)'/>")
        }
        guard let filename = element.attribute("filename"), !filename.isEmpty else {
            throw StanzaError(.badRequest, text: "a slot request needs a filename (XEP-0363 §4)")
        }
        guard let sizeText = element.attribute("size"), let size = Self.parseSize(sizeText) else {
            throw StanzaError(.badRequest, text: "a slot request needs a size in bytes (XEP-0363 §4)")
        }
        self.filename = filename
        self.size = size
        contentType = element.attribute("content-type")
    }

    public var element: XMLElement {
        var element = XMLElement("request", namespace: Self.namespace)
        element.setAttribute("filename", to: filename)
        element.setAttribute("size", to: String(size))
        element.setAttribute("content-type", to: contentType)
        return element
    }

    /// A byte count: decimal digits only, at most 18 of them (no sign, no overflow).
    static func parseSize(_ text: String) -> Int? {
        let trimmed = text.utf8.drop { $0 == 0x20 }.reversed().drop { $0 == 0x20 }.reversed()
        guard !trimmed.isEmpty, trimmed.count <= 18, trimmed.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(String(decoding: trimmed, as: UTF8.self))
    }
}
