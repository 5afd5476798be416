import XMPPXML

/// An `<identity/>` in a disco#info result (XEP-0030 §3.1), e.g. `client/pc` or `server/im`.
public struct DiscoIdentity: Sendable, Hashable {
    public var category: String
    public var type: String
    public var name: String?
    /// `xml:lang`, which entity capabilities hash as well (XEP-0115 §5.1).
    public var language: String?

    public init(category: String, type: String, name: String? = nil, language: String? = nil) {
        self.category = category
        self.type = type
        self.name = name
        self.language = language
    }

    /// A client on a desktop or laptop (the XEP-0030 registry's `client/pc`).
    public static let pcClient = DiscoIdentity(category: "client", type: "pc", name: "XMPPKit")

    public var element: XMLElement {
        var element = XMLElement("identity", namespace: DiscoInfo.namespace, attributes: ["category": category, "type": type])
        element.setAttribute("name", to: name)
        element.setAttribute("lang", namespace: XMLNamespace.xml, to: language)
        return element
    }
}
