/// Why an ``XMLElement`` cannot be written as XML 1.0.
public enum XMLSerializationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A code point that XML 1.0 §2.2 `Char` excludes (C0 controls other than tab, LF and CR; U+FFFE; U+FFFF).
    /// Such text cannot be sent at all, not even as a character reference, so it is refused rather than altered.
    case invalidCharacter(UInt32)
    /// An element or attribute name that is not an XML NCName (Namespaces in XML 1.0 §3).
    case invalidName(String)
    /// `xmlns` or `xmlns:*` given as an ordinary attribute: declarations are derived from namespaces.
    case reservedAttribute(String)

    public var description: String {
        switch self {
        case .invalidCharacter(let scalar):
            return "character U+\(String(scalar, radix: 16, uppercase: true)) is not allowed in XML 1.0"
        case .invalidName(let name):
            return "'\(name)' is not a valid XML name"
        case .reservedAttribute(let name):
            return "'\(name)' is a namespace declaration, not an attribute: set the namespace instead"
        }
    }
}
