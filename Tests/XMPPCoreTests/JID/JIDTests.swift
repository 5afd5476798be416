import Foundation
import Testing

@testable import XMPPCore

private func scalars(_ string: String?) -> [UInt32]? {
    string.map { $0.unicodeScalars.map(\.value) }
}

private func error(_ input: String) -> JIDError? {
    #expect(throws: JIDError.self) { try JID(input) }
}

@Suite struct JIDParsingTests {
    @Test func splitsAtFirstSlashThenFirstAt() throws {
        let jid = try JID("a@b.example/c@d/e")
        #expect(jid.localpart == "a")
        #expect(jid.domainpart == "b.example")
        #expect(jid.resourcepart == "c@d/e")
        // RFC 7622 §3.1: a second "@" before the "/" lands in the domainpart, which rejects it.
        #expect(error("a@b@example.com") == .invalidDomainpart(.invalidCharacter("@")))
    }

    @Test func emptyPartsAreDistinctErrors() {
        #expect(error("") == .emptyDomainpart)
        #expect(error("@") == .emptyLocalpart)
        #expect(error("@example.com") == .emptyLocalpart)
        #expect(error("juliet@") == .emptyDomainpart)
        #expect(error("juliet@/foo") == .emptyDomainpart)
        #expect(error("/foo") == .emptyDomainpart)
        #expect(error("example.com/") == .emptyResourcepart)
        #expect(error("juliet@example.com/") == .emptyResourcepart)
        #expect(error(".") == .emptyDomainpart)
    }

    @Test func caseFoldsLocalpartAndDomainButNotResource() throws {
        let jid = try JID("JuLiEt@ExAmPlE.CoM/BalCony")
        #expect(jid.description == "juliet@example.com/BalCony")
        #expect(try JID("example.com/R") != JID("example.com/r"))
        // Non-ASCII case mapping (RFC 8265 §3.3.2 step 3).
        #expect(scalars(try JID("ÉLODIE@example.com").localpart) == [0xE9, 0x6C, 0x6F, 0x64, 0x69, 0x65])
        #expect(scalars(try JID("\u{130}@example.com").localpart) == [0x69, 0x307])
        #expect(try JID("example.com/ÉLODIE").resourcepart == "ÉLODIE")
    }

    @Test func widthMapsLocalpartButNotResource() throws {
        #expect(try JID("ＪＵＬＩＥＴ@example.com").localpart == "juliet")
        #expect(scalars(try JID("ｶﾞ@example.com").localpart) == [0x30AC])
        #expect(scalars(try JID("example.com/ＪＵＬＩＥＴ").resourcepart) == [0xFF2A, 0xFF35, 0xFF2C, 0xFF29, 0xFF25, 0xFF34])
        // Width mapping turns U+FF20 into "@", which RFC 7622 §3.3.1 forbids: reported as written.
        #expect(error("a＠b@example.com") == .invalidLocalpartCharacter("\u{FF20}"))
        #expect(error("a／b@example.com") == .invalidLocalpartCharacter("\u{FF0F}"))
    }

    @Test func normalizesToNFC() throws {
        #expect(scalars(try JID("e\u{301}@example.com/e\u{301}").localpart) == [0xE9])
        #expect(scalars(try JID("e\u{301}@example.com/e\u{301}").resourcepart) == [0xE9])
        #expect(scalars(try JID("\u{1100}\u{1161}@example.com").localpart) == [0xAC00])
        // OpaqueString maps non-ASCII spaces to U+0020 (RFC 8265 §4.2.2).
        #expect(try JID("example.com/\u{2003}x\u{3000}").resourcepart == " x ")
        #expect(try JID("example.com/A\u{A0}B").resourcepart == "A B")
    }

    @Test func forbiddenLocalpartCharacters() {
        // "/" and "@" split the string before the localpart is prepared; the rest are caught.
        for scalar in ["\"", "&", "'", ":", "<", ">"] as [Unicode.Scalar] {
            #expect(error("a\(scalar)b@example.com") == .invalidLocalpartCharacter(scalar))
        }
        #expect(error("a b@example.com") == .invalidLocalpartCharacter(" "))
        #expect(error("a\tb@example.com") == .invalidLocalpartCharacter("\t"))
        #expect(error("♚@example.com") == .invalidLocalpartCharacter("\u{265A}"))
        #expect(error("a\u{200B}b@example.com") == .invalidLocalpartCharacter("\u{200B}"))
        #expect(error("a\u{E000}@example.com") == .invalidLocalpartCharacter("\u{E000}"))
        #expect(error("a\u{378}@example.com") == .invalidLocalpartCharacter("\u{378}"))
        #expect(error("\u{1100}@example.com") == .invalidLocalpartCharacter("\u{1100}"))
    }

