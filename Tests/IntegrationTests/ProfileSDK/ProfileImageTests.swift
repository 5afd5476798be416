import ProfileSDK
import TestSupport
import Testing

/// Profile image checks and thumbnails without a server: magic bytes, header sizes, libgd
/// decoding and scaling, hostile inputs (Specs/sdk/profile.json `images`).
@Suite("ProfileSDK images")
struct ProfileImageTests {
    static func fixture(_ name: String) throws -> [UInt8] { try Fixtures.bytes("images/\(name)") }

    @Test("Formats are told by magic bytes only")
    func magic() {
        #expect(ImageFormat(magic: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0]) == .png)
        #expect(ImageFormat(magic: [0xFF, 0xD8, 0xFF, 0xE0]) == .jpeg)
        #expect(ImageFormat(magic: Array("GIF89a".utf8)) == .gif)
        #expect(ImageFormat(magic: Array("GIF87a".utf8)) == .gif)
        #expect(ImageFormat(magic: Array("RIFF\u{0}\u{0}\u{0}\u{0}WEBPVP8 ".utf8)) == .webp)
        #expect(ImageFormat(magic: Array("RIFF\u{0}\u{0}\u{0}\u{0}WAVE".utf8)) == nil)
        #expect(ImageFormat(magic: [0x89, 0x50, 0x4E]) == nil)
        #expect(ImageFormat(magic: []) == nil)
        #expect(ImageFormat(magic: Array("This is a text file".utf8)) == nil)
    }

