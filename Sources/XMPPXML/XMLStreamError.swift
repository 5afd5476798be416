/// Why the parser stopped: the stream-level condition to close the stream with (RFC 6120 §4.9.3) and
/// what exactly was wrong.
///
/// After an error the parser stays failed; every later ``XMLStreamParser/feed(_:)`` throws it again.
public struct XMLStreamError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The RFC 6120 stream error condition each failure maps to.
    public enum Condition: String, Sendable, Hashable, CaseIterable {
        /// §4.9.3.13: the data is not namespace-well-formed XML (includes invalid UTF-8, an unbound prefix).
        case notWellFormed = "not-well-formed"
        /// §4.9.3.18 and §11.1: a comment, processing instruction, DTD or entity reference other than the predefined ones.
        case restrictedXML = "restricted-xml"
        /// §4.9.3.14: a configured ``XMLParserLimits`` bound was exceeded.
        case policyViolation = "policy-violation"
        /// §4.9.3.1: well-formed XML that is not a valid XMPP stream (text between stanzas, say).
        case badFormat = "bad-format"
        /// §4.9.3.10: the stream element is not `stream` in `http://etherx.jabber.org/streams`.
        case invalidNamespace = "invalid-namespace"
    }

    public var condition: Condition
    /// What was wrong, for people reading logs.
    public var reason: String
    /// Offset in the stream of the byte where the problem was found, when known.
    public var byteOffset: Int?

    public init(_ condition: Condition, _ reason: String, byteOffset: Int? = nil) {
        self.condition = condition
        self.reason = reason
        self.byteOffset = byteOffset
    }

    public var description: String {
        if let byteOffset { return "\(condition.rawValue): \(reason) (at byte \(byteOffset))" }
        return "\(condition.rawValue): \(reason)"
    }
}
