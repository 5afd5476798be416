import XMPPCore
import XMPPXML

/// A last-activity answer, `<query xmlns='jabber:iq:last' seconds='…'>status</query>` (XEP-0012 §2).
///
/// What `seconds` counts depends on whom was asked (§2, §7): see ``Meaning``.
public struct LastActivity: Sendable, Hashable {
    public static let namespace = "jabber:iq:last"

    /// What the seconds of an answer mean, by the form of the JID that answered (XEP-0012 §2, §7).
    public enum Meaning: Sendable, Hashable {
        /// An account (`localpart@domain`): seconds since it last logged out, 0 while online (§3).
        case sinceLastLogout
        /// A connected resource (`localpart@domain/resource`): seconds its user has been idle (§4).
        case idle
        /// A server or service (`domain`): seconds since it started (§5).
        case uptime

        public init(for jid: JID) {
            if jid.localpart == nil {
                self = .uptime
            } else if jid.resourcepart == nil {
                self = .sinceLastLogout
            } else {
                self = .idle
            }
        }
    }

    /// The REQUIRED `seconds` attribute (§2), an `xs:unsignedLong` (§11).
    public var seconds: UInt64
    /// The status of the last unavailable presence, for an account (§3); nil when absent or empty.
    public var status: String?

    public init(seconds: UInt64, status: String? = nil) {
        self.seconds = seconds
        self.status = status
    }

    /// ``seconds`` as a duration (saturating at `Int64.max` seconds).
    public var duration: Duration { .seconds(Int64(clamping: seconds)) }

    /// Reads the `<query/>` of a result.
    /// - Throws: `bad-request` for another element, or a missing, negative, non-numeric or
    ///   out-of-range `seconds`.
    public init(element: XMLElement) throws(StanzaError) {
        guard element.name == "query", element.namespace == Self.namespace else {
            throw StanzaError(.badRequest, text: "expected <query xmlns='jabber:iq:last'/> (XEP-0012 §2)")
        }
        guard let text = element.attribute("seconds") else {
            throw StanzaError(.badRequest, text: "a last-activity result needs 'seconds' (XEP-0012 §2)")
        }
        guard let seconds = Self.unsignedLong(text) else {
            throw StanzaError(.badRequest, text: "'seconds' must be an xs:unsignedLong (XEP-0012 §11)")
        }
        self.seconds = seconds
        let status = element.text
        self.status = status.isEmpty ? nil : status
    }

    public var element: XMLElement {
        var element = XMLElement("query", namespace: Self.namespace, attributes: ["seconds": String(seconds)])
        if let status { element.append(text: status) }
        return element
    }

    /// XML Schema's `unsignedLong` lexical form: optional `+`, decimal digits, surrounding
    /// whitespace collapsed; nil for anything else, a minus sign, or a value above 2⁶⁴−1.
    static func unsignedLong(_ text: String) -> UInt64? {
        var digits = Substring(text)
        let space: Set<Character> = [" ", "\t", "\n", "\r", "\r\n"]
        while let first = digits.first, space.contains(first) { digits = digits.dropFirst() }
        while let last = digits.last, space.contains(last) { digits = digits.dropLast() }
        if digits.first == "+" { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return UInt64(digits)
    }
}
