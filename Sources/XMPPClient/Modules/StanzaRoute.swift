import XMPPCore
import XMPPXML

/// Which inbound stanzas a module consumes: by the (element, namespace) of a payload, as XEP-0030
/// features name them, or every presence (RFC 6121 subscriptions carry no payload).
public struct StanzaRoute: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// IQ get/set whose one payload is this element (RFC 6120 §8.2.3).
        case iq
        /// Messages with a child of this name and namespace.
        case message
        /// Presences with a child of this name and namespace.
        case presence
        /// Every presence.
        case anyPresence
    }

    public var kind: Kind
    public var name: String
    public var namespace: String

    /// An IQ request payload, e.g. `.iq("query", "jabber:iq:roster")`.
    public static func iq(_ name: String, _ namespace: String) -> StanzaRoute { StanzaRoute(kind: .iq, name: name, namespace: namespace) }
    /// A message payload, e.g. `.message("blocked", "urn:xmppkit:blocked-notice:0")`.
    public static func message(_ name: String, _ namespace: String) -> StanzaRoute { StanzaRoute(kind: .message, name: name, namespace: namespace) }
    /// A presence payload, e.g. `.presence("c", "http://jabber.org/protocol/caps")`.
    public static func presence(_ name: String, _ namespace: String) -> StanzaRoute { StanzaRoute(kind: .presence, name: name, namespace: namespace) }
    /// Every presence, whatever it carries.
    public static let anyPresence = StanzaRoute(kind: .anyPresence, name: "", namespace: "")

    public var description: String {
        kind == .anyPresence ? "every presence" : "\(kind) <\(name) xmlns='\(namespace)'/>"
    }
}
