/// The contextual rules of RFC 5892 Appendix A, which RFC 8264 §8 applies to CONTEXTJ and
/// CONTEXTO code points.
///
/// Swift's `Unicode.Scalar.Properties` exposes `Canonical_Combining_Class` but neither `Script`
/// nor `Joining_Type`. So:
/// - the script tests (A.4 Greek, A.5–A.6 Hebrew, A.7 Hiragana/Katakana/Han) use the ranges of
///   those scripts' blocks, which is exact for the assigned letters these rules are about;
/// - ZERO WIDTH NON-JOINER (A.1) is accepted after a virama only: its second branch, the Arabic
///   joining-type pattern, needs `Joining_Type`, so such strings are rejected (the safe side).
enum PRECISContextRules {
    /// Whether the CONTEXTJ or CONTEXTO code point at `index` is allowed where it stands.
    static func isSatisfied(at index: Int, in scalars: [Unicode.Scalar]) -> Bool {
        let scalar = scalars[index]
        let before: Unicode.Scalar? = index > scalars.startIndex ? scalars[index - 1] : nil
        let after: Unicode.Scalar? = index + 1 < scalars.endIndex ? scalars[index + 1] : nil
        switch scalar.value {
        case 0x200C, 0x200D:
            // A.1 ZERO WIDTH NON-JOINER, A.2 ZERO WIDTH JOINER: after a virama.
            return before?.properties.canonicalCombiningClass == .virama
        case 0x00B7:
            // A.3 MIDDLE DOT: between two 'l'.
            return before == "l" && after == "l"
        case 0x0375:
            // A.4 GREEK LOWER NUMERAL SIGN (KERAIA): followed by a Greek character.
            return after.map(isGreek) ?? false
        case 0x05F3, 0x05F4:
            // A.5 HEBREW PUNCTUATION GERESH, A.6 GERSHAYIM: preceded by a Hebrew character.
            return before.map(isHebrew) ?? false
        case 0x30FB:
            // A.7 KATAKANA MIDDLE DOT: some Hiragana, Katakana or Han character in the string.
            return scalars.contains(where: isHiraganaKatakanaOrHan)
        case 0x0660...0x0669:
            // A.8 ARABIC-INDIC DIGITS: no extended Arabic-Indic digit in the string.
            return !scalars.contains(where: { (0x06F0...0x06F9).contains($0.value) })
        case 0x06F0...0x06F9:
            // A.9 EXTENDED ARABIC-INDIC DIGITS: no Arabic-Indic digit in the string.
            return !scalars.contains(where: { (0x0660...0x0669).contains($0.value) })
        default:
            return false
        }
    }

    /// Script=Greek (Scripts.txt), by range.
    static func isGreek(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0370...0x0373, 0x0375...0x0377, 0x037A...0x037D, 0x037F, 0x0384, 0x0386,
            0x0388...0x03E1, 0x03F0...0x03FF, 0x1D26...0x1D2A, 0x1D5D...0x1D61, 0x1D66...0x1D6A,
            0x1DBF, 0x1F00...0x1FFE, 0x2126, 0xAB65, 0x10140...0x1018E, 0x101A0, 0x1D200...0x1D245:
            return true
        default:
            return false
        }
    }

    /// Script=Hebrew (Scripts.txt), by range.
    static func isHebrew(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0591...0x05C7, 0x05D0...0x05EA, 0x05EF...0x05F4, 0xFB1D...0xFB36, 0xFB38...0xFB3C,
            0xFB3E, 0xFB40...0xFB41, 0xFB43...0xFB44, 0xFB46...0xFB4F:
            return true
        default:
            return false
        }
    }

    /// Script=Hiragana, Katakana or Han (Scripts.txt), by range. KATAKANA MIDDLE DOT itself and
    /// the prolonged sound mark are Common, so they do not count.
    static func isHiraganaKatakanaOrHan(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x3041...0x3096, 0x309D...0x309F,  // Hiragana
            0x30A1...0x30FA, 0x30FD...0x30FF, 0x31F0...0x31FF, 0x32D0...0x32FE, 0x3300...0x3357,
            0xFF66...0xFF6F, 0xFF71...0xFF9D, 0x1AFF0...0x1B122, 0x1B132, 0x1B150...0x1B167,  // Kana
            0x2E80...0x2FD5, 0x3005, 0x3007, 0x3021...0x3029, 0x3038...0x303B,  // Han
            0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0x16FE2...0x16FF1,
            0x20000...0x323AF:
            return true
        default:
            return false
        }
    }
}
