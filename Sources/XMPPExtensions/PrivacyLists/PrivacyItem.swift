import XMPPCore
import XMPPXML

/// One rule of a privacy list (XEP-0016 §2.1): what it matches, what it does, where it sits in
/// the processing order, and which stanzas it applies to.
public struct PrivacyItem: Sendable, Hashable {
    /// §2.1 `type` and `value`.
    public enum Match: Sendable, Hashable {
        /// `type='jid'`: a JID, matched as §2.1 orders (full, bare, domain/resource, domain).
        case jid(JID)
        /// `type='group'`: a roster group.
        case group(String)
        /// `type='subscription'`: a subscription state.
        case subscription(Subscription)
        /// No `type`: the fall-through rule, matching everything.
        case everyone
    }

    /// §2.1: the subscription states a `subscription` rule may name ("none" includes strangers).
    public enum Subscription: String, Sendable, Hashable, CaseIterable {
        case both, to, from, none
    }

    /// §2.1: `action` MUST be allow or deny.
    public enum Action: String, Sendable, Hashable, CaseIterable {
        case allow, deny
    }

    /// §2.1: the child elements narrowing a rule to some stanzas; none means every stanza.
    public enum StanzaKind: String, Sendable, Hashable, CaseIterable {
        case message
        case iq
        case presenceIn = "presence-in"
        case presenceOut = "presence-out"
    }

    public var match: Match
    public var action: Action
    /// §2.1: a non-negative integer (xs:unsignedInt), unique in its list.
    public var order: UInt32
    /// Empty: the rule applies to every stanza.
    public var stanzas: Set<StanzaKind>

    public init(_ match: Match, action: Action, order: UInt32, stanzas: Set<StanzaKind> = []) {
        self.match = match
        self.action = action
        self.order = order
        self.stanzas = stanzas
    }

    /// Reads an `<item/>`.
    /// - Throws: `bad-request` for a missing or unknown `action` or `type`, an `order` that is not
    ///   an unsignedInt, a `jid` value that is not a JID, a subscription value that is not one of the
    ///   four, a typed rule without a value, or an unknown child in `jabber:iq:privacy`.
    public init(element: XMLElement) throws(StanzaError) {
        guard element.name == "item", element.namespace == PrivacyList.namespace else {
            throw StanzaError(.badRequest, text: "expected <item xmlns='\(PrivacyList.namespace)'/>")
        }
        guard let actionValue = element.attribute("action"), let action = Action(rawValue: actionValue) else {
            throw StanzaError(.badRequest, text: "a privacy item's 'action' MUST be allow or deny (XEP-0016 §2.1)")
        }
        guard let orderValue = element.attribute("order"), orderValue.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              let order = UInt32(orderValue) else {
            throw StanzaError(.badRequest, text: "a privacy item's 'order' MUST be a non-negative integer (XEP-0016 §2.1)")
        }
        let value = element.attribute("value")
        let match: Match
        switch element.attribute("type") {
        case nil:
            match = .everyone
        case "jid":
            guard let value else { throw StanzaError(.badRequest, text: "a jid rule needs a 'value' (XEP-0016 §2.1)") }
            do { match = .jid(try JID(value)) } catch {
                throw StanzaError(.badRequest, text: "a jid rule's value MUST be a valid JID (XEP-0016 §2.1): \(error)")
            }
        case "group":
            guard let value, !value.isEmpty else { throw StanzaError(.badRequest, text: "a group rule needs a 'value' (XEP-0016 §2.1)") }
            match = .group(value)
        case "subscription":
            guard let value, let subscription = Subscription(rawValue: value) else {
                throw StanzaError(.badRequest, text: "a subscription rule's value MUST be both, to, from or none (XEP-0016 §2.1)")
            }
            match = .subscription(subscription)
        case let other?:
            throw StanzaError(.badRequest, text: "unknown privacy item type '\(other)' (XEP-0016 §2.1)")
        }
        var stanzas = Set<StanzaKind>()
        for child in element.elements where child.namespace == PrivacyList.namespace {
            guard let kind = StanzaKind(rawValue: child.name) else {
                throw StanzaError(.badRequest, text: "unknown privacy item child <\(child.name)/> (XEP-0016 §2.1)")
            }
            stanzas.insert(kind)
        }
        self.init(match, action: action, order: order, stanzas: stanzas)
    }

    public var element: XMLElement {
        var element = XMLElement("item", namespace: PrivacyList.namespace)
        switch match {
        case .jid(let jid):
            element.setAttribute("type", to: "jid")
            element.setAttribute("value", to: jid.description)
        case .group(let group):
            element.setAttribute("type", to: "group")
            element.setAttribute("value", to: group)
        case .subscription(let subscription):
            element.setAttribute("type", to: "subscription")
            element.setAttribute("value", to: subscription.rawValue)
        case .everyone:
            break
        }
        element.setAttribute("action", to: action.rawValue)
        element.setAttribute("order", to: String(order))
        for kind in StanzaKind.allCases where stanzas.contains(kind) {
            element.append(XMLElement(kind.rawValue, namespace: PrivacyList.namespace))
        }
        return element
    }
}
