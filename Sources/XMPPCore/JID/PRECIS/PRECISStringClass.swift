/// The two PRECIS string classes (RFC 8264 §4) and the derived property of a code point in each
/// (RFC 8264 §8), computed from the categories of RFC 8264 §9.
///
/// The categories are built from Swift's `Unicode.Scalar.Properties` (general category,
/// `isDefaultIgnorableCodePoint`, `isNoncharacterCodePoint`, `isJoinControl`) plus two small,
/// stable tables that the standard library does not expose: the RFC 5892 §2.6 exceptions and the
/// conjoining Hangul jamo ranges (`Hangul_Syllable_Type` L, V, T). `HasCompat` (RFC 8264 §9.17)
/// is computed with Foundation's NFKC.
public enum PRECISStringClass: Sendable, Hashable, CaseIterable {
    /// IdentifierClass (RFC 8264 §4.2): letters and digits, for usernames and other identifiers.
    case identifier
    /// FreeformClass (RFC 8264 §4.3): also spaces, symbols, punctuation and compatibility
    /// characters, for passwords, resourceparts and nicknames.
    case freeform

    /// The derived property of `scalar` in this string class: the algorithm of RFC 8264 §8.
    public func derivedProperty(of scalar: Unicode.Scalar) -> PRECISDerivedProperty {
        let value = scalar.value
        // K. ASCII7 (RFC 8264 §9.11). No exception or backward-compatible entry is ASCII, so
        // checking it first changes nothing and keeps the common case cheap.
        if value >= 0x21 && value <= 0x7E { return .pvalid }
        // F. Exceptions (RFC 8264 §9.6, the list of RFC 5892 §2.6). G. BackwardCompatible is empty.
        if let exception = Self.exception(value) { return exception }
        let properties = scalar.properties
        let category = properties.generalCategory
        // J. Unassigned (RFC 8264 §9.10): Cn that is not a noncharacter.
        if category == .unassigned && !properties.isNoncharacterCodePoint { return .unassigned }
        // H. JoinControl (RFC 8264 §9.8).
        if properties.isJoinControl { return .contextJ }
        // I. OldHangulJamo (RFC 8264 §9.9).
        if Self.isOldHangulJamo(value) { return .disallowed(.oldHangulJamo) }
        // M. PrecisIgnorableProperties (RFC 8264 §9.13).
        if properties.isDefaultIgnorableCodePoint || properties.isNoncharacterCodePoint {
            return .disallowed(.ignorable)
        }
        // L. Controls (RFC 8264 §9.12).
        if category == .control { return .disallowed(.control) }
        // Q. HasCompat (RFC 8264 §9.17).
        if PRECISMapping.hasCompatibilityMapping(scalar) { return classDependent(.compatibility) }
        switch category {
        // A. LetterDigits (RFC 8264 §9.1).
        case .lowercaseLetter, .uppercaseLetter, .otherLetter, .decimalNumber, .modifierLetter,
            .nonspacingMark, .spacingMark:
            return .pvalid
        // R. OtherLetterDigits (RFC 8264 §9.18).
        case .titlecaseLetter, .letterNumber, .otherNumber, .enclosingMark:
            return classDependent(.otherLetterDigit)
        // N. Spaces (RFC 8264 §9.14).
        case .spaceSeparator:
            return classDependent(.space)
        // O. Symbols (RFC 8264 §9.15).
        case .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            return classDependent(.symbol)
        // P. Punctuation (RFC 8264 §9.16).
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
            .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return classDependent(.punctuation)
        default:
            // Format characters that are not default-ignorable, private use, separators...
            return .disallowed(.other)
        }
    }

    /// ID_DIS or FREE_PVAL (RFC 8264 §8).
    private func classDependent(_ reason: PRECISDerivedProperty.Reason) -> PRECISDerivedProperty {
        switch self {
        case .identifier: return .disallowed(reason)
        case .freeform: return .pvalid
        }
    }

