/// Why a string or a set of parts is not a valid JID (RFC 7622). One case per invalid form.
///
/// Length limits count UTF-8 bytes after preparation (RFC 7622 §3.2–§3.4); the `byteCount` is the
/// length that was found (for an absurdly long part, the length before preparation).
public enum JIDError: Error, Sendable, Hashable, CustomStringConvertible {
    /// There is no domainpart: the string is empty, starts with "/", or has nothing between "@"
    /// and "/" or the end (RFC 7622 §3.2).
    case emptyDomainpart
    /// An "@" is present but nothing precedes it (RFC 7622 §3.3).
    case emptyLocalpart
    /// A "/" is present but nothing follows it (RFC 7622 §3.4).
    case emptyResourcepart
    /// The localpart is longer than 1023 bytes (RFC 7622 §3.3).
    case localpartTooLong(byteCount: Int)
    /// The domainpart is longer than 1023 bytes (RFC 7622 §3.2).
    case domainpartTooLong(byteCount: Int)
    /// The resourcepart is longer than 1023 bytes (RFC 7622 §3.4).
    case resourcepartTooLong(byteCount: Int)
    /// The localpart contains a code point that UsernameCaseMapped does not allow (RFC 8265 §3.3,
    /// RFC 8264 §8), or one of `" & ' / : < > @` that RFC 7622 §3.3.1 forbids. For a contextual
    /// code point (RFC 5892 Appendix A) it is the one whose rule failed.
    case invalidLocalpartCharacter(Unicode.Scalar)
    /// The resourcepart contains a code point that OpaqueString does not allow (RFC 8265 §4.2,
    /// RFC 8264 §8).
    case invalidResourcepartCharacter(Unicode.Scalar)
    /// The domainpart is not a valid IP literal, IPv4 address or domain name (RFC 7622 §3.2).
    case invalidDomainpart(DomainpartFailure)
    /// The localpart's preparation does not stabilise (RFC 8264 §7).
    case unstableLocalpart
    /// The resourcepart's preparation does not stabilise (RFC 8264 §7).
    case unstableResourcepart

    /// What is wrong with a domainpart.
    public enum DomainpartFailure: Sendable, Hashable, CustomStringConvertible {
        /// Two dots in a row, or a leading dot (a trailing one is stripped, RFC 7622 §3.2).
        case emptyLabel
        /// A label longer than 63 bytes (RFC 1035 §2.3.4), counted in its A-label form for
        /// non-ASCII labels (RFC 5890 §2.3.2.1).
        case labelTooLong(byteCount: Int)
        /// A label that begins or ends with "-" (RFC 5891 §4.2.3.1).
        case hyphenAtLabelEdge
        /// A non-ASCII label with "--" in its third and fourth positions (RFC 5891 §4.2.3.1).
        case hyphensInThirdAndFourthPositions
        /// A label that begins with a combining mark (RFC 5891 §4.2.3.2).
        case leadingCombiningMark(Unicode.Scalar)
        /// A code point not allowed in a domain name: outside letters, digits, "-" and "_" in
        /// ASCII, or not PVALID (or failing its contextual rule) for non-ASCII (RFC 5892).
        case invalidCharacter(Unicode.Scalar)
        /// An "xn--" label that is not a valid A-label (RFC 3492, RFC 5891 §5.3).
        case invalidALabel(String)
        /// All-numeric labels that are not a dotted-quad IPv4 address (RFC 3986 §3.2.2).
        case invalidIPv4Address
        /// A bracketed literal that is not an IPv6 address or IPvFuture (RFC 3986 §3.2.2).
        case invalidIPLiteral

        public var description: String {
            switch self {
            case .emptyLabel:
                return "it has an empty label"
            case .labelTooLong(let count):
                return "a label is \(count) bytes long; the limit is 63 (RFC 1035 §2.3.4)"
            case .hyphenAtLabelEdge:
                return "a label begins or ends with a hyphen (RFC 5891 §4.2.3.1)"
            case .hyphensInThirdAndFourthPositions:
                return "a non-ASCII label has hyphens in its third and fourth positions (RFC 5891 §4.2.3.1)"
            case .leadingCombiningMark(let scalar):
                return "a label begins with the combining mark \(PRECISError.name(of: scalar)) (RFC 5891 §4.2.3.2)"
            case .invalidCharacter(let scalar):
                return "\(PRECISError.name(of: scalar)) is not allowed in a domain name"
            case .invalidALabel(let label):
                return "\"\(label)\" is not a valid A-label (RFC 3492, RFC 5891 §5.3)"
            case .invalidIPv4Address:
                return "it is numeric but not a valid IPv4 address"
            case .invalidIPLiteral:
                return "the bracketed part is not a valid IPv6 address or IPvFuture literal (RFC 3986 §3.2.2)"
            }
        }
    }

    public var description: String {
        switch self {
        case .emptyDomainpart:
            return "invalid JID: the domainpart is empty (RFC 7622 §3.2)"
        case .emptyLocalpart:
            return "invalid JID: the localpart before \"@\" is empty (RFC 7622 §3.3)"
        case .emptyResourcepart:
            return "invalid JID: the resourcepart after \"/\" is empty (RFC 7622 §3.4)"
        case .localpartTooLong(let count):
            return "invalid JID: the localpart is \(count) bytes long; the limit is 1023 (RFC 7622 §3.3)"
        case .domainpartTooLong(let count):
            return "invalid JID: the domainpart is \(count) bytes long; the limit is 1023 (RFC 7622 §3.2)"
        case .resourcepartTooLong(let count):
            return "invalid JID: the resourcepart is \(count) bytes long; the limit is 1023 (RFC 7622 §3.4)"
        case .invalidLocalpartCharacter(let scalar):
            return "invalid JID: \(PRECISError.name(of: scalar)) is not allowed in a localpart: "
                + JIDError.localpartReason(scalar)
        case .invalidResourcepartCharacter(let scalar):
            return "invalid JID: \(PRECISError.name(of: scalar)) is not allowed in a resourcepart: "
                + JIDError.reason(scalar, in: .freeform)
        case .invalidDomainpart(let failure):
            return "invalid JID: invalid domainpart: \(failure)"
        case .unstableLocalpart:
            return "invalid JID: the localpart does not stabilise under UsernameCaseMapped (RFC 8264 §7)"
        case .unstableResourcepart:
            return "invalid JID: the resourcepart does not stabilise under OpaqueString (RFC 8264 §7)"
        }
    }

    private static func localpartReason(_ scalar: Unicode.Scalar) -> String {
        if JID.isForbiddenInLocalpart(scalar) {
            return "RFC 7622 §3.3.1 forbids it"
        }
        return reason(scalar, in: .identifier)
    }

    private static func reason(_ scalar: Unicode.Scalar, in stringClass: PRECISStringClass) -> String {
        let profile = stringClass == .identifier ? "UsernameCaseMapped (RFC 8265 §3.3)" : "OpaqueString (RFC 8265 §4.2)"
        switch stringClass.derivedProperty(of: scalar) {
        case .pvalid:
            return "\(profile) maps it to a code point that is not allowed"
        case .contextJ, .contextO:
            return "its contextual rule fails here (RFC 5892 Appendix A)"
        case let property:
            return "it is \(property) under \(profile)"
        }
    }
}
