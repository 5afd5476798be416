import XMPPCore
import XMPPXML

/// An upload slot (XEP-0363 §4): where to PUT the file, the header fields to send with it, and
/// where it will be served.
///
/// Only `Authorization`, `Cookie` and `Expires` headers are kept (§4: a client MUST ignore other
/// names, so a service cannot make it send `Host` or `Content-Length`); names compare
/// case-insensitively, repeats and their order are kept (1.1.0), and newlines are removed from
/// names and values (§8, Security Considerations) so no field can smuggle another.
public struct UploadSlot: Sendable, Hashable {
    /// The header names a slot may set, lowercased (XEP-0363 §4).
    public static let allowedHeaderNames: Set<String> = ["authorization", "cookie", "expires"]

    public var putURL: HTTPURL
    /// The allowed `<header/>` fields, in order.
    public var putHeaders: [HTTPHeaderField]
    public var getURL: HTTPURL
    /// How many `<header/>` elements were dropped because their name is not allowed.
    public var droppedHeaderCount: Int

    public init(putURL: HTTPURL, putHeaders: [HTTPHeaderField] = [], getURL: HTTPURL) {
        self.putURL = putURL
        self.putHeaders = putHeaders.filter { Self.allowedHeaderNames.contains($0.name.lowercased()) }
        self.getURL = getURL
        droppedHeaderCount = putHeaders.count - self.putHeaders.count
    }

    /// Reads `<slot xmlns='urn:xmpp:http:upload:0'/>`.
    /// - Throws: `bad-request` when `<put/>` or `<get/>` or their `url` is missing, or a URL is
    ///   not an http(s) URL.
    public init(element: XMLElement) throws(StanzaError) {
        let namespace = UploadRequest.namespace
        guard element.name == "slot", element.namespace == namespace else {
            throw StanzaError(.badRequest, text: "expected <slot xmlns='\(namespace)'/>")
        }
        guard let put = element.child("put", namespace: namespace), let putText = put.attribute("url"),
              let get = element.child("get", namespace: namespace), let getText = get.attribute("url") else {
            throw StanzaError(.badRequest, text: "a slot needs <put url=''/> and <get url=''/> (XEP-0363 §4)")
        }
        do {
            putURL = try HTTPURL(putText).withoutFragment
            getURL = try HTTPURL(getText).withoutFragment
        } catch {
            throw StanzaError(.badRequest, text: "a slot URL is unusable: \(error.reason)")
        }
        var kept: [HTTPHeaderField] = []
        var dropped = 0
        for header in put.children("header", namespace: namespace) {
            let name = Self.removingNewlines(header.attribute("name") ?? "").trimmingSpaces
            let value = Self.removingNewlines(header.text).trimmingSpaces
            guard Self.allowedHeaderNames.contains(name.lowercased()) else {
                dropped += 1
                continue
            }
            kept.append(HTTPHeaderField(name: name, value: value))
        }
        putHeaders = kept
        droppedHeaderCount = dropped
    }

    public var element: XMLElement {
        let namespace = UploadRequest.namespace
        var slot = XMLElement("slot", namespace: namespace)
        var put = XMLElement("put", namespace: namespace, attributes: ["url": putURL.description])
        for header in putHeaders {
            put.append(XMLElement("header", namespace: namespace, attributes: ["name": header.name], text: header.value))
        }
        slot.append(put)
        slot.append(XMLElement("get", namespace: namespace, attributes: ["url": getURL.description]))
        return slot
    }

    private static func removingNewlines(_ text: String) -> String {
        String(text.unicodeScalars.filter { $0 != "\r" && $0 != "\n" && $0 != "\0" })
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    fileprivate var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        return String(drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}
