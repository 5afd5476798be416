import XMPPXML

/// A `<message/>` stanza (RFC 6120 §8.2.1, RFC 6121 §5).
public struct Message: Stanza {
    public static let elementName = "message"

    /// RFC 6121 §5.2.2: message types; a missing or unknown type means `normal`.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case chat, error, groupchat, headline, normal
    }

    public private(set) var element: XMLElement

    public init(element: XMLElement) throws(StanzaError) {
        try Self.validateCommon(element)
        self.element = element
    }

    public init(_ kind: Kind = .chat, to: JID?, id: String = StanzaID.make(), body: String? = nil) {
        var element = XMLElement("message", namespace: XMPPNamespace.client, attributes: ["type": kind.rawValue, "id": id])
        element.setJID("to", to)
        if let body { element.append(XMLElement("body", namespace: XMPPNamespace.client, text: body)) }
        self.element = element
    }

    public var kind: Kind { element.attribute("type").flatMap(Kind.init(rawValue:)) ?? .normal }

    /// RFC 6121 §5.2.3: the body in the stanza's default language (one without its own `xml:lang`), else the first.
    public var body: String? { localized("body") }
    /// RFC 6121 §5.2.4.
    public var subject: String? { localized("subject") }
    /// RFC 6121 §5.2.5.
    public var thread: String? { element.childText("thread", namespace: element.namespace) }

    /// Appends a payload element (an extension's child).
    public mutating func append(_ payload: XMLElement) {
        element.append(payload)
    }

    /// Removes every payload of this name and namespace (to replace one, e.g. an updated caps hash).
    public mutating func removePayloads(_ name: String, namespace: String) {
        element.removeChildren(name, namespace: namespace)
    }

    private func localized(_ name: String) -> String? {
        let candidates = element.children(name, namespace: element.namespace)
        let preferred = candidates.first { $0.attribute("lang", namespace: XMLNamespace.xml) == nil } ?? candidates.first
        return preferred?.text
    }
}