    @Test("Header sizes: PNG IHDR, GIF screen, JPEG SOF, WebP VP8/VP8L/VP8X")
    func headerSizes() throws {
        #expect(ImageSize(header: try Self.fixture("large-640x480.png"), format: .png) == ImageSize(width: 640, height: 480))
        let gif: [UInt8] = Array("GIF89a".utf8) + [0x20, 0x03, 0x58, 0x02]
        #expect(ImageSize(header: gif, format: .gif) == ImageSize(width: 800, height: 600))
        // SOI, APP0 (length 4), SOF0: length 17, precision 8, height 0x0100, width 0x0200.
        let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x01, 0x00, 0x02, 0x00, 0x03]
        #expect(ImageSize(header: jpeg, format: .jpeg) == ImageSize(width: 512, height: 256))
        var vp8x = Array("RIFF\u{0}\u{0}\u{0}\u{0}WEBPVP8X".utf8) + [UInt8](repeating: 0, count: 18)
        vp8x[24] = 0x3F; vp8x[25] = 0x1F; vp8x[27] = 0x0F  // width 0x1F3F + 1 = 8000, height 16
        #expect(ImageSize(header: vp8x, format: .webp) == ImageSize(width: 8000, height: 16))
        var vp8l = Array("RIFF\u{0}\u{0}\u{0}\u{0}WEBPVP8L".utf8) + [UInt8](repeating: 0, count: 14)
        vp8l[20] = 0x2F; vp8l[21] = 99  // width 100, height 1
        #expect(ImageSize(header: vp8l, format: .webp) == ImageSize(width: 100, height: 1))
        // Cut short or malformed.
        #expect(ImageSize(header: Array(try Self.fixture("large-640x480.png").prefix(20)), format: .png) == nil)
        #expect(ImageSize(header: [0xFF, 0xD8, 0xFF, 0xE0, 0x00], format: .jpeg) == nil)
        #expect(ImageSize(header: [0xFF, 0xD8, 0x00, 0x00], format: .jpeg) == nil)
    }

    @Test("A large image gets a JPEG thumbnail fitting 256×256 and 64 KB, decodable by libgd")
    func scaledThumbnail() throws {
        let image = try ProfileImageFile(bytes: try Self.fixture("large-640x480.png"))
        #expect(image.format == .png)
        #expect(image.size == ImageSize(width: 640, height: 480))
        #expect(!image.thumbnailIsOriginal)
        #expect(image.thumbnailType == "image/jpeg")
        #expect(image.thumbnail.count <= 65_536)
        let decoded = try ProfileImageFile.decodedSize(of: image.thumbnail)
        #expect(decoded.format == .jpeg)
        #expect(decoded.size == ImageSize(width: 256, height: 192))
        // The JPEG thumbnail is itself a valid small profile image, stored as is.
        let again = try ProfileImageFile(bytes: image.thumbnail)
        #expect(again.thumbnailIsOriginal && again.thumbnail == image.thumbnail)
    }

    @Test("Transparency keeps a PNG thumbnail; a small image is its own thumbnail, byte for byte")
    func alphaAndSmall() throws {
        let alpha = try ProfileImageFile(bytes: try Self.fixture("alpha-400x300.png"))
        #expect(alpha.thumbnailType == "image/png")
        #expect(try ProfileImageFile.decodedSize(of: alpha.thumbnail).size == ImageSize(width: 256, height: 192))
        let smallBytes = try Self.fixture("small-64x64.png")
        let small = try ProfileImageFile(bytes: smallBytes)
        #expect(small.thumbnailIsOriginal)
        #expect(small.thumbnail == smallBytes)
        #expect(small.thumbnailType == "image/png")
    }

    @Test("Hostile inputs: text, truncated, lying header, too many pixels, too many bytes")
    func hostile() throws {
        #expect(throws: ImageError.notAnImage) { try ProfileImageFile(bytes: try Self.fixture("not-an-image.png")) }
        #expect(throws: ImageError.notAnImage) { try ProfileImageFile(bytes: []) }
        let large = try Self.fixture("large-640x480.png")
        #expect(throws: ImageError.undecodable(.png)) { try ProfileImageFile(bytes: Array(large.prefix(200))) }
        // A valid-looking header claiming 100000×100000 px is refused before anything is decoded.
        var huge = large
        huge.replaceSubrange(16..<24, with: [0x00, 0x01, 0x86, 0xA0, 0x00, 0x01, 0x86, 0xA0])
        #expect(throws: ImageError.tooManyPixels(ImageSize(width: 100_000, height: 100_000), limit: 8192)) {
            try ProfileImageFile(bytes: huge)
        }
        #expect(throws: ImageError.tooManyBytes(size: large.count, limit: 1000)) {
            try ProfileImageFile(bytes: large, maximumBytes: 1000)
        }
        // JPEG/GIF/WebP signatures followed by garbage: undecodable, no crash.
        for (format, prefix) in [(ImageFormat.jpeg, [UInt8]([0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x00, 0x10, 0x00, 0x10])),
                                 (.gif, Array("GIF89a".utf8) + [0x10, 0x00, 0x10, 0x00]),
                                 (.webp, Array("RIFF\u{0}\u{0}\u{0}\u{0}WEBPVP8L".utf8) + [0, 0, 0, 0, 0x2F, 15, 0xC0, 3, 0])] {
            let bytes = prefix + [UInt8](repeating: 0xAB, count: 300)
            #expect(throws: (any Error).self, "\(format)") { try ProfileImageFile(bytes: bytes) }
        }
    }

    @Test("ReportMessageData reads the documented JSON; anything else is 400 naming messageData")
    func reportMessageData() throws {
        let data = try ReportMessageData.parse(json: #"{"reason":"abuse","text":"t","messages":[{"msgId":"m1","timestamp":1700000000000},{"msgId":"m2","from":"a@b","timestamp":"2026-11-23T15:00:00Z"}],"extra":1}"#)
        #expect(data.reason == "abuse")
        #expect(data.messages?.map(\.timestamp) == ["1700000000000", "2026-11-23T15:00:00Z"])
        #expect(try ReportMessageData.parse(json: "{}") == ReportMessageData())
        for bad in ["[]", "\"x\"", "not json", #"{"messages":[{"from":"a@b"}]}"#, #"{"messages":"x"}"#] {
            #expect(throws: SDKError.self, "\(bad)") { try ReportMessageData.parse(json: bad) }
            #expect((try? ReportMessageData.parse(json: bad)) == nil)
        }
        do {
            _ = try ReportMessageData.parse(json: "[]")
        } catch {
            #expect(error.parameter == "messageData" && error.statusCode == 400)
        }
    }
}
