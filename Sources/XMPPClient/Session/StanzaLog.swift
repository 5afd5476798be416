import XMPPCore
import XMPPXML

/// What the session logs of a stanza at `trace`: everything but secrets.
enum StanzaLog {
    /// The element as XML, with SASL payloads (RFC 6120 §6) and in-band registration passwords
    /// (XEP-0077) replaced by `[redacted]`.
    static func redacted(_ element: XMLElement) -> String {
        var copy = element
        redact(&copy)
        return copy.description
    }

    /// A stream event as text for the log.
    static func redacted(_ event: XMLStreamEvent) -> String {
        switch event {
        case .streamOpened(let header): return describe(header)
        case .element(let element): return redacted(element)
        case .streamClosed: return "</stream:stream>"
        }
    }

    static func describe(_ header: XMLStreamHeader) -> String {
        var bytes: [UInt8] = []
        do { try header.serialize(into: &bytes) } catch { return "<stream:stream/> (unprintable: \(error))" }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func redact(_ element: inout XMLElement) {
        if element.namespace == XMPPNamespace.sasl || (element.name == "password" && element.namespace == "jabber:iq:register") {
            if !element.text.isEmpty { element.children = [.text("[redacted]")] }
            return
        }
        for index in element.children.indices {
            if case .element(var child) = element.children[index] {
                redact(&child)
                element.children[index] = .element(child)
            }
        }
    }
}
