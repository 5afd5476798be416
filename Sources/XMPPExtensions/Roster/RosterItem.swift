import XMPPCore
import XMPPXML

/// One contact in the roster: an `<item/>` in a `jabber:iq:roster` query (RFC 6121 §2.1.2).
public struct RosterItem: Sendable, Hashable, Codable {
    /// The roster namespace (RFC 6121 §2.1).
    public static let namespace = "jabber:iq:roster"

    /// RFC 6121 §2.1.2.5: the state of the presence subscription between the user and the contact.
    public enum Subscription: String, Sendable, Hashable, Codable, CaseIterable {
        /// Neither side is subscribed to the other's presence.
        case none
        /// The user is subscribed to the contact's presence.
        case to
        /// The contact is subscribed to the user's presence.
        case from
        /// Both are subscribed to each other's presence.
        case both
        /// Only in a roster set (the client deletes the item, §2.5) and in the push that announces
        /// the deletion (§2.5.2); never a state an item is in.
        case remove
    }

    /// RFC 6121 §2.1.2.2: a pending outbound subscription request; `subscribe` is the only value.
    public enum Ask: String, Sendable, Hashable, Codable, CaseIterable {
        case subscribe
    }

    /// RFC 6121 §2.1.2.3: the contact's JID, which identifies the item (REQUIRED).
    public var jid: JID
    /// RFC 6121 §2.1.2.4: the user's name for the contact.
    public var name: String?
    /// RFC 6121 §2.1.2.5; `none` when the attribute is absent.
    public var subscription: Subscription
    /// RFC 6121 §2.1.2.2: `.subscribe` while the user's request to the contact awaits an answer.
    public var ask: Ask?
    /// RFC 6121 §2.1.2.1: the user pre-approved the contact's subscription request (§3.4).
    public var approved: Bool
    /// RFC 6121 §2.1.2.6: the groups the item belongs to, each once, none empty.
    public var groups: [String]

    public init(jid: JID, name: String? = nil, subscription: Subscription = .none, ask: Ask? = nil,
                approved: Bool = false, groups: [String] = []) {
        self.jid = jid
        self.name = name
        self.subscription = subscription
        self.ask = ask
        self.approved = approved
        self.groups = groups
    }

    /// Reads an `<item/>`, enforcing RFC 6121 §2.1.2 and the item rules of §2.3.3.
    /// - Throws: `bad-request` for a missing `jid` (§2.1.2.3), an unknown `subscription` (§2.1.2.5),
    ///   `ask` (§2.1.2.2) or `approved` (§2.1.2.1) value, or a group given twice (§2.3.3);
    ///   `jid-malformed` for a `jid` that is not a JID (RFC 7622); `not-acceptable` for an empty
    ///   group (§2.3.3).
    public init(element: XMLElement) throws(StanzaError) {
        guard element.name == "item", element.namespace == Self.namespace else {
            throw StanzaError(.badRequest, text: "expected <item xmlns='\(Self.namespace)'/>")
        }
        guard let value = element.attribute("jid") else {
            throw StanzaError(.badRequest, text: "a roster item needs a 'jid' (RFC 6121 §2.1.2.3)")
        }
        let jid: JID
        do { jid = try JID(value) } catch {
            throw StanzaError(.jidMalformed, text: "the item's 'jid' is not a valid JID (RFC 6121 §2.1.2.3)")
        }
        var subscription = Subscription.none
        if let raw = element.attribute("subscription") {
            guard let known = Subscription(rawValue: raw) else {
                throw StanzaError(.badRequest, text: "'subscription' must be none, to, from, both or remove (RFC 6121 §2.1.2.5)")
            }
            subscription = known
        }
        var ask: Ask?
        if let raw = element.attribute("ask") {
            guard let known = Ask(rawValue: raw) else {
                throw StanzaError(.badRequest, text: "the only 'ask' value is subscribe (RFC 6121 §2.1.2.2)")
            }
            ask = known
        }
        var approved = false
        if let raw = element.attribute("approved") {
            switch raw {
            case "true", "1": approved = true
            case "false", "0": approved = false
            default: throw StanzaError(.badRequest, text: "'approved' is a boolean (RFC 6121 §2.1.2.1)")
            }
        }
        let groups = element.children("group", namespace: Self.namespace).map(\.text)
        try Self.validate(groups: groups)
        let name = element.attribute("name")
        self.init(jid: jid, name: name?.isEmpty == true ? nil : name, subscription: subscription, ask: ask,
                  approved: approved, groups: groups)
    }

    /// RFC 6121 §2.3.3: a group of zero length is `not-acceptable`, a group given twice `bad-request`.
    static func validate(groups: [String]) throws(StanzaError) {
        var seen = Set<String>()
        for group in groups {
            guard !group.isEmpty else {
                throw StanzaError(.notAcceptable, text: "a roster group cannot be empty (RFC 6121 §2.3.3)")
            }
            guard seen.insert(group).inserted else {
                throw StanzaError(.badRequest, text: "roster group '\(group)' is given twice (RFC 6121 §2.3.3)")
            }
        }
    }

    /// The item as a server sends it in a roster result or push (RFC 6121 §2.1.4, §2.1.6).
    public var element: XMLElement {
        var element = XMLElement("item", namespace: Self.namespace, attributes: ["jid": jid.description])
        element.setAttribute("name", to: name)
        element.setAttribute("subscription", to: subscription.rawValue)
        element.setAttribute("ask", to: ask?.rawValue)
        if approved { element.setAttribute("approved", to: "true") }
        for group in groups { element.append(XMLElement("group", namespace: Self.namespace, text: group)) }
        return element
    }

    /// The item as a client sends it in a roster set (RFC 6121 §2.3.1, §2.4.1, §2.5.1): no `ask` or
    /// `approved` (§2.1.2.1, §2.1.2.2: the server sets those), and `subscription` only as `remove`
    /// (§2.1.2.5).
    public var requestElement: XMLElement {
        var element = XMLElement("item", namespace: Self.namespace, attributes: ["jid": jid.description])
        if subscription == .remove {
            element.setAttribute("subscription", to: Subscription.remove.rawValue)
            return element
        }
        element.setAttribute("name", to: name)
        for group in groups { element.append(XMLElement("group", namespace: Self.namespace, text: group)) }
        return element
    }

    /// Whether the user receives the contact's presence (RFC 6121 §2.1.2.5 `to` or `both`).
    public var isSubscribedToContact: Bool { subscription == .to || subscription == .both }
    /// Whether the contact receives the user's presence (RFC 6121 §2.1.2.5 `from` or `both`).
    public var isContactSubscribed: Bool { subscription == .from || subscription == .both }
}
