import XMPPClient
import XMPPCore
import XMPPXML

/// Privacy lists (XEP-0016 1.7): reads, writes and removes the account's lists, selects the
/// session's active list and the account's default list (or declines either), and answers the
/// server's list pushes (§2.6).
///
/// XEP-0016 is deprecated in favour of XEP-0191 (``BlockingModule``); use it where a server has
/// no blocking command, or for rules blocking cannot express (groups, subscriptions, stanza kinds).
public actor PrivacyListsModule: XMPPModule {
    public nonisolated let features: [String] = []
    public nonisolated let routes: [StanzaRoute] = [.iq("query", PrivacyList.namespace)]

    public enum Event: Sendable, Hashable {
        /// §2.2 rule 10 / §2.6: the server pushed the name of a list that was added, edited or removed.
        case listChanged(name: String)
    }

    public nonisolated let itemLimit: Int
    private let broadcaster = EventBroadcaster<Event>()
    private var context = ModuleContext.unattached

    /// - Parameter itemLimit: the most items accepted in a list read from the server.
    public init(itemLimit: Int = PrivacyList.defaultItemLimit) {
        self.itemLimit = itemLimit
    }

    /// Every privacy-list event from now on.
    public nonisolated var events: AsyncStream<Event> { broadcaster.subscribe() }

    public func attach(_ context: ModuleContext) async {
        self.context = context
    }

    /// The names of our lists, with the active and default ones (§2.3, Examples 1–2).
    public func listNames() async throws -> PrivacyListNames {
        let reply = try await context.send(IQ(.get, payload: XMLElement("query", namespace: PrivacyList.namespace)))
        guard let payload = reply.payload else { return PrivacyListNames() }
        return try PrivacyListNames(element: payload)
    }

    /// The list called `name` (§2.3, Examples 3–8).
    /// - Throws: `item-not-found` from the server when there is none (Example 9); `bad-request`
    ///   for a malformed list (repeated orders, unknown actions or types).
    public func list(named name: String) async throws -> PrivacyList {
        var query = XMLElement("query", namespace: PrivacyList.namespace)
        query.append(XMLElement("list", namespace: PrivacyList.namespace, attributes: ["name": name]))
        let reply = try await context.send(IQ(.get, payload: query))
        guard let list = reply.payload?.child("list", namespace: PrivacyList.namespace) else {
            throw StanzaError(.badRequest, text: "the result carries no <list/> (XEP-0016 §2.3)")
        }
        return try PrivacyList(element: list, itemLimit: itemLimit)
    }

    /// Creates or replaces `list` with all its items (§2.6 edit, §2.7 add; never a delta).
    /// - Throws: `bad-request` locally for a list without items (that would remove it, §2.8:
    ///   use ``removeList(named:)``); ``StanzaError`` from the server.
    public func setList(_ list: PrivacyList) async throws {
        guard !list.items.isEmpty else {
            throw StanzaError(.badRequest, text: "a list without items would remove it (XEP-0016 §2.8); use removeList(named:)")
        }
        _ = try await context.send(IQ(.set, payload: Self.query(list.element)))
    }

    /// Removes the list called `name` (§2.8).
    /// - Throws: `conflict` when the list applies to another resource; `item-not-found` when there is none.
    public func removeList(named name: String) async throws {
        _ = try await context.send(IQ(.set, payload: Self.query(XMLElement("list", namespace: PrivacyList.namespace, attributes: ["name": name]))))
    }

    /// Makes `name` this session's active list, or with nil declines any active list (§2.4,
    /// Examples 11 and 14).
    public func setActive(_ name: String?) async throws {
        _ = try await context.send(IQ(.set, payload: Self.query(Self.selection("active", name))))
    }

    /// Makes `name` the account's default list, or with nil declines any default list (§2.5,
    /// Examples 16 and 20).
    /// - Throws: `conflict` when another resource uses the current default (Example 18).
    public func setDefault(_ name: String?) async throws {
        _ = try await context.send(IQ(.set, payload: Self.query(Self.selection("default", name))))
    }

    /// §2.6 Examples 25–26: a privacy list push names one list; we acknowledge it with a result.
    /// Pushes come only from our own account (no `from`, or our bare JID); a query from anyone
    /// else is answered `service-unavailable`, as is a get (a client holds no lists to give).
    public func handleRequest(_ request: IQ) async throws(StanzaError) -> IQ? {
        if let from = request.from {
            guard let me = try? await context.boundJID(), from == me.bare else { return nil }
        }
        guard request.kind == .set, let query = request.payload else { return nil }
        let children = query.elements
        // §2.1: a set carries exactly one child; a push names exactly one list.
        guard children.count == 1, let list = children.first, list.name == "list", list.namespace == PrivacyList.namespace,
              let name = list.attribute("name"), !name.isEmpty else {
            throw StanzaError(.badRequest, text: "a privacy list push names exactly one <list/> (XEP-0016 §2.2 rule 10)")
        }
        broadcaster.yield(.listChanged(name: name))
        return request.makeResult()
    }

    private static func query(_ child: XMLElement) -> XMLElement {
        var query = XMLElement("query", namespace: PrivacyList.namespace)
        query.append(child)
        return query
    }

    private static func selection(_ element: String, _ name: String?) -> XMLElement {
        var selection = XMLElement(element, namespace: PrivacyList.namespace)
        selection.setAttribute("name", to: name)
        return selection
    }
}

extension PrivacyListsModule: ServerFeatureDetecting {
    /// The server advertises `jabber:iq:privacy` in disco#info (XEP-0016 predates XEP-0030 and
    /// defines no feature; servers announce the namespace).
    public func isSupportedByServer() async throws -> Bool {
        try await context.serverSupports(PrivacyList.namespace)
    }
}