    @Test func contextualRulesInLocalpart() throws {
        #expect(try JID("l·l@example.com").localpart == "l·l")
        #expect(error("a·b@example.com") == .invalidLocalpartCharacter("\u{B7}"))
        #expect(try JID("क्\u{200D}ष@example.com").localpart == "क्\u{200D}ष")
        #expect(error("a\u{200D}b@example.com") == .invalidLocalpartCharacter("\u{200D}"))
        #expect(try JID("͵α@example.com").localpart == "͵α")
        #expect(error("͵a@example.com") == .invalidLocalpartCharacter("\u{375}"))
        #expect(try JID("カ・a@example.com").localpart == "カ・a")
        #expect(error("a・b@example.com") == .invalidLocalpartCharacter("\u{30FB}"))
        #expect(error("\u{661}\u{6F2}@example.com") != nil)
    }

    @Test func resourcepartCharacters() throws {
        #expect(try JID("example.com/♚ Ⅳ ﬀ 😀 a@b/c").resourcepart == "♚ Ⅳ ﬀ 😀 a@b/c")
        #expect(error("example.com/a\u{0}b") == .invalidResourcepartCharacter("\u{0}"))
        #expect(error("example.com/\u{7F}") == .invalidResourcepartCharacter("\u{7F}"))
        #expect(error("example.com/\u{85}") == .invalidResourcepartCharacter("\u{85}"))
        #expect(error("example.com/a\u{AD}") == .invalidResourcepartCharacter("\u{AD}"))
        #expect(error("example.com/a\u{200D}b") == .invalidResourcepartCharacter("\u{200D}"))
        #expect(error("example.com/\u{E000}") == .invalidResourcepartCharacter("\u{E000}"))
    }

    @Test func errorsExplainThemselves() {
        let henry = error("henry\u{2163}@example.com")
        #expect(henry == .invalidLocalpartCharacter("\u{2163}"))
        #expect(henry?.description.contains("U+2163 ROMAN NUMERAL FOUR") == true)
        #expect(henry?.description.contains("compatibility") == true)
        #expect(error("\"juliet\"@example.com")?.description.contains("RFC 7622 §3.3.1") == true)
        #expect(error("juliet@")?.description.contains("domainpart") == true)
        #expect(error("a@-x.example")?.description.contains("hyphen") == true)
    }
}

@Suite struct JIDLengthTests {
    let ok63 = String(repeating: "a", count: 63)

    @Test func localpartLimitIs1023Bytes() throws {
        let exact = String(repeating: "a", count: 1023)
        #expect(try JID("\(exact)@example.com").localpart?.utf8.count == 1023)
        #expect(error("\(exact)a@example.com") == .localpartTooLong(byteCount: 1024))
        // Counted in UTF-8 bytes after preparation: 511 × "é" (2 bytes) + "a".
        let decomposed = String(repeating: "e\u{301}", count: 511) + "a"
        #expect(try JID("\(decomposed)@example.com").localpart?.utf8.count == 1023)
        #expect(error(String(repeating: "é", count: 512) + "@example.com") == .localpartTooLong(byteCount: 1024))
        #expect(error(String(repeating: "A", count: 1024) + "@example.com") == .localpartTooLong(byteCount: 1024))
    }

    @Test func resourcepartLimitIs1023Bytes() throws {
        let exact = String(repeating: "r", count: 1023)
        #expect(try JID("example.com/\(exact)").resourcepart?.utf8.count == 1023)
        #expect(error("example.com/\(exact)r") == .resourcepartTooLong(byteCount: 1024))
        // 255 four-byte emoji + 3 bytes = 1023.
        #expect(try JID("example.com/" + String(repeating: "😀", count: 255) + "abc").resourcepart?.utf8.count == 1023)
        #expect(error("example.com/" + String(repeating: "😀", count: 256)) == .resourcepartTooLong(byteCount: 1024))
    }

