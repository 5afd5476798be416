import XMPPCore
import XMPPXML

/// The `<c/>` element carried in presence (XEP-0115 §4).
public struct CapabilitiesElement: Sendable, Hashable {
    public static let namespace = "http://jabber.org/protocol/caps"

    /// The hash function's IANA name; absent in legacy (pre-1.5) caps, which cannot be verified.
    public var hash: String?
    /// The URI naming the software (§4).
    public var node: String
    /// The verification hash (§5).
    public var ver: String

    public init(hash: String?, node: String, ver: String) {
        self.hash = hash
        self.node = node
        self.ver = ver
    }

    /// Reads a `<c/>`; nil when `node` or `ver` is missing (§4 requires both).
    public init?(element: XMLElement) {
        guard element.name == "c", element.namespace == Self.namespace,
              let node = element.attribute("node"), let ver = element.attribute("ver"), !ver.isEmpty else { return nil }
        self.init(hash: element.attribute("hash"), node: node, ver: ver)
    }

    public var element: XMLElement {
        var element = XMLElement("c", namespace: Self.namespace, attributes: ["node": node, "ver": ver])
        element.setAttribute("hash", to: hash)
        return element
    }
}
