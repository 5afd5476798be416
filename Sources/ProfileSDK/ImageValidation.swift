/// The image formats a profile image may have (Specs/sdk/profile.json `images.accepted`), told
/// apart by their magic bytes only: never by file extension or HTTP Content-Type.
public enum ImageFormat: String, Sendable, Hashable, CaseIterable {
    case png, jpeg, gif, webp

    /// The MIME type for a vCard PHOTO TYPE (XEP-0054) and the upload's Content-Type.
    public var mimeType: String { "image/\(rawValue)" }

    /// The format whose signature `bytes` starts with: PNG `89 50 4E 47 0D 0A 1A 0A`, JPEG
    /// `FF D8 FF`, GIF `GIF87a`/`GIF89a`, WebP `RIFF` ⟨size⟩ `WEBP`; nil for anything else.
    public init?(magic bytes: [UInt8]) {
        func starts(_ prefix: [UInt8], at offset: Int = 0) -> Bool {
            bytes.count >= offset + prefix.count && Array(bytes[offset..<offset + prefix.count]) == prefix
        }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            self = .png
        } else if starts([0xFF, 0xD8, 0xFF]) {
            self = .jpeg
        } else if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) {
            self = .gif
        } else if starts(Array("RIFF".utf8)), starts(Array("WEBP".utf8), at: 8) {
            self = .webp
        } else {
            return nil
        }
    }
}

/// Width and height in pixels.
public struct ImageSize: Sendable, Hashable, CustomStringConvertible {
    public var width: Int
    public var height: Int

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    public var description: String { "\(width)×\(height)" }

    /// The size a header declares, read before anything is decoded so that a small file claiming
    /// a huge canvas is refused before the image library allocates it. Reads the PNG IHDR, the GIF
    /// logical screen, the JPEG SOFn segment, and the WebP VP8/VP8L/VP8X header; nil when the
    /// header is cut short or malformed.
    public init?(header bytes: [UInt8], format: ImageFormat) {
        func be16(_ at: Int) -> Int? { at + 2 <= bytes.count ? Int(bytes[at]) << 8 | Int(bytes[at + 1]) : nil }
        func le16(_ at: Int) -> Int? { at + 2 <= bytes.count ? Int(bytes[at + 1]) << 8 | Int(bytes[at]) : nil }
        func le24(_ at: Int) -> Int? { at + 3 <= bytes.count ? Int(bytes[at + 2]) << 16 | Int(bytes[at + 1]) << 8 | Int(bytes[at]) : nil }
        func be32(_ at: Int) -> Int? {
            guard let high = be16(at), let low = be16(at + 2) else { return nil }
            return high << 16 | low
        }
        var size: (Int, Int)?
        switch format {
        case .png:
            // The IHDR chunk comes first (PNG §5.6): width and height at offsets 16 and 20.
            guard bytes.count >= 24, Array(bytes[12..<16]) == Array("IHDR".utf8) else { return nil }
            if let width = be32(16), let height = be32(20) { size = (width, height) }
        case .gif:
            if let width = le16(6), let height = le16(8) { size = (width, height) }
        case .jpeg:
            size = Self.jpegSize(bytes, be16: be16)
        case .webp:
            guard bytes.count >= 30 else { return nil }
            switch String(decoding: bytes[12..<16], as: UTF8.self) {
            case "VP8 ":
                // Key frame: 3-byte tag, start code 9D 01 2A, then 14-bit width and height.
                guard bytes[23] == 0x9D, bytes[24] == 0x01, bytes[25] == 0x2A, let width = le16(26), let height = le16(28) else { return nil }
                size = (width & 0x3FFF, height & 0x3FFF)
            case "VP8L":
                guard bytes[20] == 0x2F else { return nil }
                let bits = Int(bytes[21]) | Int(bytes[22]) << 8 | Int(bytes[23]) << 16 | Int(bytes[24]) << 24
                size = ((bits & 0x3FFF) + 1, (bits >> 14 & 0x3FFF) + 1)
            case "VP8X":
                if let width = le24(24), let height = le24(27) { size = (width + 1, height + 1) }
            default:
                return nil
            }
        }
        guard let (width, height) = size, width > 0, height > 0 else { return nil }
        self.init(width: width, height: height)
    }

    /// The frame size from the first SOFn marker segment (ITU T.81 §B.2.2).
    private static func jpegSize(_ bytes: [UInt8], be16: (Int) -> Int?) -> (Int, Int)? {
        var index = 2
        while index + 1 < bytes.count {
            guard bytes[index] == 0xFF else { return nil }
            let marker = bytes[index + 1]
            if marker == 0xFF { index += 1; continue }  // fill byte
            if marker == 0x01 || (0xD0...0xD8).contains(marker) { index += 2; continue }  // no length
            guard marker != 0xD9, marker != 0xDA, let length = be16(index + 2), length >= 2 else { return nil }
            if (0xC0...0xCF).contains(marker), ![0xC4, 0xC8, 0xCC].contains(marker) {
                guard let height = be16(index + 5), let width = be16(index + 7) else { return nil }
                return (width, height)
            }
            index += 2 + length
        }
        return nil
    }
}

/// Why an image was refused; the SDK reports it as 400 naming `image`.
public enum ImageError: Error, Sendable, Hashable, CustomStringConvertible {
    case notAnImage
    case tooManyBytes(size: Int, limit: Int)
    case tooManyPixels(ImageSize, limit: Int)
    case undecodable(ImageFormat)
    case encodingFailed

    public var description: String {
        switch self {
        case .notAnImage: "not a PNG, JPEG, GIF or WebP image"
        case .tooManyBytes(let size, let limit): "\(size) bytes, more than the limit of \(limit)"
        case .tooManyPixels(let size, let limit): "\(size) px, more than \(limit) px per side"
        case .undecodable(let format): "not a valid \(format.rawValue.uppercased()) image"
        case .encodingFailed: "the thumbnail could not be written"
        }
    }
}

/// The limits on profile images (Specs/sdk/profile.json `images.limits`).
public enum ProfileImageLimits {
    /// `configuration.maxImageBytes`'s default: 10 MiB.
    public static let maximumBytes = 10_485_760
    public static let maximumPixelsPerSide = 8192
    /// PHOTO: the image itself when it fits both of these, else a scaled-down copy that does.
    public static let thumbnailPixelsPerSide = 256
    public static let thumbnailBytes = 65_536
}
