import XMPPCore
import XMPPXML

/// An `<item/>` in a disco#items result (XEP-0030 §4.1): an entity (a service, a node) hosted by another.
public struct DiscoItem: Sendable, Hashable {
    public static let namespace = "http://jabber.org/protocol/disco#items"

    public var jid: JID
    public var node: String?
    public var name: String?

    public init(jid: JID, node: String? = nil, name: String? = nil) {
        self.jid = jid
        self.node = node
        self.name = name
    }

    /// Reads the items of a disco#items `<query/>`.
    /// - Throws: `bad-request` for an item without a valid `jid` (§4.1).
    public static func items(in query: XMLElement) throws(StanzaError) -> [DiscoItem] {
        guard query.name == "query", query.namespace == namespace else {
            throw StanzaError(.badRequest, text: "expected <query xmlns='\(namespace)'/>")
        }
        return try query.children("item", namespace: namespace).map { item throws(StanzaError) in
            guard let value = item.attribute("jid"), let jid = try? JID(value) else {
                throw StanzaError(.badRequest, text: "a disco item needs a valid 'jid' (XEP-0030 §4.1)")
            }
            return DiscoItem(jid: jid, node: item.attribute("node"), name: item.attribute("name"))
        }
    }

    public var element: XMLElement {
        var element = XMLElement("item", namespace: Self.namespace, attributes: ["jid": jid.description])
        element.setAttribute("node", to: node)
        element.setAttribute("name", to: name)
        return element
    }
}
