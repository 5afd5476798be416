import XMPPCore
import XMPPXML

/// The payloads of the blocking command (XEP-0191 §3): the blocklist, a block, an unblock.
public enum BlockingCommand: Sendable, Hashable {
    public static let namespace = "urn:xmpp:blocking"
    /// XEP-0191 §3.3: the application error condition for stanzas to a blocked contact.
    public static let errorsNamespace = "urn:xmpp:blocking:errors"
    /// More items than a blocking payload may carry by default: the XML parser's default child
    /// limit (`XMLParserLimits.maxChildrenPerElement`), so nothing the stream can deliver is refused.
    public static let defaultItemLimit = 50_000

    /// §3.2: `<blocklist/>`, the request (no items) or the result (one item per blocked JID).
    case blocklist([BlockItem])
    /// §3.3: `<block/>`, at least one item.
    case block([BlockItem])
    /// §3.4: `<unblock/>` with items; §3.5: without items, unblock everyone.
    case unblock([BlockItem])

    public var items: [BlockItem] {
        switch self {
        case .blocklist(let items), .block(let items), .unblock(let items): return items
        }
    }

    /// Reads a `<blocklist/>`, `<block/>` or `<unblock/>`.
    /// - Parameter itemLimit: more child elements than this is refused before any is parsed, so an
    ///   oversized payload costs no more than counting its children.
    /// - Throws: `bad-request` for an unknown element, a `<block/>` without items (§3.3), a
    ///   malformed item; `resource-constraint` for more items than `itemLimit`.
    public init(element: XMLElement, itemLimit: Int = BlockingCommand.defaultItemLimit) throws(StanzaError) {
        guard element.namespace == Self.namespace else {
            throw StanzaError(.badRequest, text: "expected a payload in \(Self.namespace)")
        }
        let count = element.children.lazy.filter { $0.element != nil }.count
        guard count <= itemLimit else {
            throw StanzaError(.resourceConstraint, text: "a <\(element.name)/> with \(count) items is over the limit of \(itemLimit)")
        }
        var items: [BlockItem] = []
        items.reserveCapacity(count)
        for child in element.elements {
            // §10 schema: only <item/> children; anything else is malformed.
            items.append(try BlockItem(element: child))
        }
        switch element.name {
        case "blocklist": self = .blocklist(items)
        case "block":
            guard !items.isEmpty else { throw StanzaError(.badRequest, text: "a <block/> needs at least one <item/> (XEP-0191 §3.3)") }
            self = .block(items)
        case "unblock": self = .unblock(items)
        default: throw StanzaError(.badRequest, text: "unknown blocking element <\(element.name)/>")
        }
    }

    public var element: XMLElement {
        let name: String
        switch self {
        case .blocklist: name = "blocklist"
        case .block: name = "block"
        case .unblock: name = "unblock"
        }
        var element = XMLElement(name, namespace: Self.namespace)
        for item in items { element.append(item.element) }
        return element
    }
}
