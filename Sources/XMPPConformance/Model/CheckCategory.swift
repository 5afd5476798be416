/// Which layer of XMPP a check belongs to.
public enum CheckCategory: String, Sendable, Hashable, Codable, CaseIterable {
    /// RFC 6120: streams, TLS, SASL, binding, stanza semantics.
    case core
    /// RFC 6121: roster, subscriptions, presence, message routing.
    case im
    /// XEPs, and RFC 7395 (WebSocket).
    case extensions
}

/// The XEP-0479 (XMPP Compliance Suites 2023) levels a check contributes to, for servers.
public enum ComplianceLevel: String, Sendable, Hashable, Codable, CaseIterable {
    case coreServer = "core-server"
    case advancedCoreServer = "advanced-core-server"
    case imServer = "im-server"
    case advancedIMServer = "advanced-im-server"
    case mobileServer = "mobile-server"
    case webServer = "web-server"
}
