import XMPPCore
import XMPPXML

/// The `<query xmlns='jabber:iq:private'/>` of private XML storage (XEP-0049 §2.3): one stored
/// fragment, or several of one namespace in a set or result.
public struct PrivateStorageQuery: Sendable, Hashable {
    public static let namespace = "jabber:iq:private"

    /// The fragments: each a root element in its own namespace.
    public var fragments: [XMLElement]

    public init(_ fragments: [XMLElement]) {
        self.fragments = fragments
    }

    /// Reads a `<query/>`.
    /// - Throws: `bad-request` for another element, or a child in no namespace or in
    ///   `jabber:iq:private` itself (§2.3: "scoped by its own namespace").
    public init(element: XMLElement) throws(StanzaError) {
        guard element.name == "query", element.namespace == Self.namespace else {
            throw StanzaError(.badRequest, text: "expected <query xmlns='\(Self.namespace)'/>")
        }
        for child in element.elements where child.namespace.isEmpty || child.namespace == Self.namespace {
            throw StanzaError(.badRequest, text: "private storage holds elements in their own namespace (XEP-0049 §2.3)")
        }
        fragments = element.elements
    }

    public var element: XMLElement {
        var element = XMLElement("query", namespace: Self.namespace)
        for fragment in fragments { element.append(fragment) }
        return element
    }

    /// XEP-0049 §2.3: namespaces beginning with `jabber:` or `http://jabber.org/`, and
    /// `vcard-temp`, are reserved; servers may refuse them with `not-acceptable`. So do we, before
    /// sending, so the answer does not depend on the server. No namespace at all is refused too
    /// (§2.3: the fragment is "scoped by its own namespace").
    public static func isReserved(_ namespace: String) -> Bool {
        namespace.isEmpty || namespace.hasPrefix("jabber:") || namespace.hasPrefix("http://jabber.org/") || namespace == "vcard-temp"
    }
}
