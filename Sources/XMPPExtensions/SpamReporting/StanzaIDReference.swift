import XMPPCore
import XMPPXML

/// A copy of a message's `<stanza-id/>` (XEP-0359 §3), as a report names the messages it is about
/// (XEP-0377 §6).
public struct StanzaIDReference: Sendable, Hashable {
    public static let namespace = "urn:xmpp:sid:0"

    /// The entity that assigned the id (for a 1:1 message, usually the reporter's own account).
    public var by: JID
    public var id: String

    public init(by: JID, id: String) {
        self.by = by
        self.id = id
    }

    /// Reads `<stanza-id xmlns='urn:xmpp:sid:0' by='…' id='…'/>`.
    /// - Throws: `bad-request` when `by` or `id` is missing or `by` is not a JID (XEP-0359 §3).
    public init(element: XMLElement) throws(StanzaError) {
        guard element.name == "stanza-id", element.namespace == Self.namespace,
              let byValue = element.attribute("by"), let id = element.attribute("id"), !id.isEmpty else {
            throw StanzaError(.badRequest, text: "a <stanza-id/> needs 'by' and 'id' (XEP-0359 §3)")
        }
        guard let by = try? JID(byValue) else { throw StanzaError(.jidMalformed, text: "<stanza-id/> 'by' is not a JID") }
        self.init(by: by, id: id)
    }

    /// The `<stanza-id/>` of a message we received, when its archive (`by`) stamped one.
    public init?(in message: Message, by archive: JID) {
        guard let element = message.element.children("stanza-id", namespace: Self.namespace)
            .first(where: { $0.attribute("by").flatMap { try? JID($0) } == archive }),
            let reference = try? StanzaIDReference(element: element) else { return nil }
        self = reference
    }

    public var element: XMLElement {
        XMLElement("stanza-id", namespace: Self.namespace, attributes: ["by": by.description, "id": id])
    }
}
