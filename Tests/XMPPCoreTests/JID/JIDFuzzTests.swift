import Testing

@testable import XMPPCore

/// Random hostile strings: parsing never traps, and whatever parses is a fixed point that keeps
/// the invariants.
@Suite struct JIDFuzzTests {
    /// SplitMix64: reproducible across runs and platforms.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Code points chosen to reach every branch: delimiters, IP literal syntax, case pairs,
    /// width-mapped forms, combining marks, join controls, contextual code points, jamo,
    /// noncharacters, private use, controls, astral planes, and anything at all.
    static let interesting: [UInt32] = [
        0x40, 0x2F, 0x2E, 0x5B, 0x5D, 0x3A, 0x2D, 0x5F, 0x20, 0x22, 0x26, 0x27, 0x3C, 0x3E, 0x5C,
        0x00, 0x09, 0x7F, 0x85, 0xA0, 0xAD, 0xB7, 0xDF, 0x130, 0x131, 0x301, 0x308, 0x345, 0x375,
        0x3A3, 0x3C2, 0x5D0, 0x5F3, 0x640, 0x661, 0x6F2, 0x94D, 0x915, 0x1100, 0x1161, 0x11A8,
        0x200C, 0x200D, 0x200B, 0x202E, 0x2163, 0x212A, 0x212B, 0x2126, 0x265A, 0x3000, 0x3002,
        0x30AB, 0x30FB, 0xAC00, 0xE000, 0xFB00, 0xFDD0, 0xFEFF, 0xFF0E, 0xFF20, 0xFF21, 0xFF61,
        0xFF76, 0xFF9E, 0xFFA1, 0xFFFD, 0x1F600, 0x10FFFF, 0xE0001,
    ]

    static func randomString(_ rng: inout SeededGenerator) -> String {
        var view = String.UnicodeScalarView()
        let length = Int.random(in: 0...24, using: &rng)
        for _ in 0..<length {
            let value: UInt32
            switch Int.random(in: 0..<10, using: &rng) {
            case 0...3: value = UInt32.random(in: 0x20...0x7E, using: &rng)
            case 4...6: value = interesting.randomElement(using: &rng) ?? 0x61
            case 7: value = UInt32.random(in: 0x80...0xFFFF, using: &rng)
            default: value = UInt32.random(in: 0...0x10FFFF, using: &rng)
            }
            view.append(Unicode.Scalar(value) ?? "\u{FFFD}")
        }
        return String(view)
    }

    static func checkInvariants(_ jid: JID) throws {
        #expect(!jid.domainpart.isEmpty)
        #expect(jid.domainpart.utf8.count <= 1023)
        #expect(jid.localpart.map { !$0.isEmpty && $0.utf8.count <= 1023 } ?? true)
        #expect(jid.resourcepart.map { !$0.isEmpty && $0.utf8.count <= 1023 } ?? true)
        #expect(!(jid.localpart ?? "").unicodeScalars.contains { "\"&'/:<>@".unicodeScalars.contains($0) })
        #expect(!jid.domainpart.unicodeScalars.contains { $0 == "@" || $0 == "/" })
        let again = try JID(jid.description)
        #expect(again == jid, "\(jid.debugDescription)")
        #expect(Array(again.description.unicodeScalars) == Array(jid.description.unicodeScalars))
        #expect(try JID(localpart: jid.localpart, domainpart: jid.domainpart, resourcepart: jid.resourcepart) == jid)
    }

    @Test func randomStringsNeverCrash() throws {
        var rng = SeededGenerator(state: 7622)
        var parsed = 0
        for _ in 0..<4000 {
            let input = Self.randomString(&rng)
            guard let jid = try? JID(input) else { continue }
            parsed += 1
            try Self.checkInvariants(jid)
        }
        #expect(parsed > 0)
    }

    @Test func randomlyAssembledJIDsNeverCrash() throws {
        var rng = SeededGenerator(state: 8264)
        var parsed = 0
        for _ in 0..<4000 {
            var input = ""
            if Bool.random(using: &rng) { input += Self.randomString(&rng) + "@" }
            input += Bool.random(using: &rng) ? "example.com" : Self.randomString(&rng)
            if Bool.random(using: &rng) { input += "/" + Self.randomString(&rng) }
            guard let jid = try? JID(input) else { continue }
            parsed += 1
            try Self.checkInvariants(jid)
        }
        #expect(parsed > 500)
    }

    @Test func randomPunycodeNeverCrashes() {
        var rng = SeededGenerator(state: 3492)
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789-".utf8)
        for _ in 0..<3000 {
            let label = (0..<Int.random(in: 0...30, using: &rng)).map { _ in alphabet.randomElement(using: &rng) ?? 0x61 }
            if let decoded = JID.Punycode.decode(label), let encoded = JID.Punycode.encode(decoded) {
                #expect(JID.Punycode.decode(Array(encoded.utf8)) == decoded)
            }
            _ = try? JID("xn--" + String(decoding: label, as: UTF8.self) + ".example")
        }
    }

    @Test func pathologicalShapes() {
        var shapes: [String] = []
        shapes.append(String(repeating: "@", count: 5000))
        shapes.append(String(repeating: "/", count: 5000))
        shapes.append(String(repeating: ".", count: 5000))
        shapes.append(String(repeating: "[", count: 5000))
        shapes.append("[" + String(repeating: ":", count: 5000) + "]")
        shapes.append(String(repeating: "\u{301}", count: 3000))
        shapes.append(String(repeating: "a\u{200D}", count: 2000) + "@x")
        var noncharacters = String.UnicodeScalarView()
        noncharacters.append(contentsOf: repeatElement(Unicode.Scalar(0xFDD0) ?? "x", count: 2000))
        shapes.append("x/" + String(noncharacters))
        // U+FDFA expands 18× under NFKC: the localpart rejects it, OpaqueString (NFC) keeps it.
        shapes.append(String(repeating: "\u{FDFA}", count: 400) + "@example.com")
        shapes.append("example.com/" + String(repeating: "\u{FDFA}", count: 300))
        for shape in shapes { _ = try? JID(shape) }
    }
}
