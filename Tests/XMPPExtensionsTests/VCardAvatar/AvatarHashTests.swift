import Foundation
import Testing
import TestSupport
import XMPPCore
@testable import XMPPExtensions

/// Fixtures/vectors/avatar/xep0153-hashes.json.
struct AvatarHashVectors: Decodable {
    struct Vector: Decodable {
        var image: String?
        var hex: String?
        var sha1: String
        var sha1OfBase64NotToBeUsed: String?
    }

    var vectors: [Vector]

    static func load() throws -> AvatarHashVectors {
        try JSONDecoder().decode(AvatarHashVectors.self, from: Fixtures.data("vectors/avatar/xep0153-hashes.json"))
    }

    /// The test image and its hash.
    static func image() throws -> (bytes: [UInt8], sha1: String) {
        let vector = try #require(try load().vectors.first { $0.image != nil })
        return (try Fixtures.bytes("vectors/avatar/\(try #require(vector.image))"), vector.sha1)
    }
}

@Suite("Avatar hash (XEP-0153 §3.1)")
struct AvatarHashTests {
    @Test("SHA-1 of the image bytes, lowercase hex, as sha1sum computes it; never of the base64")
    func vectors() throws {
        for vector in try AvatarHashVectors.load().vectors {
            let bytes: [UInt8]
            if let image = vector.image {
                bytes = try Fixtures.bytes("vectors/avatar/\(image)")
                let overBase64 = try AvatarHash.sha1Hex(of: Array(Base64.encode(bytes).utf8))
                #expect(overBase64 == vector.sha1OfBase64NotToBeUsed)
                #expect(overBase64 != vector.sha1)
            } else {
                bytes = try hexBytes(try #require(vector.hex))
            }
            #expect(try AvatarHash.sha1Hex(of: bytes) == vector.sha1)
        }
    }

    @Test("Received hashes: either case accepted and lowered; anything but 40 hex digits refused")
    func normalization() {
        #expect(AvatarHash.normalized("01B87FCD030B72895FF8E88DB57EC525450F000D") == "01b87fcd030b72895ff8e88db57ec525450f000d")
        #expect(AvatarHash.normalized("01b87fcd030b72895ff8e88db57ec525450f000d") == "01b87fcd030b72895ff8e88db57ec525450f000d")
        for bad in ["", "01b87fcd", "01b87fcd030b72895ff8e88db57ec525450f000d0", "g1b87fcd030b72895ff8e88db57ec525450f000d",
                    "01b87fcd030b72895ff8e88db57ec525450f000\u{0}", String(repeating: "a", count: 100_000)] {
            #expect(AvatarHash.normalized(bad) == nil)
        }
    }

    private func hexBytes(_ hex: String) throws -> [UInt8] {
        let digits = Array(hex.utf8)
        return try stride(from: 0, to: digits.count, by: 2).map { index in
            try #require(UInt8(String(decoding: digits[index...index + 1], as: UTF8.self), radix: 16))
        }
    }
}
