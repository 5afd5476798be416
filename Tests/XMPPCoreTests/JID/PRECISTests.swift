import Foundation
import Testing

@testable import XMPPCore

@Suite struct PRECISDerivedPropertyTests {
    typealias Property = PRECISDerivedProperty

    @Test(arguments: [
        // (code point, IdentifierClass, FreeformClass) — RFC 8264 §8, §9.
        (0x61, Property.pvalid, Property.pvalid),  // a: ASCII7
        (0x20, .disallowed(.space), .pvalid),  // space: Spaces
        (0x00, .disallowed(.control), .disallowed(.control)),
        (0x7F, .disallowed(.control), .disallowed(.control)),
        (0xDF, .pvalid, .pvalid),  // ß: exception PVALID
        (0x3C2, .pvalid, .pvalid),  // ς: exception PVALID
        (0x640, .disallowed(.exception), .disallowed(.exception)),  // ARABIC TATWEEL
        (0xB7, .contextO, .contextO),  // MIDDLE DOT
        (0x663, .contextO, .contextO),  // ARABIC-INDIC DIGIT THREE
        (0x200C, .contextJ, .contextJ),  // ZWNJ: JoinControl before ignorable
        (0x200B, .disallowed(.ignorable), .disallowed(.ignorable)),  // ZERO WIDTH SPACE
        (0xAD, .disallowed(.ignorable), .disallowed(.ignorable)),  // SOFT HYPHEN
        (0xFDD0, .disallowed(.ignorable), .disallowed(.ignorable)),  // noncharacter
        (0x378, .unassigned, .unassigned),
        (0x1100, .disallowed(.oldHangulJamo), .disallowed(.oldHangulJamo)),
        (0xAC00, .pvalid, .pvalid),  // Hangul syllable
        (0x2163, .disallowed(.compatibility), .pvalid),  // ROMAN NUMERAL FOUR: HasCompat
        (0xFB00, .disallowed(.compatibility), .pvalid),  // LATIN SMALL LIGATURE FF
        (0xFF21, .disallowed(.compatibility), .pvalid),  // FULLWIDTH A
        (0x265A, .disallowed(.symbol), .pvalid),  // BLACK CHESS KING
        (0x1F600, .disallowed(.symbol), .pvalid),  // emoji
        (0x21, .pvalid, .pvalid),  // "!" is ASCII7, so PVALID even in IdentifierClass
        (0x2010, .disallowed(.punctuation), .pvalid),  // HYPHEN
        (0x1C5, .disallowed(.compatibility), .pvalid),  // Dž titlecase, but HasCompat first
        (0x16EE, .disallowed(.otherLetterDigit), .pvalid),  // RUNIC ARLAUG SYMBOL: Nl
        (0x20DD, .disallowed(.otherLetterDigit), .pvalid),  // COMBINING ENCLOSING CIRCLE: Me
        (0x301, .pvalid, .pvalid),  // combining acute: Mn
        (0x4E00, .pvalid, .pvalid),  // CJK
        (0xE000, .disallowed(.other), .disallowed(.other)),  // private use
        (0x600, .disallowed(.other), .disallowed(.other)),  // ARABIC NUMBER SIGN: Cf
    ] as [(UInt32, Property, Property)])
    func derivedProperty(_ value: UInt32, _ identifier: Property, _ freeform: Property) throws {
        let scalar = try #require(Unicode.Scalar(value))
        #expect(PRECISStringClass.identifier.derivedProperty(of: scalar) == identifier)
        #expect(PRECISStringClass.freeform.derivedProperty(of: scalar) == freeform)
    }

    @Test func everyCodePointHasAPropertyAndAsciiMatchesTheRFC() {
        var counts: [String: Int] = [:]
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let property = PRECISStringClass.identifier.derivedProperty(of: scalar)
            if value < 0x80 {
                #expect((property == .pvalid) == (0x21...0x7E).contains(value), "U+\(String(value, radix: 16))")
            }
            counts["\(property)", default: 0] += 1
        }
        #expect(counts["CONTEXTJ"] == 2)
        #expect(counts["CONTEXTO"] == 25)  // RFC 5892 §2.6: 5 + 10 + 10
        #expect((counts["PVALID"] ?? 0) > 100_000)
    }
}

@Suite struct PRECISWidthMappingTests {
    /// Every entry agrees with Unicode's decomposition: NFKD(c) == NFKD(mapping(c)).
    @Test func tableAgreesWithNFKD() {
        var mapped = 0
        for value in UInt32(0x3000)...0xFFEF {
            guard let scalar = Unicode.Scalar(value), let target = PRECISMapping.widthMapping(scalar) else { continue }
            mapped += 1
            let lhs = String(scalar).decomposedStringWithCompatibilityMapping
            let rhs = String(target).decomposedStringWithCompatibilityMapping
            #expect(Array(lhs.unicodeScalars) == Array(rhs.unicodeScalars), "U+\(String(value, radix: 16))")
            #expect(target != scalar)
        }
        // 104 <wide> and 122 <narrow> code points in UnicodeData.txt.
        #expect(mapped == 226)
    }

