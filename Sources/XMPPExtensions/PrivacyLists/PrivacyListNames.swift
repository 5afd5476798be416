import XMPPCore
import XMPPXML

/// The answer to a request for the list names (XEP-0016 §2.3, Example 2): the active list of
/// this session, the default list, and every list's name.
public struct PrivacyListNames: Sendable, Hashable {
    /// The list active for this session, nil when none (or declined).
    public var active: String?
    /// The account's default list, nil when none.
    public var `default`: String?
    public var names: [String]

    public init(active: String? = nil, default: String? = nil, names: [String] = []) {
        self.active = active
        self.default = `default`
        self.names = names
    }

    /// Reads the `<query/>` of the result.
    /// - Throws: `bad-request` for another element or a `<list/>` without a name.
    public init(element: XMLElement) throws(StanzaError) {
        guard element.name == "query", element.namespace == PrivacyList.namespace else {
            throw StanzaError(.badRequest, text: "expected <query xmlns='\(PrivacyList.namespace)'/>")
        }
        active = element.child("active", namespace: PrivacyList.namespace)?.attribute("name")
        self.default = element.child("default", namespace: PrivacyList.namespace)?.attribute("name")
        names = try element.children("list", namespace: PrivacyList.namespace).map { list throws(StanzaError) in
            guard let name = list.attribute("name") else { throw StanzaError(.badRequest, text: "a <list/> needs a 'name' (XEP-0016 §2.3)") }
            return name
        }
    }

    public var element: XMLElement {
        var element = XMLElement("query", namespace: PrivacyList.namespace)
        if let active { element.append(XMLElement("active", namespace: PrivacyList.namespace, attributes: ["name": active])) }
        if let `default` { element.append(XMLElement("default", namespace: PrivacyList.namespace, attributes: ["name": `default`])) }
        for name in names { element.append(XMLElement("list", namespace: PrivacyList.namespace, attributes: ["name": name])) }
        return element
    }
}
