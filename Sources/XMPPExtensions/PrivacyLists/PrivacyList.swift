import XMPPCore
import XMPPXML

/// A named privacy list (XEP-0016 §2.1): its rules, in processing order.
public struct PrivacyList: Sendable, Hashable {
    public static let namespace = "jabber:iq:privacy"
    /// Items a list may carry before it is refused: the XML parser's default child limit.
    public static let defaultItemLimit = 50_000

    public var name: String
    /// The rules, sorted by `order` (§2.2 rule 5).
    public var items: [PrivacyItem]

    /// - Throws: `bad-request` for an empty name or repeated `order` values (§2.1).
    public init(name: String, items: [PrivacyItem]) throws(StanzaError) {
        guard !name.isEmpty else { throw StanzaError(.badRequest, text: "a privacy list needs a name (XEP-0016 §2.1)") }
        try Self.checkOrders(items)
        self.name = name
        self.items = items.sorted { $0.order < $1.order }
    }

    /// Reads a `<list name='…'>` with its items.
    /// - Throws: `bad-request` for a missing name, a malformed item, or repeated `order` values
    ///   (§2.1: "unique among all items in the list"); `resource-constraint` for more items than
    ///   `itemLimit` (counted before any is parsed).
    public init(element: XMLElement, itemLimit: Int = PrivacyList.defaultItemLimit) throws(StanzaError) {
        guard element.name == "list", element.namespace == Self.namespace else {
            throw StanzaError(.badRequest, text: "expected <list xmlns='\(Self.namespace)'/>")
        }
        guard let name = element.attribute("name") else { throw StanzaError(.badRequest, text: "a <list/> needs a 'name' (XEP-0016 §2.1)") }
        let count = element.children.lazy.filter { $0.element != nil }.count
        guard count <= itemLimit else {
            throw StanzaError(.resourceConstraint, text: "privacy list '\(name)' has \(count) items, over the limit of \(itemLimit)")
        }
        let items = try element.children("item", namespace: Self.namespace).map { item throws(StanzaError) in
            try PrivacyItem(element: item)
        }
        try self.init(name: name, items: items)
    }

    public var element: XMLElement {
        var element = XMLElement("list", namespace: Self.namespace, attributes: ["name": name])
        for item in items { element.append(item.element) }
        return element
    }

    private static func checkOrders(_ items: [PrivacyItem]) throws(StanzaError) {
        var orders = Set<UInt32>()
        for item in items where !orders.insert(item.order).inserted {
            throw StanzaError(.badRequest, text: "order \(item.order) appears twice; orders MUST be unique (XEP-0016 §2.1)")
        }
    }
}
