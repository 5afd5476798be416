import XMPPClient
import XMPPCore
import XMPPXML

/// The `<query xmlns='jabber:iq:roster'/>` of a roster get, result, set or push (RFC 6121 §2.1),
/// with its version (§2.1.1, §2.6).
public struct RosterQuery: Sendable, Hashable {
    public static let namespace = RosterItem.namespace

    /// RFC 6121 §2.1.1 / §2.6: the roster version; opaque, set only by the server.
    public var version: String?
    public var items: [RosterItem]

    public init(version: String? = nil, items: [RosterItem] = []) {
        self.version = version
        self.items = items
    }

    /// What reading a roster result kept and what it had to leave out.
    public struct Result: Sendable, Hashable {
        public var query: RosterQuery
        /// Items that broke RFC 6121 §2.1.2 (no or an invalid `jid`, unknown values, `remove`, bad
        /// groups) and were left out.
        public var invalid: Int
        /// Valid items past `limit`, left out.
        public var overLimit: Int
    }

    /// Reads the `<query/>` of a roster result (RFC 6121 §2.1.4), keeping every valid item and
    /// leaving out the others, at most `limit` of them.
    ///
    /// A result answers our request, so there is no one to return an error to (RFC 6120 §8.2.3: a
    /// response is never answered). One bad item (a contact stored under stringprep rules that
    /// RFC 7622's PRECIS rejects, say) must not cost the user the rest of the roster, so each
    /// invalid item is skipped alone rather than the whole result rejected. `subscription='remove'`
    /// belongs to sets and pushes (§2.1.2.5), never to a result, and is skipped too.
    /// - Throws: `bad-request` when `query` is not a roster query.
    public static func result(_ query: XMLElement, limit: Int = .max) throws(StanzaError) -> Result {
        try requireQuery(query)
        var items: [RosterItem] = []
        var invalid = 0
        var overLimit = 0
        for element in query.children("item", namespace: namespace) {
            guard let item = try? RosterItem(element: element), item.subscription != .remove else {
                invalid += 1
                continue
            }
            guard items.count < limit else {
                overLimit += 1
                continue
            }
            items.append(item)
        }
        return Result(query: RosterQuery(version: query.attribute("ver"), items: items), invalid: invalid, overLimit: overLimit)
    }

    /// Reads the `<query/>` of a roster push (RFC 6121 §2.1.6): exactly one valid item.
    /// - Throws: `bad-request` when the push holds no item or more than one (§2.1.6 rule 1), or the
    ///   item's own error (``RosterItem/init(element:)``).
    public static func push(_ query: XMLElement) throws(StanzaError) -> RosterQuery {
        try requireQuery(query)
        let elements = query.children("item", namespace: namespace)
        guard elements.count == 1, let element = elements.first else {
            throw StanzaError(.badRequest, text: "a roster push carries exactly one item (RFC 6121 §2.1.6)")
        }
        return RosterQuery(version: query.attribute("ver"), items: [try RosterItem(element: element)])
    }

    private static func requireQuery(_ query: XMLElement) throws(StanzaError) {
        guard query.name == "query", query.namespace == namespace else {
            throw StanzaError(.badRequest, text: "expected <query xmlns='\(namespace)'/>")
        }
    }

    /// The query as the server sends it (a result or push, RFC 6121 §2.1.4, §2.1.6).
    public var element: XMLElement {
        var element = XMLElement("query", namespace: Self.namespace)
        element.setAttribute("ver", to: version)
        for item in items { element.append(item.element) }
        return element
    }
}

/// The roster-versioning stream feature (RFC 6121 §2.6.1; XEP-0237 §2.1).
public enum RosterVersioning {
    public static let featureNamespace = "urn:xmpp:features:rosterver"

    /// Whether `features` advertise `<ver xmlns='urn:xmpp:features:rosterver'/>`.
    public static func isAdvertised(in features: StreamFeatures?) -> Bool {
        features?.element.child("ver", namespace: featureNamespace) != nil
    }
}