    @Test func domainpartLimitIs1023Bytes() throws {
        // 16 labels of 63 bytes and 15 dots: 1023 bytes.
        let exact = Array(repeating: ok63, count: 16).joined(separator: ".")
        #expect(exact.utf8.count == 1023)
        #expect(try JID(exact).domainpart.utf8.count == 1023)
        #expect(try JID(exact + ".").domainpart.utf8.count == 1023)
        let over = (Array(repeating: ok63, count: 15) + [String(repeating: "b", count: 32), String(repeating: "c", count: 31)])
            .joined(separator: ".")
        #expect(over.utf8.count == 1024)
        #expect(error(over) == .domainpartTooLong(byteCount: 1024))
    }

    @Test func labelLimitIs63Bytes() throws {
        #expect(try JID("\(ok63).example").domainpart.hasPrefix(ok63))
        #expect(error("\(ok63)a.example") == .invalidDomainpart(.labelTooLong(byteCount: 64)))
        // A non-ASCII label counts in its A-label form (RFC 5890 §2.3.2.1).
        #expect(try JID(String(repeating: "é", count: 57) + ".example").domainpart.hasPrefix("é"))
        #expect(error(String(repeating: "é", count: 58) + ".example") == .invalidDomainpart(.labelTooLong(byteCount: 64)))
    }

    @Test func hugeInputIsRejectedCheaply() {
        let huge = String(repeating: "a", count: 1_000_000)
        #expect(error("\(huge)@example.com") == .localpartTooLong(byteCount: 1_000_000))
        #expect(error("example.com/\(huge)") == .resourcepartTooLong(byteCount: 1_000_000))
        #expect(error(huge) == .domainpartTooLong(byteCount: 1_000_000))
        #expect(error(String(repeating: "\u{301}", count: 100_000) + "@example.com") == .localpartTooLong(byteCount: 200_000))
    }
}

@Suite struct JIDDomainpartTests {
    @Test func stripsOneTrailingDot() throws {
        #expect(try JID("juliet@example.com./r") == JID("juliet@example.com/r"))
        #expect(try JID("EXAMPLE.COM.").domainpart == "example.com")
        #expect(try JID("example.com。").domainpart == "example.com")
        #expect(error("example.com..") == .invalidDomainpart(.emptyLabel))
        #expect(error(".example.com") == .invalidDomainpart(.emptyLabel))
        #expect(error("a..b") == .invalidDomainpart(.emptyLabel))
    }

    @Test func asciiLabelRules() throws {
        #expect(try JID("_xmpp-client.example").domainpart == "_xmpp-client.example")
        #expect(try JID("localhost").domainpart == "localhost")
        #expect(error("-a.example") == .invalidDomainpart(.hyphenAtLabelEdge))
        #expect(error("a-.example") == .invalidDomainpart(.hyphenAtLabelEdge))
        #expect(error("exa mple.com") == .invalidDomainpart(.invalidCharacter(" ")))
        #expect(error("example.com:5222") == .invalidDomainpart(.invalidCharacter(":")))
        #expect(error("a%20b.example") == .invalidDomainpart(.invalidCharacter("%")))
    }

    @Test func ipv4() throws {
        #expect(try JID("juliet@127.0.0.1/r").domainpart == "127.0.0.1")
        #expect(try JID("255.255.255.255").domainpart == "255.255.255.255")
        for bad in ["256.0.0.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "123", "a.1"] {
            #expect(error(bad) == .invalidDomainpart(.invalidIPv4Address), "\(bad)")
        }
    }

    @Test func ipv6() throws {
        #expect(try JID("[::1]").domainpart == "[::1]")
        #expect(try JID("juliet@[2001:0DB8:0:0:0:0:0:1]/r").domainpart == "[2001:db8::1]")
        #expect(try JID("[2001:DB8::1]") == JID("[2001:db8:0:0::1]"))
        #expect(try JID("[2001:db8:0:0:1:0:0:1]").domainpart == "[2001:db8::1:0:0:1]")
        #expect(try JID("[2001:db8:0:1:1:1:1:1]").domainpart == "[2001:db8:0:1:1:1:1:1]")
        #expect(try JID("[::]").domainpart == "[::]")
        #expect(try JID("[1::]").domainpart == "[1::]")
        #expect(try JID("[::FFFF:192.0.2.1]").domainpart == "[::ffff:192.0.2.1]")
        #expect(try JID("[64:ff9b::192.0.2.33]").domainpart == "[64:ff9b::c000:221]")
        #expect(try JID("[v1.Example:Address]").domainpart == "[v1.example:address]")
        for bad in ["[::1", "[]", "[1::2::3]", "[::1%25eth0]", "[12345::]", "[g::]", "[1:2:3:4:5:6:7:8:9]",
                    "[1:2:3:4:5:6:7]", "[:1::]", "[1::2:]", "[::1.2.3]", "[::256.1.1.1]", "[v1.]", "[::1]x"] {
            #expect(error(bad) == .invalidDomainpart(.invalidIPLiteral), "\(bad)")
        }
        #expect(error("::1") == .invalidDomainpart(.invalidCharacter(":")))
    }

