import XMPPXML

/// A stream-level error (RFC 6120 §4.9): `<stream:error/>`, after which the stream is closed.
public struct StreamError: Error, Sendable, Hashable, CustomStringConvertible {
    /// RFC 6120 §4.9.3: the defined conditions.
    public enum Condition: String, Sendable, Hashable, CaseIterable {
        case badFormat = "bad-format"                       // §4.9.3.1
        case badNamespacePrefix = "bad-namespace-prefix"    // §4.9.3.2
        case conflict                                       // §4.9.3.3
        case connectionTimeout = "connection-timeout"       // §4.9.3.4
        case hostGone = "host-gone"                         // §4.9.3.5
        case hostUnknown = "host-unknown"                   // §4.9.3.6
        case improperAddressing = "improper-addressing"     // §4.9.3.7
        case internalServerError = "internal-server-error"  // §4.9.3.8
        case invalidFrom = "invalid-from"                   // §4.9.3.9
        case invalidNamespace = "invalid-namespace"         // §4.9.3.10
        case invalidXML = "invalid-xml"                     // §4.9.3.11
        case notAuthorized = "not-authorized"               // §4.9.3.12
        case notWellFormed = "not-well-formed"              // §4.9.3.13
        case policyViolation = "policy-violation"           // §4.9.3.14
        case remoteConnectionFailed = "remote-connection-failed"  // §4.9.3.15
        case reset                                          // §4.9.3.16
        case resourceConstraint = "resource-constraint"     // §4.9.3.17
        case restrictedXML = "restricted-xml"               // §4.9.3.18
        case seeOtherHost = "see-other-host"                // §4.9.3.19
        case systemShutdown = "system-shutdown"             // §4.9.3.20
        case undefinedCondition = "undefined-condition"     // §4.9.3.21
        case unsupportedEncoding = "unsupported-encoding"   // §4.9.3.22
        case unsupportedFeature = "unsupported-feature"     // §4.9.3.23
        case unsupportedStanzaType = "unsupported-stanza-type"  // §4.9.3.24
        case unsupportedVersion = "unsupported-version"     // §4.9.3.25
    }

    public var condition: Condition
    public var text: String?
    /// §4.9.3.19: where to reconnect, for `see-other-host` (a host, `host:port` or `[IPv6]:port`).
    public var otherHost: String?
    /// §4.9.4: an application-specific condition element.
    public var applicationCondition: XMLElement?

    public init(_ condition: Condition, text: String? = nil, otherHost: String? = nil, applicationCondition: XMLElement? = nil) {
        self.condition = condition
        self.text = text
        self.otherHost = otherHost
        self.applicationCondition = applicationCondition
    }

    /// Reads `<stream:error/>`; an unknown condition reads as `undefined-condition` (§4.9.3.21).
    public init(element: XMLElement) {
        var condition: Condition = .undefinedCondition
        var text: String?
        var otherHost: String?
        var application: XMLElement?
        for child in element.elements {
            if child.namespace == XMPPNamespace.streamErrors {
                if child.name == "text" {
                    text = child.text
                } else if let known = Condition(rawValue: child.name) {
                    condition = known
                    if known == .seeOtherHost {
                        let host = child.text.trimmingWhitespace
                        if !host.isEmpty { otherHost = host }
                    }
                }
            } else if application == nil {
                application = child
            }
        }
        self.init(condition, text: text, otherHost: otherHost, applicationCondition: application)
    }

    /// The parser's verdict as the stream error to send before closing (RFC 6120 §4.9.1.2).
    public init(_ parserError: XMLStreamError) {
        let condition: Condition
        switch parserError.condition {
        case .notWellFormed: condition = .notWellFormed
        case .restrictedXML: condition = .restrictedXML
        case .policyViolation: condition = .policyViolation
        case .badFormat: condition = .badFormat
        case .invalidNamespace: condition = .invalidNamespace
        }
        self.init(condition, text: parserError.reason)
    }

    /// `<stream:error/>` as an element in the stream namespace.
    public var element: XMLElement {
        var error = XMLElement("error", namespace: XMPPNamespace.streams)
        var conditionElement = XMLElement(condition.rawValue, namespace: XMPPNamespace.streamErrors)
        if let otherHost, condition == .seeOtherHost { conditionElement.append(text: otherHost) }
        error.append(conditionElement)
        if let text { error.append(XMLElement("text", namespace: XMPPNamespace.streamErrors, text: text)) }
        if let applicationCondition { error.append(applicationCondition) }
        return error
    }

    public var description: String {
        var result = "stream error \(condition.rawValue)"
        if let otherHost { result += " → \(otherHost)" }
        if let text { result += ": \(text)" }
        return result
    }
}

extension String {
    /// The string without leading and trailing white space (`Character.isWhitespace`).
    public var trimmingWhitespace: String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
