import XMPPCore
import XMPPXML

/// The `<stream:features/>` a server offers (RFC 6120 §4.3.2), read into what negotiation needs.
public struct StreamFeatures: Sendable, Hashable {
    public var element: XMLElement

    public init(element: XMLElement) {
        self.element = element
    }

    /// RFC 6120 §5.4.1: STARTTLS offered, and whether the server marks it required.
    public var startTLS: (offered: Bool, required: Bool) {
        guard let starttls = element.child("starttls", namespace: XMPPNamespace.tls) else { return (false, false) }
        return (true, starttls.child("required", namespace: XMPPNamespace.tls) != nil)
    }

    /// RFC 6120 §6.4.1: the SASL mechanism names offered, in the server's order.
    public var saslMechanisms: [String] {
        element.child("mechanisms", namespace: XMPPNamespace.sasl)?
            .children("mechanism", namespace: XMPPNamespace.sasl).map { $0.text.trimmingWhitespace } ?? []
    }

    /// XEP-0440 §2: the channel-binding types the server supports, or nil when it does not say.
    public var channelBindingTypes: [String]? {
        guard let list = element.child("sasl-channel-binding", namespace: XMPPNamespace.channelBindingTypes) else { return nil }
        return list.children("channel-binding", namespace: XMPPNamespace.channelBindingTypes).compactMap { $0.attribute("type") }
    }

    /// RFC 6120 §7.4: resource binding offered.
    public var bind: Bool { element.child("bind", namespace: XMPPNamespace.bind) != nil }
    /// XEP-0198 §3: stream management offered.
    public var streamManagement: Bool { element.child("sm", namespace: XMPPNamespace.streamManagement) != nil }
    /// XEP-0352 §2: client state indication offered.
    public var clientStateIndication: Bool { element.child("csi", namespace: XMPPNamespace.clientStateIndication) != nil }
    /// XEP-0138 §2: the compression methods offered (`zlib`, …).
    public var compressionMethods: [String] {
        element.child("compression", namespace: XMPPNamespace.compressionFeature)?
            .children("method", namespace: XMPPNamespace.compressionFeature).map { $0.text.trimmingWhitespace } ?? []
    }
    /// XEP-0077 §2: in-band registration advertised as a stream feature.
    public var inBandRegistration: Bool { element.child("register", namespace: "http://jabber.org/features/iq-register") != nil }

    /// Every feature as `name namespace`, for reports.
    public var summary: [String] {
        element.elements.map { "\($0.name) \($0.namespace)" }
    }
}
