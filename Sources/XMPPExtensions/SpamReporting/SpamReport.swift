import XMPPCore
import XMPPXML

/// An abuse report (XEP-0377 §4), carried inside a blocking command's `<item/>` (§6).
public struct SpamReport: Sendable, Hashable {
    public static let namespace = "urn:xmpp:reporting:1"

    /// §4: why the JID is reported; the registry (§11.4) may grow, so other URNs are kept as read.
    public enum Reason: Sendable, Hashable, RawRepresentable {
        /// `urn:xmpp:reporting:spam`: unwanted messages.
        case spam
        /// `urn:xmpp:reporting:abuse`: general abuse.
        case abuse
        case other(String)

        public init(rawValue: String) {
            switch rawValue {
            case "urn:xmpp:reporting:spam": self = .spam
            case "urn:xmpp:reporting:abuse": self = .abuse
            default: self = .other(rawValue)
            }
        }

        public var rawValue: String {
            switch self {
            case .spam: return "urn:xmpp:reporting:spam"
            case .abuse: return "urn:xmpp:reporting:abuse"
            case .other(let urn): return urn
            }
        }
    }

    /// §4 / §8: a user-provided explanation, with its language.
    public struct Text: Sendable, Hashable {
        public var text: String
        public var language: String?

        public init(_ text: String, language: String? = nil) {
            self.text = text
            self.language = language
        }
    }

    public var reason: Reason
    /// §6: the reported messages, by the stanza ids their archive gave them (XEP-0359, XEP-0313).
    public var stanzaIDs: [StanzaIDReference]
    public var texts: [Text]
    /// §5: the reporter allows forwarding the report to the domain the messages came from.
    public var reportOrigin: Bool
    /// §5: the reporter allows forwarding the report to third-party services.
    public var thirdParty: Bool

    public init(reason: Reason, stanzaIDs: [StanzaIDReference] = [], texts: [Text] = [],
                reportOrigin: Bool = false, thirdParty: Bool = false) {
        self.reason = reason
        self.stanzaIDs = stanzaIDs
        self.texts = texts
        self.reportOrigin = reportOrigin
        self.thirdParty = thirdParty
    }

    /// Reads `<report xmlns='urn:xmpp:reporting:1' reason='…'>`.
    /// - Throws: `bad-request` without a `reason` (§4: MUST), or for a malformed `<stanza-id/>`.
    public init(element: XMLElement) throws(StanzaError) {
        guard element.name == "report", element.namespace == Self.namespace else {
            throw StanzaError(.badRequest, text: "expected <report xmlns='\(Self.namespace)'/>")
        }
        guard let reason = element.attribute("reason"), !reason.isEmpty else {
            throw StanzaError(.badRequest, text: "a report MUST have a 'reason' (XEP-0377 §4)")
        }
        self.reason = Reason(rawValue: reason)
        stanzaIDs = try element.children("stanza-id", namespace: StanzaIDReference.namespace).map { child throws(StanzaError) in
            try StanzaIDReference(element: child)
        }
        texts = element.children("text", namespace: Self.namespace).map {
            Text($0.text, language: $0.attribute("lang", namespace: XMLNamespace.xml))
        }
        reportOrigin = element.child("report-origin", namespace: Self.namespace) != nil
        thirdParty = element.child("third-party", namespace: Self.namespace) != nil
    }

    /// The `<report/>`, children in the order of the §12 schema: stanza ids, texts, opt-ins.
    public var element: XMLElement {
        var element = XMLElement("report", namespace: Self.namespace, attributes: ["reason": reason.rawValue])
        for reference in stanzaIDs { element.append(reference.element) }
        for text in texts {
            var child = XMLElement("text", namespace: Self.namespace, text: text.text)
            if let language = text.language { child.attributes.append(.lang(language)) }
            element.append(child)
        }
        if reportOrigin { element.append(XMLElement("report-origin", namespace: Self.namespace)) }
        if thirdParty { element.append(XMLElement("third-party", namespace: Self.namespace)) }
        return element
    }
}
