import XMPPCore
import XMPPXML

/// The payload of an XMPPKit blocked notice (Specs/blocked-notice.md §2.1): the sender blocked
/// the recipient, or unblocked them. XMPPKit's own protocol: only XMPPKit clients send and read it.
public enum BlockedNotice: String, Sendable, Hashable, CaseIterable {
    public static let namespace = "urn:xmppkit:blocked-notice:0"
    /// XEP-0334 §4: the hint asking servers to store the notice offline.
    public static let hintsNamespace = "urn:xmpp:hints"

    case blocked
    case unblocked

    /// The notice a message carries, if it carries exactly one (spec §4.1); nil otherwise.
    public init?(in message: Message) {
        let payloads = message.element.elements.filter { $0.namespace == Self.namespace }
        guard payloads.count == 1, let payload = payloads.first, let notice = BlockedNotice(rawValue: payload.name) else { return nil }
        self = notice
    }

    public var element: XMLElement {
        XMLElement(rawValue, namespace: Self.namespace)
    }

    /// The message carrying the notice to `jid`'s bare JID (spec §2.1): type `normal`, no body,
    /// and the `<store/>` hint.
    public func message(to jid: JID) -> Message {
        var message = Message(.normal, to: jid.bare)
        message.append(element)
        message.append(XMLElement("store", namespace: Self.hintsNamespace))
        return message
    }
}
