/// Namespace names used by the core protocols (RFC 6120, RFC 6121) and the stream-level extensions
/// the client negotiates. Extension modules keep their own namespaces beside their stanza types.
public enum XMPPNamespace {
    /// RFC 6120 §4.8.2: the content namespace of client streams.
    public static let client = "jabber:client"
    /// RFC 6120 §4.8.2: the content namespace of server-to-server streams.
    public static let server = "jabber:server"
    /// RFC 6120 §4.8.1: the stream namespace.
    public static let streams = "http://etherx.jabber.org/streams"
    /// RFC 6120 §4.9.2: stream error conditions.
    public static let streamErrors = "urn:ietf:params:xml:ns:xmpp-streams"
    /// RFC 6120 §8.3.2: stanza error conditions.
    public static let stanzaErrors = "urn:ietf:params:xml:ns:xmpp-stanzas"
    /// RFC 6120 §5.4.2: STARTTLS.
    public static let tls = "urn:ietf:params:xml:ns:xmpp-tls"
    /// RFC 6120 §6.4.1: SASL.
    public static let sasl = "urn:ietf:params:xml:ns:xmpp-sasl"
    /// RFC 6120 §7.2: resource binding.
    public static let bind = "urn:ietf:params:xml:ns:xmpp-bind"
    /// RFC 3921 §3 (kept for servers that still advertise it; RFC 6121 dropped it).
    public static let session = "urn:ietf:params:xml:ns:xmpp-session"
    /// RFC 7395 §3.3.2: WebSocket framing.
    public static let framing = "urn:ietf:params:xml:ns:xmpp-framing"
    /// XEP-0198: stream management.
    public static let streamManagement = "urn:xmpp:sm:3"
    /// XEP-0138 §2: stream compression, the negotiation.
    public static let compression = "http://jabber.org/protocol/compress"
    /// XEP-0138 §2: stream compression, the stream feature.
    public static let compressionFeature = "http://jabber.org/features/compress"
    /// XEP-0352: client state indication.
    public static let clientStateIndication = "urn:xmpp:csi:0"
    /// XEP-0440: SASL channel-binding type capability.
    public static let channelBindingTypes = "urn:xmpp:sasl-cb:0"
}