    @Test func internationalizedDomains() throws {
        #expect(try JID("BÜCHER.example").domainpart == "bücher.example")
        #expect(try JID("BU\u{308}CHER.example").domainpart == "bücher.example")
        #expect(try JID("xn--bcher-kva.example") == JID("bücher.example"))
        #expect(try JID("XN--BCHER-KVA.EXAMPLE").domainpart == "bücher.example")
        #expect(try JID("ＥＸＡＭＰＬＥ．com").domainpart == "example.com")
        #expect(try JID("faß.de").domainpart == "faß.de")
        #expect(try JID("例え.テスト").domainpart == "例え.テスト")
        #expect(error("😀.example") == .invalidDomainpart(.invalidCharacter("\u{1F600}")))
        #expect(error("\u{301}a.example") == .invalidDomainpart(.leadingCombiningMark("\u{301}")))
        #expect(error("a\u{200D}b.example") == .invalidDomainpart(.invalidCharacter("\u{200D}")))
        #expect(error("ab--é.example") == .invalidDomainpart(.hyphensInThirdAndFourthPositions))
        #expect(error("é-.example") == .invalidDomainpart(.hyphenAtLabelEdge))
        #expect(error("xn--.example") == .invalidDomainpart(.hyphenAtLabelEdge))
        #expect(error("xn--a.example") == .invalidDomainpart(.invalidALabel("xn--a")))  // U+0080
        #expect(error("xn--abc-.example") == .invalidDomainpart(.hyphenAtLabelEdge))
        #expect(error("xn--ls8h.example") == .invalidDomainpart(.invalidALabel("xn--ls8h")))  // an emoji
        #expect(error("xn--ab!.example") == .invalidDomainpart(.invalidCharacter("!")))
        #expect(error("xn--zz9999999999.example") == .invalidDomainpart(.invalidALabel("xn--zz9999999999")))
    }

    @Test func punycodeVectors() throws {
        // RFC 3492 §7.1 (L) and the classic "bücher" / "münchen".
        let vectors = [("bücher", "bcher-kva"), ("münchen", "mnchen-3ya"), ("3年B組金八先生", "3B-ww4c5e180e575a65lsy2b")]
        for (unicode, encoded) in vectors {
            #expect(JID.Punycode.encode(Array(unicode.unicodeScalars)) == encoded)
            #expect(JID.Punycode.decode(Array(encoded.utf8)).map { String(String.UnicodeScalarView($0)) } == unicode)
        }
    }
}

@Suite struct JIDValueTests {
    @Test func bareAndFull() throws {
        let full = try JID("juliet@example.com/balcony")
        #expect(full.isFull && !full.isBare)
        #expect(full.bare == (try JID("juliet@example.com")))
        #expect(full.bare.isBare && !full.bare.isFull)
        #expect(full.domain == (try JID("example.com")))
        #expect(try full.bare.withResource("Orchard") == JID("juliet@example.com/Orchard"))
        #expect(try full.withResource(nil) == full.bare)
        #expect(throws: JIDError.emptyResourcepart) { try full.withResource("") }
        #expect(throws: JIDError.invalidResourcepartCharacter("\u{0}")) { try full.withResource("\u{0}") }
    }

    @Test func memberwiseInitializerPreparesParts() throws {
        let jid = try JID(localpart: "Juliet", domainpart: "Example.COM.", resourcepart: "a/b@c")
        #expect(jid.description == "juliet@example.com/a/b@c")
        #expect(try JID(domainpart: "example.com") == JID("example.com"))
        #expect(throws: JIDError.emptyLocalpart) { try JID(localpart: "", domainpart: "example.com") }
        #expect(throws: JIDError.emptyResourcepart) { try JID(domainpart: "example.com", resourcepart: "") }
        #expect(throws: JIDError.emptyDomainpart) { try JID(localpart: "a", domainpart: "") }
        #expect(throws: JIDError.invalidLocalpartCharacter("/")) { try JID(localpart: "a/b", domainpart: "example.com") }
        #expect(throws: JIDError.invalidDomainpart(.invalidCharacter("/"))) { try JID(domainpart: "example.com/x") }
    }

