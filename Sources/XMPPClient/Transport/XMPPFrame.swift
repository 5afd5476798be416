import XMPPXML

/// What the session reads from a transport: stream events, and word that TLS is up.
public enum XMPPInboundFrame: Sendable {
    case event(XMLStreamEvent)
    /// The TLS handshake finished (after STARTTLS, or at once for direct TLS).
    case tlsEstablished(TLSSessionInfo)
    /// The peer's bytes broke RFC 6120 §11 or a parser limit; nothing more will be read.
    /// Delivered in order with the frames before it, so the session cannot mistake it for a clean end.
    case malformedInput(XMLStreamError)
}

/// What the session writes to a transport; each transport frames it its own way (TCP: plain XML;
/// RFC 7395 WebSocket: `<open/>`/`<close/>` and one element per message).
public enum XMPPOutboundFrame: Sendable {
    case streamHeader(XMLStreamHeader)
    case element(XMLElement)
    case whitespaceKeepalive
    case streamClose
}
