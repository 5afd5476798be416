import XMPPCore
import XMPPXML

/// A disco#info result (XEP-0030 §3.1): who an entity is, what it supports, and any extended
/// information forms (XEP-0128).
public struct DiscoInfo: Sendable, Hashable {
    public static let namespace = "http://jabber.org/protocol/disco#info"

    public var node: String?
    public var identities: [DiscoIdentity]
    public var features: Set<String>
    /// XEP-0128 extended information, e.g. XEP-0157 contact addresses.
    public var forms: [DataForm]

    public init(node: String? = nil, identities: [DiscoIdentity] = [], features: Set<String> = [], forms: [DataForm] = []) {
        self.node = node
        self.identities = identities
        self.features = features
        self.forms = forms
    }

    /// Reads `<query xmlns='…disco#info'/>`.
    /// - Throws: `bad-request` for an identity without category or type (§3.1), or a malformed form.
    public init(element: XMLElement) throws(StanzaError) {
        guard element.name == "query", element.namespace == Self.namespace else {
            throw StanzaError(.badRequest, text: "expected <query xmlns='\(Self.namespace)'/>")
        }
        node = element.attribute("node")
        identities = try element.children("identity", namespace: Self.namespace).map { identity throws(StanzaError) in
            guard let category = identity.attribute("category"), let type = identity.attribute("type") else {
                throw StanzaError(.badRequest, text: "an identity needs a category and a type (XEP-0030 §3.1)")
            }
            return DiscoIdentity(category: category, type: type, name: identity.attribute("name"),
                                 language: identity.attribute("lang", namespace: XMLNamespace.xml))
        }
        features = Set(element.children("feature", namespace: Self.namespace).compactMap { $0.attribute("var") })
        forms = try element.children("x", namespace: DataForm.namespace).map { form throws(StanzaError) in try DataForm(element: form) }
    }

    public var element: XMLElement {
        var element = XMLElement("query", namespace: Self.namespace)
        element.setAttribute("node", to: node)
        for identity in identities { element.append(identity.element) }
        for feature in features.sorted() { element.append(XMLElement("feature", namespace: Self.namespace, attributes: ["var": feature])) }
        for form in forms { element.append(form.element) }
        return element
    }

    /// The extended form whose `FORM_TYPE` is `formType` (XEP-0128 §2).
    public func form(ofType formType: String) -> DataForm? {
        forms.first { $0.formType == formType }
    }
}
