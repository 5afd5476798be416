import XMPPCore
import XMPPXML

/// Building the server's replies: results and stanza errors (RFC 6120 §8.2.3, §8.3).
enum ServerStanza {
    static let stanzaErrors = XMPPNamespace.stanzaErrors

    /// The error type RFC 6120 §8.3.3 gives each condition.
    static func errorType(_ condition: String) -> String {
        switch condition {
        case "bad-request", "not-acceptable", "jid-malformed", "policy-violation": "modify"
        case "forbidden", "not-authorized": "auth"
        case "internal-server-error", "resource-constraint", "unexpected-request": "wait"
        default: "cancel"
        }
    }

    /// A reply to `stanza` (to its sender, from its addressee), of the same kind.
    static func reply(to stanza: XMLElement, type: String) -> XMLElement {
        var reply = XMLElement(stanza.name, namespace: XMPPNamespace.client)
        reply.setAttribute("type", to: type)
        reply.setAttribute("id", to: stanza.attribute("id"))
        reply.setAttribute("to", to: stanza.attribute("from"))
        reply.setAttribute("from", to: stanza.attribute("to"))
        return reply
    }

    /// An IQ result with `payload` (RFC 6120 §8.2.3).
    static func result(_ iq: XMLElement, _ payload: XMLElement? = nil) -> XMLElement {
        var reply = reply(to: iq, type: "result")
        if let payload { reply.append(payload) }
        return reply
    }

    /// An error reply with `condition` in the stanza-errors namespace (RFC 6120 §8.3.2); `extra`
    /// goes into `<error/>` after it (an application condition). `typed: false` leaves out the
    /// required `type` attribute (for the misbehaving server only).
    static func error(_ stanza: XMLElement, _ condition: String, extra: XMLElement? = nil, typed: Bool = true) -> XMLElement {
        var reply = reply(to: stanza, type: "error")
        var error = XMLElement("error", namespace: XMPPNamespace.client)
        if typed { error.setAttribute("type", to: errorType(condition)) }
        error.append(XMLElement(condition, namespace: stanzaErrors))
        if let extra { error.append(extra) }
        reply.append(error)
        return reply
    }

    /// A stanza's `type`, with RFC 6120/6121 defaults (`normal` for messages, nil = available presence).
    static func type(of stanza: XMLElement) -> String? {
        let type = stanza.attribute("type")
        if stanza.name == "message" { return type ?? "normal" }
        return type
    }

    /// Whether `element` is a stanza of jabber:client (RFC 6120 §8).
    static func isStanza(_ element: XMLElement) -> Bool {
        element.namespace == XMPPNamespace.client && ["message", "presence", "iq"].contains(element.name)
    }

    /// `to`, parsed; nil when absent. Throws nothing: an unparsable address gives `.invalid`.
    static func address(_ value: String?) -> Address {
        guard let value else { return .none }
        guard let jid = try? JID(value) else { return .invalid }
        return .jid(jid)
    }

    enum Address {
        case none
        case invalid
        case jid(JID)
    }
}

extension JID {
    /// The bare JID as a string (the key of rosters and block lists).
    var bareString: String { bare.description }
}
