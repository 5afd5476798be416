import XMPPXML

/// A `<presence/>` stanza (RFC 6120 §8.2.2, RFC 6121 §4).
public struct Presence: Stanza {
    public static let elementName = "presence"

    /// RFC 6121 §4.7.1: presence types; no `type` means available.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case available, unavailable, subscribe, subscribed, unsubscribe, unsubscribed, probe, error
    }

    /// RFC 6121 §4.7.2.1: availability sub-states.
    public enum Show: String, Sendable, Hashable, CaseIterable {
        case away, chat, dnd, xa
    }

    public private(set) var element: XMLElement

    public init(element: XMLElement) throws(StanzaError) {
        try Self.validateCommon(element)
        if let type = element.attribute("type"), Kind(rawValue: type) == nil || type == "available" {
            throw StanzaError(.badRequest, text: "'\(type)' is not a presence type (RFC 6121 §4.7.1)")
        }
        if let priority = element.childText("priority", namespace: element.namespace), Int8(priority.trimmingWhitespace) == nil {
            throw StanzaError(.badRequest, text: "priority must be an integer from -128 to 127 (RFC 6121 §4.7.2.3)")
        }
        self.element = element
    }

    public init(_ kind: Kind = .available, to: JID? = nil, show: Show? = nil, status: String? = nil, priority: Int8? = nil) {
        var element = XMLElement("presence", namespace: XMPPNamespace.client)
        if kind != .available { element.setAttribute("type", to: kind.rawValue) }
        element.setJID("to", to)
        if let show { element.append(XMLElement("show", namespace: XMPPNamespace.client, text: show.rawValue)) }
        if let status { element.append(XMLElement("status", namespace: XMPPNamespace.client, text: status)) }
        if let priority { element.append(XMLElement("priority", namespace: XMPPNamespace.client, text: String(priority))) }
        self.element = element
    }

    public var kind: Kind { element.attribute("type").flatMap(Kind.init(rawValue:)) ?? .available }
    public var show: Show? { element.childText("show", namespace: element.namespace).flatMap { Show(rawValue: $0.trimmingWhitespace) } }
    public var status: String? { element.childText("status", namespace: element.namespace) }
    /// RFC 6121 §4.7.2.3; 0 when absent.
    public var priority: Int8 { element.childText("priority", namespace: element.namespace).flatMap { Int8($0.trimmingWhitespace) } ?? 0 }

    /// Appends a payload element (caps, an avatar hash…).
    public mutating func append(_ payload: XMLElement) {
        element.append(payload)
    }

    /// Removes every payload of this name and namespace (to replace one, e.g. an updated caps hash).
    public mutating func removePayloads(_ name: String, namespace: String) {
        element.removeChildren(name, namespace: namespace)
    }
}
