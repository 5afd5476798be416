import XMPPXML

/// An `<iq/>` stanza: a request and its response (RFC 6120 §8.2.3).
public struct IQ: Stanza {
    public static let elementName = "iq"

    /// RFC 6120 §8.2.3: the four IQ types.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case get, set, result, error
        public var isRequest: Bool { self == .get || self == .set }
    }

    public private(set) var element: XMLElement

    /// Reads an IQ from the wire, enforcing §8.2.3: an `id`, a known `type`, exactly one payload in a
    /// get or set, at most one in a result.
    public init(element: XMLElement) throws(StanzaError) {
        try Self.validateCommon(element)
        guard let id = element.attribute("id"), !id.isEmpty else {
            throw StanzaError(.badRequest, text: "an IQ needs an 'id' (RFC 6120 §8.2.3)")
        }
        guard let kind = element.attribute("type").flatMap(Kind.init(rawValue:)) else {
            throw StanzaError(.badRequest, text: "an IQ's 'type' must be get, set, result or error (RFC 6120 §8.2.3)")
        }
        let payloads = element.elements.filter { !($0.name == "error" && $0.namespace == element.namespace) }
        switch kind {
        case .get, .set:
            guard payloads.count == 1 else {
                throw StanzaError(.badRequest, text: "an IQ \(kind.rawValue) must contain exactly one payload (RFC 6120 §8.2.3)")
            }
        case .result:
            guard payloads.count <= 1 else {
                throw StanzaError(.badRequest, text: "an IQ result may contain at most one payload (RFC 6120 §8.2.3)")
            }
        case .error:
            guard element.child("error", namespace: element.namespace) != nil else {
                throw StanzaError(.badRequest, text: "an IQ error must contain <error/> (RFC 6120 §8.3.1)")
            }
        }
        self.element = element
    }

    /// A new IQ. Requests get a fresh id unless one is given.
    public init(_ kind: Kind, id: String = StanzaID.make(), to: JID? = nil, from: JID? = nil, payload: XMLElement? = nil) {
        var element = XMLElement("iq", namespace: XMPPNamespace.client, attributes: ["type": kind.rawValue, "id": id])
        element.setJID("to", to)
        element.setJID("from", from)
        if let payload { element.append(payload) }
        self.element = element
    }

    public var kind: Kind { element.attribute("type").flatMap(Kind.init(rawValue:)) ?? .error }

    /// The request's or result's payload: the first child that is not `<error/>`.
    public var payload: XMLElement? {
        element.elements.first { !($0.name == "error" && $0.namespace == element.namespace) }
    }

    /// The `result` answering this request (§8.2.3), addressed back to its sender.
    public func makeResult(payload: XMLElement? = nil) -> IQ {
        IQ(.result, id: id ?? StanzaID.make(), to: from, payload: payload)
    }

    /// The `error` answering this request (§8.3.1): it may include the original payload, and does.
    public func makeError(_ error: StanzaError) -> IQ {
        var reply = IQ(.error, id: id ?? StanzaID.make(), to: from, payload: payload)
        reply.element.append(error.element(contentNamespace: element.namespace))
        return reply
    }
}
