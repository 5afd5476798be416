/// One specification XMPPKit implements, where, and how completely: the source of truth that
/// `Specs/xmppkit.doap` states for xmpp.org (a test keeps the two equal).
public struct ProtocolSupport: Sendable, Hashable {
    /// DOAP `xmpp:status` values (https://linkmauve.fr/ns/xmpp-doap#).
    public enum Status: String, Sendable, Hashable {
        case complete, partial
    }

    /// `RFC 6120` or `XEP-0030`; for XMPPKit's own protocols, the path of their spec (`Specs/…`).
    public var specification: String
    /// The XEP version implemented; nil for an RFC.
    public var version: String?
    public var status: Status
    /// The module implementing it, when it is an extension module.
    public var module: String?
    /// Where it lives, relative to `Sources/`.
    public var folder: String
    /// What is left out, for `partial`.
    public var note: String?

    public init(_ specification: String, version: String? = nil, status: Status = .complete, module: String? = nil,
                folder: String, note: String? = nil) {
        self.specification = specification
        self.version = version
        self.status = status
        self.module = module
        self.folder = folder
        self.note = note
    }

    /// Every specification XMPPKit implements.
    public static let all: [ProtocolSupport] = core + extensions

    /// The RFCs and XEPs the client session implements (`XMPPClient`).
    public static let core: [ProtocolSupport] = [
        ProtocolSupport("RFC 6120", folder: "XMPPClient"),
        ProtocolSupport("RFC 7395", folder: "XMPPClient/Transport/WebSocket"),
        ProtocolSupport("RFC 7622", status: .partial, folder: "XMPPCore/JID", note: "no bidi rule (RFC 5893)"),
        ProtocolSupport("RFC 5802", folder: "XMPPClient/SASL"),
        ProtocolSupport("RFC 7677", folder: "XMPPClient/SASL"),
        ProtocolSupport("RFC 9266", folder: "XMPPClient/TLS"),
        ProtocolSupport("XEP-0138", version: "2.1", folder: "XMPPClient/Transport"),
        ProtocolSupport("XEP-0198", version: "1.6.1", folder: "XMPPClient/StreamManagement"),
        ProtocolSupport("XEP-0352", version: "1.0.0", folder: "XMPPClient/Session"),
        ProtocolSupport("XEP-0368", version: "1.1.0", folder: "XMPPClient/Resolver"),
        ProtocolSupport("XEP-0440", version: "0.4.2", status: .partial, folder: "XMPPClient/Negotiation",
                        note: "reads the advertised channel-binding types"),
    ]

    /// The extension modules (`XMPPExtensions`), one folder each.
    public static let extensions: [ProtocolSupport] = [
        ProtocolSupport("XEP-0004", version: "2.13.1", folder: "XMPPExtensions/DataForms"),
        ProtocolSupport("XEP-0030", version: "2.5.0", module: "ServiceDiscoveryModule", folder: "XMPPExtensions/ServiceDiscovery"),
        ProtocolSupport("XEP-0128", version: "1.0.1", folder: "XMPPExtensions/ServiceDiscovery"),
        ProtocolSupport("XEP-0115", version: "1.6.0", module: "EntityCapabilitiesModule", folder: "XMPPExtensions/EntityCapabilities"),
        // RFC 6121 §2 (roster, with §2.6 versioning) and §3 (subscriptions, with §3.4 pre-approval);
        // §4–§5 presence and messages are the client's own.
        ProtocolSupport("RFC 6121", module: "RosterModule", folder: "XMPPExtensions/Roster"),
        ProtocolSupport("RFC 6121", module: "PresenceSubscriptionModule", folder: "XMPPExtensions/Subscriptions"),
        ProtocolSupport("XEP-0237", version: "1.3", module: "RosterModule", folder: "XMPPExtensions/Roster"),
        ProtocolSupport("XEP-0077", version: "2.4", module: "RegistrationModule", folder: "XMPPExtensions/Registration"),
        ProtocolSupport("XEP-0157", version: "1.1.1", module: "ContactAddressesModule", folder: "XMPPExtensions/ContactAddresses"),
        ProtocolSupport("XEP-0363", version: "1.1.0", module: "HTTPUploadModule", folder: "XMPPExtensions/HTTPUpload"),
        ProtocolSupport("RFC 9112", folder: "XMPPExtensions/HTTPUpload/HTTP"),
        ProtocolSupport("XEP-0454", version: "0.1.0", folder: "XMPPExtensions/MediaEncryption"),
        ProtocolSupport("XEP-0054", version: "1.3.0", module: "VCardModule", folder: "XMPPExtensions/VCard"),
        ProtocolSupport("XEP-0153", version: "1.1.1", module: "VCardAvatarModule", folder: "XMPPExtensions/VCardAvatar"),
        ProtocolSupport("XEP-0012", version: "2.0", module: "LastActivityModule", folder: "XMPPExtensions/LastActivity"),
        ProtocolSupport("XEP-0049", version: "1.2", module: "PrivateStorageModule", folder: "XMPPExtensions/PrivateStorage"),
        ProtocolSupport("XEP-0199", version: "2.0.1", module: "PingModule", folder: "XMPPExtensions/Ping"),
        ProtocolSupport("XEP-0016", version: "1.7", module: "PrivacyListsModule", folder: "XMPPExtensions/PrivacyLists"),
        ProtocolSupport("XEP-0191", version: "1.3", module: "BlockingModule", folder: "XMPPExtensions/Blocking"),
        ProtocolSupport("XEP-0377", version: "0.4.1", module: "SpamReportingModule", folder: "XMPPExtensions/SpamReporting"),
        // XMPPKit's own protocol: specified in Specs/, not an XSF specification, so not in the DOAP.
        ProtocolSupport("Specs/blocked-notice.md", version: "0.1", module: "BlockedNoticeModule", folder: "XMPPExtensions/BlockedNotice"),
    ]
}
