/// Why a string cannot be enforced by a PRECIS profile (RFC 8264 §7, §8).
public enum PRECISError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The string is empty after the profile's rules were applied (RFC 8265 §3.3.2, §4.2.2;
    /// RFC 8266 §2.3).
    case empty
    /// The code point is DISALLOWED or UNASSIGNED in the profile's string class (RFC 8264 §8).
    case disallowedCodePoint(Unicode.Scalar, PRECISDerivedProperty)
    /// A CONTEXTJ or CONTEXTO code point whose contextual rule fails where it stands
    /// (RFC 5892 Appendix A).
    case contextRuleFailed(Unicode.Scalar)
    /// Applying the rules did not reach a fixed point after three further applications
    /// (RFC 8264 §7).
    case unstable

    public var description: String {
        switch self {
        case .empty:
            return "the string is empty after preparation"
        case .disallowedCodePoint(let scalar, let property):
            return "\(PRECISError.name(of: scalar)) is \(property)"
        case .contextRuleFailed(let scalar):
            return "\(PRECISError.name(of: scalar)) is not allowed in this context (RFC 5892 Appendix A)"
        case .unstable:
            return "the string does not stabilise under the profile's rules (RFC 8264 §7)"
        }
    }

    /// "U+2163 ROMAN NUMERAL FOUR", or just the code point when Unicode gives no name.
    static func name(of scalar: Unicode.Scalar) -> String {
        var hex = String(scalar.value, radix: 16, uppercase: true)
        if hex.count < 4 { hex = String(repeating: "0", count: 4 - hex.count) + hex }
        if let name = scalar.properties.name ?? scalar.properties.nameAlias {
            return "U+\(hex) \(name)"
        }
        return "U+\(hex)"
    }
}