    @Test func equalJIDsWrittenDifferentlyHashAlike() throws {
        let spellings = [
            "juliet@example.com/balcony", "JULIET@EXAMPLE.COM/balcony", "Juliet@Example.Com./balcony",
            "ｊｕｌｉｅｔ@example.com/balcony", "juliet@EXAMPLE.com./balcony",
        ]
        let set = Set(try spellings.map { try JID($0) })
        #expect(set.count == 1)
        #expect(try JID("σ@example.com") == JID("Σ@example.com"))
        #expect(try JID("ς@example.com") != JID("σ@example.com"))
        #expect(try JID("fußball@example.com") != JID("fussball@example.com"))
        #expect(try JID("juliet@example.com/Balcony") != JID("juliet@example.com/balcony"))
        #expect(try JID("juliet@example.com") != JID("juliet@example.com/balcony"))
        #expect(try JID("example.com") != JID("example.com/example.com"))
        var dictionary: [JID: Int] = [:]
        dictionary[try JID("e\u{301}@example.com")] = 1
        #expect(dictionary[try JID("É@EXAMPLE.COM")] == 1)
    }

    @Test func codableRoundTrip() throws {
        let jids = try ["juliet@example.com/balcony", "example.com", "π@[::1]/♚", "bücher.example/x y"].map { try JID($0) }
        let data = try JSONEncoder().encode(jids)
        #expect(try JSONDecoder().decode([JID].self, from: data) == jids)
        #expect(String(decoding: try JSONEncoder().encode(try JID("Juliet@Example.com")), as: UTF8.self) == "\"juliet@example.com\"")
        #expect(try JSONDecoder().decode(JID.self, from: Data("\"ROMEO@Example.net/Orchard\"".utf8)) == JID("romeo@example.net/Orchard"))
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(JID.self, from: Data("\"juliet@\"".utf8)) }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(JID.self, from: Data("42".utf8)) }
    }

    @Test func losslessStringConvertible() throws {
        func parse<T: LosslessStringConvertible>(_: T.Type, _ string: String) -> T? { T(string) }
        #expect(parse(JID.self, "Juliet@Example.com")?.description == "juliet@example.com")
        #expect(parse(JID.self, "juliet@") == nil)
        #expect(parse(JID.self, "") == nil)
        let jid: JID = try JID("example.com")
        #expect(jid.debugDescription == "JID(example.com)")
        // `try?` resolves to the throwing initializer, not the failable one (no warning).
        let optional: JID? = try? JID("A@B")
        #expect(optional?.description == "a@b")
    }
}

@Suite struct JIDFastPathTests {
    /// The ASCII fast paths give exactly what the PRECIS profiles give.
    @Test func asciiFastPathsAgreeWithProfiles() {
        for byte in UInt8(0)...0x7F {
            let scalar = Unicode.Scalar(byte)
            let raw = "x\(scalar)Y"
            let fast = Result { () throws(JIDError) -> String in try JID.prepareLocalpart(raw[...]) }
            let slow = Result { () throws(PRECISError) -> [Unicode.Scalar] in
                try PRECISProfile.usernameCaseMapped.enforce(scalars: Array(raw.unicodeScalars))
            }
            switch (fast, slow) {
            case (.success(let a), .success(let b)):
                #expect(Array(a.unicodeScalars) == b, "U+\(byte)")
            case (.failure(let error), .success):
                #expect(JID.isForbiddenInLocalpart(scalar) && error == .invalidLocalpartCharacter(scalar), "U+\(byte)")
            case (.failure(let error), .failure):
                #expect(error == .invalidLocalpartCharacter(scalar), "U+\(byte)")
            case (.success, .failure):
                Issue.record("fast path accepted U+\(byte)")
            }

            let fastResource = Result { () throws(JIDError) -> String in try JID.prepareResourcepart(raw[...]) }
            let slowResource = Result { () throws(PRECISError) -> [Unicode.Scalar] in
                try PRECISProfile.opaqueString.enforce(scalars: Array(raw.unicodeScalars))
            }
            switch (fastResource, slowResource) {
            case (.success(let a), .success(let b)):
                #expect(Array(a.unicodeScalars) == b, "U+\(byte)")
            case (.failure(let error), .failure):
                #expect(error == .invalidResourcepartCharacter(scalar), "U+\(byte)")
            default:
                Issue.record("fast and slow resourcepart paths disagree on U+\(byte)")
            }
        }
    }
}
