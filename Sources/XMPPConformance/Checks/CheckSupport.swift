import XMPPClient
import XMPPCore
import XMPPXML

/// Reading the answers checks look at.
enum Answer {
    /// The defined condition of a `<stream:error/>` (RFC 6120 §4.9.2), if any.
    static func streamCondition(_ error: XMLElement?) -> String? {
        error?.elements.first { $0.namespace == XMPPNamespace.streamErrors && $0.name != "text" }?.name
    }

    /// The `<error/>` child of an error stanza (RFC 6120 §8.3.2).
    static func stanzaError(_ stanza: XMLElement) -> XMLElement? {
        guard stanza.attribute("type") == "error" else { return nil }
        return stanza.elements.first { $0.name == "error" }
    }

    /// The defined condition of an error stanza (RFC 6120 §8.3.3), if any.
    static func stanzaCondition(_ stanza: XMLElement) -> String? {
        stanzaError(stanza)?.elements.first { $0.namespace == XMPPNamespace.stanzaErrors && $0.name != "text" }?.name
    }

    /// `result`, or `error (condition)`, for messages.
    static func summary(_ stanza: XMLElement) -> String {
        let type = stanza.attribute("type") ?? "(no type)"
        guard type == "error" else { return type }
        return "error (\(stanzaCondition(stanza) ?? "no defined condition"))"
    }
}

extension IQ {
    /// An IQ get or set to `to` with these children, as raw XML (checks send what a client
    /// library would refuse to build).
    static func raw(_ type: String, id: String = StanzaID.make(), to: String?, _ children: String) -> String {
        let to = to.map { " to='\($0)'" } ?? ""
        return "<iq type='\(type)' id='\(id)'\(to)>\(children)</iq>"
    }
}

extension StreamProbe {
    /// Sends raw IQ XML with `id` and returns the reply.
    func request(raw xml: String, id: String, within timeout: Duration = StreamProbe.defaultTimeout) async throws(CheckSetupError) -> XMLElement {
        try await send(xml)
        guard let reply = await reply(to: id, within: timeout) else {
            throw CheckSetupError("no reply to IQ \(id) within \(timeout)")
        }
        return reply
    }

    /// The next `<message/>` from `from` (any, when nil) within `timeout`, skipping other
    /// elements; nil when none came.
    func nextMessage(within timeout: Duration = StreamProbe.defaultTimeout, where matches: (XMLElement) -> Bool = { _ in true }) async -> XMLElement? {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            switch await next(within: deadline - clock.now) {
            case .element(let element)? where element.name == "message" && matches(element):
                return element
            case .element?, .header?, .tlsEstablished?:
                continue
            default:
                return nil
            }
        }
        return nil
    }
}