    /// Nothing in the Halfwidth and Fullwidth Forms block with a compatibility decomposition is
    /// left out, except the few that are not <wide>/<narrow> there (none are).
    @Test func coversTheHalfwidthAndFullwidthFormsBlock() {
        for value in UInt32(0xFF01)...0xFFEE {
            guard let scalar = Unicode.Scalar(value), scalar.properties.generalCategory != .unassigned else { continue }
            let nfkd = String(scalar).decomposedStringWithCompatibilityMapping.unicodeScalars
            if !(nfkd.count == 1 && nfkd.first == scalar) {
                #expect(PRECISMapping.widthMapping(scalar) != nil, "U+\(String(value, radix: 16))")
            }
        }
        #expect(PRECISMapping.widthMapping("a") == nil)
        #expect(PRECISMapping.widthMapping("\u{3000}") == " ")
    }
}

@Suite struct PRECISProfileTests {
    @Test func usernameCaseMapped() throws {
        let profile = PRECISProfile.usernameCaseMapped
        #expect(try profile.enforce("ＡＢＣ") == "abc")
        #expect(try profile.enforce("Σ") == "σ")
        #expect(try profile.enforce("ΟΔΟΣ").unicodeScalars.last == "\u{3C3}")  // no Final_Sigma context
        #expect(throws: PRECISError.empty) { try profile.enforce("") }
        #expect(throws: PRECISError.disallowedCodePoint("\u{2163}", .disallowed(.compatibility))) {
            try profile.enforce("henry\u{2163}")
        }
        #expect(throws: PRECISError.contextRuleFailed("\u{200D}")) { try profile.enforce("a\u{200D}") }
        #expect(profile.areEquivalent("Juliet", "JULIET"))
        #expect(!profile.areEquivalent("ß", "ss"))
    }

    @Test func usernameCasePreserved() throws {
        let profile = PRECISProfile.usernameCasePreserved
        #expect(try profile.enforce("ＡＢＣ") == "ABC")
        #expect(!profile.areEquivalent("Juliet", "juliet"))
    }

    @Test func opaqueString() throws {
        let profile = PRECISProfile.opaqueString
        #expect(try profile.enforce("correct horse battery staple") == "correct horse battery staple")
        #expect(try profile.enforce("Correct\u{2003}Horse") == "Correct Horse")
        #expect(try profile.enforce("πßå") == "πßå")
        #expect(try profile.enforce("Jack of ♦s") == "Jack of ♦s")
        #expect(try profile.enforce("ＡＢ") == "ＡＢ")  // no width mapping
        #expect(try profile.enforce("a\u{1680}b") == "a b")  // OGHAM SPACE MARK is Zs
        #expect(throws: PRECISError.disallowedCodePoint("\u{9}", .disallowed(.control))) { try profile.enforce("a\tb") }
        #expect(throws: PRECISError.empty) { try profile.enforce("") }
    }

    /// RFC 8266 §4 examples.
    @Test func nickname() throws {
        let profile = PRECISProfile.nickname
        #expect(try profile.enforce("  Foo   Bar  ") == "Foo Bar")
        #expect(try profile.enforce("Foo\u{3000}Bar") == "Foo Bar")
        #expect(try profile.enforce("Richard \u{2163}") == "Richard IV")
        #expect(try profile.comparisonForm("Richard \u{2163}") == "richard iv")
        #expect(profile.areEquivalent("Foo Bar", "foo bar"))
        #expect(profile.areEquivalent("Σ", "σ"))
        #expect(!profile.areEquivalent("σ", "ς"))
        #expect(try profile.enforce("♚") == "♚")
        #expect(throws: PRECISError.empty) { try profile.enforce("   ") }
    }

    @Test func contextualRules() throws {
        let profile = PRECISProfile.usernameCaseMapped
        for valid in ["l·l", "͵α", "א׳", "א״", "カ・a", "क्\u{200D}ष", "क्\u{200C}ष", "\u{661}\u{662}", "\u{6F1}\u{6F2}"] {
            #expect(throws: Never.self) { try profile.enforce(valid) }
        }
        for (invalid, scalar) in [("a·b", "\u{B7}"), ("·l", "\u{B7}"), ("͵a", "\u{375}"), ("׳א", "\u{5F3}"), ("a・b", "\u{30FB}"),
                                  ("a\u{200C}b", "\u{200C}"), ("\u{661}\u{6F2}", "\u{661}")] as [(String, Unicode.Scalar)] {
            #expect(throws: PRECISError.contextRuleFailed(scalar)) { try profile.enforce(invalid) }
        }
    }

    @Test func errorDescriptionsNameTheCodePoint() {
        let error = PRECISError.disallowedCodePoint("\u{265A}", .disallowed(.symbol))
        #expect(error.description == "U+265A BLACK CHESS KING is DISALLOWED (a symbol, RFC 8264 §9.15)")
        #expect(PRECISError.contextRuleFailed("\u{200D}").description.contains("ZERO WIDTH JOINER"))
    }
}
