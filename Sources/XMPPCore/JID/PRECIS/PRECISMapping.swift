import Foundation

/// The mapping steps of RFC 8264 §5.2 (width, additional, case, normalization) on arrays of
/// scalars. Internal: the profiles and the domainpart preparation compose them.
enum PRECISMapping {
    // MARK: Width mapping (RFC 8264 §5.2.1, RFC 8265 §3.3.2 step 1)

    /// Maps a fullwidth or halfwidth code point to its decomposition mapping (Decomposition_Type
    /// `<wide>` or `<narrow>`); `nil` for any other code point.
    ///
    /// Swift does not expose decomposition types, so this is the complete list from Unicode's
    /// UnicodeData.txt, which has been stable since Unicode 3.2: the 104 `<wide>` code points are
    /// U+3000 and U+FF01–U+FF60, U+FFE0–U+FFE6; the 122 `<narrow>` ones are U+FF61–U+FFDC (with
    /// gaps) and U+FFE8–U+FFEE. The tests check every entry against Foundation's NFKD.
    static func widthMapping(_ scalar: Unicode.Scalar) -> Unicode.Scalar? {
        let value = scalar.value
        guard value >= 0x3000 else { return nil }
        let mapped: UInt32?
        switch value {
        case 0x3000: mapped = 0x0020
        case 0xFF01...0xFF5E: mapped = value - 0xFEE0
        case 0xFF5F: mapped = 0x2985
        case 0xFF60: mapped = 0x2986
        case 0xFF61...0xFF9F: mapped = UInt32(halfwidthKatakana[Int(value - 0xFF61)])
        case 0xFFA0: mapped = 0x3164
        case 0xFFA1...0xFFBE: mapped = value - 0xCE70
        case 0xFFC2...0xFFC7: mapped = value - 0xCE73
        case 0xFFCA...0xFFCF: mapped = value - 0xCE75
        case 0xFFD2...0xFFD7: mapped = value - 0xCE77
        case 0xFFDA...0xFFDC: mapped = value - 0xCE79
        case 0xFFE0: mapped = 0x00A2
        case 0xFFE1: mapped = 0x00A3
        case 0xFFE2: mapped = 0x00AC
        case 0xFFE3: mapped = 0x00AF
        case 0xFFE4: mapped = 0x00A6
        case 0xFFE5: mapped = 0x00A5
        case 0xFFE6: mapped = 0x20A9
        case 0xFFE8: mapped = 0x2502
        case 0xFFE9: mapped = 0x2190
        case 0xFFEA: mapped = 0x2191
        case 0xFFEB: mapped = 0x2192
        case 0xFFEC: mapped = 0x2193
        case 0xFFED: mapped = 0x25A0
        case 0xFFEE: mapped = 0x25CB
        default: mapped = nil
        }
        return mapped.flatMap(Unicode.Scalar.init)
    }

    /// Decomposition mappings of U+FF61–U+FF9F (halfwidth CJK punctuation and katakana).
    private static let halfwidthKatakana: [UInt16] = [
        0x3002, 0x300C, 0x300D, 0x3001, 0x30FB, 0x30F2, 0x30A1, 0x30A3, 0x30A5, 0x30A7, 0x30A9,
        0x30E3, 0x30E5, 0x30E7, 0x30C3, 0x30FC, 0x30A2, 0x30A4, 0x30A6, 0x30A8, 0x30AA, 0x30AB,
        0x30AD, 0x30AF, 0x30B1, 0x30B3, 0x30B5, 0x30B7, 0x30B9, 0x30BB, 0x30BD, 0x30BF, 0x30C1,
        0x30C4, 0x30C6, 0x30C8, 0x30CA, 0x30CB, 0x30CC, 0x30CD, 0x30CE, 0x30CF, 0x30D2, 0x30D5,
        0x30D8, 0x30DB, 0x30DE, 0x30DF, 0x30E0, 0x30E1, 0x30E2, 0x30E4, 0x30E6, 0x30E8, 0x30E9,
        0x30EA, 0x30EB, 0x30EC, 0x30ED, 0x30EF, 0x30F3, 0x3099, 0x309A,
    ]

