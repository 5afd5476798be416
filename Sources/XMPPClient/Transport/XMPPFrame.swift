import XMPPXML

/// What the session reads from a transport: stream events, and word that TLS is up.
public enum XMPPInboundFrame: Sendable {
    case event(XMLStreamEvent)
    /// The TLS handshake finished (after STARTTLS, or at once for direct TLS).
    case tlsEstablished(TLSSessionInfo)
}

/// What the session writes to a transport; each transport frames it its own way (TCP: plain XML;
/// RFC 7395 WebSocket: `<open/>`/`<close/>` and one element per message).
public enum XMPPOutboundFrame: Sendable {
    case streamHeader(XMLStreamHeader)
    case element(XMLElement)
    case whitespaceKeepalive
    case streamClose
}
