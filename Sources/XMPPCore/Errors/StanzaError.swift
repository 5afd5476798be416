import XMPPXML

/// A stanza-level error (RFC 6120 §8.3): the `<error/>` child of a stanza whose `type` is `error`.
///
/// Thrown by `XMPPClient.send(_:)` for IQ errors, and built by modules to answer requests.
public struct StanzaError: Error, Sendable, Hashable, CustomStringConvertible {
    /// RFC 6120 §8.3.2: what the entity is expected to do next.
    public enum ErrorType: String, Sendable, Hashable, CaseIterable {
        case auth, cancel, `continue`, modify, wait
    }

    /// RFC 6120 §8.3.3: the defined conditions, each with the type the RFC gives it.
    public enum Condition: String, Sendable, Hashable, CaseIterable {
        case badRequest = "bad-request"                      // §8.3.3.1
        case conflict                                       // §8.3.3.2
        case featureNotImplemented = "feature-not-implemented"  // §8.3.3.3
        case forbidden                                      // §8.3.3.4
        case gone                                           // §8.3.3.5
        case internalServerError = "internal-server-error"  // §8.3.3.6
        case itemNotFound = "item-not-found"                // §8.3.3.7
        case jidMalformed = "jid-malformed"                 // §8.3.3.8
        case notAcceptable = "not-acceptable"               // §8.3.3.9
        case notAllowed = "not-allowed"                     // §8.3.3.10
        case notAuthorized = "not-authorized"               // §8.3.3.11
        case policyViolation = "policy-violation"           // §8.3.3.12
        case recipientUnavailable = "recipient-unavailable" // §8.3.3.13
        case redirect                                       // §8.3.3.14
        case registrationRequired = "registration-required" // §8.3.3.15
        case remoteServerNotFound = "remote-server-not-found"   // §8.3.3.16
        case remoteServerTimeout = "remote-server-timeout"  // §8.3.3.17
        case resourceConstraint = "resource-constraint"     // §8.3.3.18
        case serviceUnavailable = "service-unavailable"     // §8.3.3.19
        case subscriptionRequired = "subscription-required" // §8.3.3.20
        case undefinedCondition = "undefined-condition"     // §8.3.3.21
        case unexpectedRequest = "unexpected-request"       // §8.3.3.22

        /// The error type RFC 6120 §8.3.3 pairs with the condition in its examples.
        public var defaultType: ErrorType {
            switch self {
            case .badRequest, .jidMalformed, .notAcceptable, .policyViolation, .redirect: return .modify
            case .conflict, .featureNotImplemented, .gone, .internalServerError, .itemNotFound, .notAllowed,
                 .remoteServerNotFound, .serviceUnavailable, .undefinedCondition: return .cancel
            case .forbidden, .notAuthorized, .registrationRequired, .subscriptionRequired: return .auth
            case .recipientUnavailable, .remoteServerTimeout, .resourceConstraint, .unexpectedRequest: return .wait
            }
        }
    }

    public var condition: Condition
    public var type: ErrorType
    /// §8.3.2: optional human-readable text, and its language.
    public var text: String?
    public var textLanguage: String?
    /// §8.3.2 `by`: the entity that generated the error, when given.
    public var by: String?
    /// §8.3.3.5 / §8.3.3.14: the alternative address carried by `gone` and `redirect`.
    public var alternativeAddress: String?
    /// §8.3.2: an application-specific condition element, in its own namespace.
    public var applicationCondition: XMLElement?

    public init(_ condition: Condition, type: ErrorType? = nil, text: String? = nil, textLanguage: String? = nil,
                by: String? = nil, alternativeAddress: String? = nil, applicationCondition: XMLElement? = nil) {
        self.condition = condition
        self.type = type ?? condition.defaultType
        self.text = text
        self.textLanguage = textLanguage
        self.by = by
        self.alternativeAddress = alternativeAddress
        self.applicationCondition = applicationCondition
    }

    /// Reads an `<error/>` element (§8.3.2). An element with no known condition reads as
    /// `undefined-condition`, and a missing or unknown type as the condition's default, since
    /// §8.3.2 requires both and a receiver must still report something.
    public init(element: XMLElement) {
        var condition: Condition = .undefinedCondition
        var text: String?
        var textLanguage: String?
        var alternativeAddress: String?
        var application: XMLElement?
        for child in element.elements {
            if child.namespace == XMPPNamespace.stanzaErrors {
                if child.name == "text" {
                    text = child.text
                    textLanguage = child.attribute("lang", namespace: XMLNamespace.xml)
                } else if let known = Condition(rawValue: child.name) {
                    condition = known
                    let address = child.text
                    if !address.isEmpty { alternativeAddress = address }
                }
            } else if application == nil {
                application = child
            }
        }
        self.init(condition, type: element.attribute("type").flatMap(ErrorType.init(rawValue:)), text: text,
                  textLanguage: textLanguage, by: element.attribute("by"), alternativeAddress: alternativeAddress,
                  applicationCondition: application)
    }

    /// The `<error/>` element, in `contentNamespace` (the stream's: `jabber:client`).
    public func element(contentNamespace: String = XMPPNamespace.client) -> XMLElement {
        var error = XMLElement("error", namespace: contentNamespace, attributes: ["type": type.rawValue])
        if let by { error.setAttribute("by", to: by) }
        var conditionElement = XMLElement(condition.rawValue, namespace: XMPPNamespace.stanzaErrors)
        if let alternativeAddress, condition == .gone || condition == .redirect {
            conditionElement.append(text: alternativeAddress)
        }
        error.append(conditionElement)
        if let text {
            var textElement = XMLElement("text", namespace: XMPPNamespace.stanzaErrors, text: text)
            if let textLanguage { textElement.attributes.append(.lang(textLanguage)) }
            error.append(textElement)
        }
        if let applicationCondition { error.append(applicationCondition) }
        return error
    }

    public var description: String {
        var result = "\(condition.rawValue) (\(type.rawValue))"
        if let text { result += ": \(text)" }
        return result
    }
}
