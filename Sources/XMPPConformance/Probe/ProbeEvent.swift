import XMPPClient
import XMPPXML

/// What a ``StreamProbe`` read from the server.
public enum ProbeEvent: Sendable {
    /// The server's stream header (RFC 6120 §4.2).
    case header(XMLStreamHeader)
    /// A complete top-level element.
    case element(XMLElement)
    /// `</stream:stream>` (RFC 6120 §4.4).
    case streamClosed
    /// The TLS handshake finished.
    case tlsEstablished(TLSSessionInfo)
    /// The server's bytes broke XML or RFC 6120 §11; nothing more is read.
    case malformed(XMLStreamError)
    /// The transport failed (e.g. the TLS handshake); the connection is closing.
    case transportError(String)
    /// The TCP connection closed.
    case disconnected

    /// The stream error, when this is one (RFC 6120 §4.9).
    var streamError: XMLElement? {
        if case .element(let element) = self, element.name == "error", element.namespace == XMLStreamHeader.streamNamespace {
            return element
        }
        return nil
    }
}