    static func mapWidth(_ scalars: inout [Unicode.Scalar]) {
        for index in scalars.indices {
            if let mapped = widthMapping(scalars[index]) { scalars[index] = mapped }
        }
    }

    // MARK: Additional mapping (RFC 8265 §4.2.2, RFC 8266 §2.2)

    /// Maps every non-ASCII space (general category Zs other than U+0020) to U+0020.
    static func mapNonASCIISpaces(_ scalars: inout [Unicode.Scalar]) {
        for index in scalars.indices where scalars[index].value >= 0x80 {
            if scalars[index].properties.generalCategory == .spaceSeparator { scalars[index] = " " }
        }
    }

    /// Removes leading and trailing U+0020 and collapses interior runs to one (RFC 8266 §2.2).
    static func trimAndCollapseSpaces(_ scalars: inout [Unicode.Scalar]) {
        var result: [Unicode.Scalar] = []
        result.reserveCapacity(scalars.count)
        var pendingSpace = false
        for scalar in scalars {
            if scalar == " " {
                pendingSpace = !result.isEmpty
            } else {
                if pendingSpace { result.append(" ") }
                pendingSpace = false
                result.append(scalar)
            }
        }
        scalars = result
    }

    // MARK: Case mapping (RFC 8264 §5.2.3)

    /// Unicode toLowerCase(), code point by code point, with the full (SpecialCasing) mappings.
    ///
    /// The context-dependent Final_Sigma rule is not applied, so "Σ" always becomes "σ"; golang.org/x/text's
    /// PRECIS does the same. It keeps the mapping a pure function of the code point, which is what an
    /// identifier comparison needs, and RFC 7622's own examples treat "σ" and "ς" as different localparts.
    static func lowercase(_ scalars: inout [Unicode.Scalar]) {
        guard scalars.contains(where: { $0.properties.changesWhenLowercased }) else { return }
        var result: [Unicode.Scalar] = []
        result.reserveCapacity(scalars.count)
        for scalar in scalars {
            if scalar.value < 0x80 {
                result.append(scalar.value >= 0x41 && scalar.value <= 0x5A
                    ? Unicode.Scalar(UInt8(scalar.value) + 0x20) : scalar)
            } else if scalar.properties.changesWhenLowercased {
                result.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            } else {
                result.append(scalar)
            }
        }
        scalars = result
    }

    // MARK: Normalization (RFC 8264 §5.2.4)

    static func nfc(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
        // No code point below U+0300 is changed by NFC, and none of them composes with another
        // (the first combining mark is U+0300): skip Foundation for Latin-1 and most of Latin.
        if scalars.allSatisfy({ $0.value < 0x300 }) { return scalars }
        return Array(string(scalars).precomposedStringWithCanonicalMapping.unicodeScalars)
    }

    static func nfkc(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
        if scalars.allSatisfy({ $0.value < 0x80 }) { return scalars }
        return Array(string(scalars).precomposedStringWithCompatibilityMapping.unicodeScalars)
    }

    /// `HasCompat` (RFC 8264 §9.17): toNFKC(cp) != cp.
    static func hasCompatibilityMapping(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0xA0 { return false }
        // Large blocks with no decompositions at all: skip Foundation for CJK and Hangul text.
        if (0x3400...0x4DBF).contains(value) || (0x4E00...0x9FFF).contains(value)
            || (0xAC00...0xD7A3).contains(value) || (0x20000...0x2A6DF).contains(value)
        {
            return false
        }
        let normalized = String(scalar).precomposedStringWithCompatibilityMapping.unicodeScalars
        return !(normalized.count == 1 && normalized.first == scalar)
    }

    static func string(_ scalars: [Unicode.Scalar]) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }
}