    /// RFC 5892 §2.6, referenced by RFC 8264 §9.6.
    private static func exception(_ value: UInt32) -> PRECISDerivedProperty? {
        switch value {
        case 0x00DF, 0x03C2, 0x06FD, 0x06FE, 0x0F0B, 0x3007:
            return .pvalid
        case 0x00B7, 0x0375, 0x05F3, 0x05F4, 0x30FB, 0x0660...0x0669, 0x06F0...0x06F9:
            return .contextO
        case 0x0640, 0x07FA, 0x302E, 0x302F, 0x3031...0x3035, 0x303B:
            return .disallowed(.exception)
        default:
            return nil
        }
    }

    /// Conjoining jamo with `Hangul_Syllable_Type` L, V or T (RFC 8264 §9.9): U+1100–U+11FF,
    /// U+A960–U+A97C and U+D7B0–U+D7FB (assigned ones; the gaps are unassigned and caught earlier).
    static func isOldHangulJamo(_ value: UInt32) -> Bool {
        (0x1100...0x11FF).contains(value) || (0xA960...0xA97C).contains(value)
            || (0xD7B0...0xD7FB).contains(value)
    }
}

/// The value the PRECIS algorithm assigns to a code point (RFC 8264 §8).
public enum PRECISDerivedProperty: Sendable, Hashable {
    /// Allowed anywhere.
    case pvalid
    /// A join control, allowed only where its contextual rule holds (RFC 5892 Appendix A.1–A.2).
    case contextJ
    /// Allowed only where its contextual rule holds (RFC 5892 Appendix A.3–A.9).
    case contextO
    /// Never allowed, with the category that made it so.
    case disallowed(Reason)
    /// Not assigned in the Unicode version of this Swift runtime (RFC 8264 §9.10).
    case unassigned

    /// Why a code point is disallowed: the RFC 8264 §9 category that decided it.
    public enum Reason: Sendable, Hashable {
        /// Listed as DISALLOWED in the exceptions of RFC 5892 §2.6.
        case exception
        /// A conjoining Hangul jamo (RFC 8264 §9.9).
        case oldHangulJamo
        /// Default-ignorable or a noncharacter (RFC 8264 §9.13).
        case ignorable
        /// A control character (RFC 8264 §9.12).
        case control
        /// Changed by NFKC (RFC 8264 §9.17); IdentifierClass only.
        case compatibility
        /// Titlecase letter, letter number, other number or enclosing mark (RFC 8264 §9.18);
        /// IdentifierClass only.
        case otherLetterDigit
        /// A space character (RFC 8264 §9.14); IdentifierClass only.
        case space
        /// A symbol (RFC 8264 §9.15); IdentifierClass only.
        case symbol
        /// Punctuation (RFC 8264 §9.16); IdentifierClass only.
        case punctuation
        /// In no allowed category (for example format characters or private use).
        case other
    }
}

extension PRECISDerivedProperty: CustomStringConvertible {
    public var description: String {
        switch self {
        case .pvalid: return "PVALID"
        case .contextJ: return "CONTEXTJ"
        case .contextO: return "CONTEXTO"
        case .unassigned: return "UNASSIGNED"
        case .disallowed(let reason): return "DISALLOWED (\(reason))"
        }
    }
}

extension PRECISDerivedProperty.Reason: CustomStringConvertible {
    public var description: String {
        switch self {
        case .exception: return "an exception of RFC 5892 §2.6"
        case .oldHangulJamo: return "a conjoining Hangul jamo, RFC 8264 §9.9"
        case .ignorable: return "default-ignorable or a noncharacter, RFC 8264 §9.13"
        case .control: return "a control character, RFC 8264 §9.12"
        case .compatibility: return "has a compatibility decomposition, RFC 8264 §9.17"
        case .otherLetterDigit: return "titlecase, letter-number, other-number or enclosing mark, RFC 8264 §9.18"
        case .space: return "a space, RFC 8264 §9.14"
        case .symbol: return "a symbol, RFC 8264 §9.15"
        case .punctuation: return "punctuation, RFC 8264 §9.16"
        case .other: return "in no allowed category, RFC 8264 §8"
        }
    }
}
