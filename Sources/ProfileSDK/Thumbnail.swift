import CGD

/// A checked profile image and its vCard PHOTO (DESIGN.md, Specs/sdk/profile.json `images`),
/// decoded and scaled with libgd (Debian's libgd-dev): no codec is written here.
public struct ProfileImageFile: Sendable, Hashable {
    public var format: ImageFormat
    public var size: ImageSize
    /// The PHOTO: the image itself when ≤ 256×256 px and ≤ 64 KB (byte for byte), else a copy
    /// scaled to fit 256×256 px: JPEG, or PNG when the image has transparency, ≤ 64 KB.
    public var thumbnail: [UInt8]
    public var thumbnailType: String
    /// True when `thumbnail` is the image itself.
    public var thumbnailIsOriginal: Bool

    /// Checks `bytes` by content (magic bytes), byte limit, declared and decoded pixel size, then
    /// makes the thumbnail.
    public init(bytes: [UInt8], maximumBytes: Int = ProfileImageLimits.maximumBytes) throws(ImageError) {
        guard bytes.count <= maximumBytes else { throw .tooManyBytes(size: bytes.count, limit: maximumBytes) }
        guard let format = ImageFormat(magic: bytes) else { throw .notAnImage }
        let limit = ProfileImageLimits.maximumPixelsPerSide
        guard let declared = ImageSize(header: bytes, format: format) else { throw .undecodable(format) }
        guard declared.width <= limit, declared.height <= limit else { throw .tooManyPixels(declared, limit: limit) }
        let image = try GDImage(decoding: bytes, format: format)
        let size = image.size
        guard size.width <= limit, size.height <= limit else { throw .tooManyPixels(size, limit: limit) }
        self.format = format
        self.size = size
        let side = ProfileImageLimits.thumbnailPixelsPerSide, maxBytes = ProfileImageLimits.thumbnailBytes
        if size.width <= side, size.height <= side, bytes.count <= maxBytes {
            thumbnail = bytes
            thumbnailType = format.mimeType
            thumbnailIsOriginal = true
        } else {
            (thumbnail, thumbnailType) = try image.thumbnail(side: side, maximumBytes: maxBytes)
            thumbnailIsOriginal = false
        }
    }

    /// The pixel size and format of encoded image bytes, decoded with libgd (for checking
    /// thumbnails); throws for anything libgd cannot read.
    public static func decodedSize(of bytes: [UInt8]) throws(ImageError) -> (format: ImageFormat, size: ImageSize) {
        guard let format = ImageFormat(magic: bytes) else { throw .notAnImage }
        let limit = ProfileImageLimits.maximumPixelsPerSide
        guard let declared = ImageSize(header: bytes, format: format) else { throw .undecodable(format) }
        guard declared.width <= limit, declared.height <= limit else { throw .tooManyPixels(declared, limit: limit) }
        return (format, try GDImage(decoding: bytes, format: format).size)
    }
}

/// One libgd image, destroyed with its owner. Not shared between tasks.
private final class GDImage {
    let pointer: gdImagePtr

    init(pointer: gdImagePtr) {
        self.pointer = pointer
    }

    /// libgd reports bad input on stderr by default; callers get a typed ``ImageError`` instead.
    private static let silenced: Void = gdSetErrorMethod { _, _, _ in }

    init(decoding bytes: [UInt8], format: ImageFormat) throws(ImageError) {
        Self.silenced
        guard let count = Int32(exactly: bytes.count), count > 0 else { throw .undecodable(format) }
        // libgd only reads through the pointer (its gdIOCtx over memory never writes).
        let decoded: gdImagePtr? = bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return nil }
            let data = UnsafeMutableRawPointer(mutating: base)
            switch format {
            case .png: return gdImageCreateFromPngPtr(count, data)
            case .jpeg: return gdImageCreateFromJpegPtr(count, data)
            case .gif: return gdImageCreateFromGifPtr(count, data)
            case .webp: return gdImageCreateFromWebpPtr(count, data)
            }
        }
        guard let decoded else { throw .undecodable(format) }
        pointer = decoded
    }

    deinit { gdImageDestroy(pointer) }

    var size: ImageSize { ImageSize(width: Int(pointer.pointee.sx), height: Int(pointer.pointee.sy)) }

    /// A copy scaled to fit `side`×`side` (never enlarged), encoded within `maximumBytes`: JPEG
    /// at falling quality, PNG when any pixel is transparent; smaller still if that is not enough.
    func thumbnail(side: Int, maximumBytes: Int) throws(ImageError) -> ([UInt8], String) {
        let source = size
        var longest = min(side, max(source.width, source.height))
        while longest >= 16 {
            let scale = Double(longest) / Double(max(source.width, source.height))
            let width = max(1, Int((Double(source.width) * scale).rounded()))
            let height = max(1, Int((Double(source.height) * scale).rounded()))
            let scaled = try resampled(width: width, height: height)
            if scaled.hasTransparency {
                if let png = scaled.encoded(jpegQuality: nil), png.count <= maximumBytes { return (png, ImageFormat.png.mimeType) }
            } else {
                for quality in [85, 70, 55, 40] {
                    if let jpeg = scaled.encoded(jpegQuality: quality), jpeg.count <= maximumBytes {
                        return (jpeg, ImageFormat.jpeg.mimeType)
                    }
                }
            }
            longest = longest * 3 / 4
        }
        throw .encodingFailed
    }

    private func resampled(width: Int, height: Int) throws(ImageError) -> GDImage {
        guard let target = gdImageCreateTrueColor(Int32(width), Int32(height)) else { throw .encodingFailed }
        let image = GDImage(pointer: target)
        // Keep the alpha channel as it is rather than blending it onto black.
        gdImageAlphaBlending(target, 0)
        gdImageSaveAlpha(target, 1)
        gdImageCopyResampled(target, pointer, 0, 0, 0, 0, Int32(width), Int32(height),
                             pointer.pointee.sx, pointer.pointee.sy)
        return image
    }

    /// Any pixel with alpha (libgd: 0 opaque … 127 transparent) in a true-colour image.
    var hasTransparency: Bool {
        guard pointer.pointee.trueColor != 0, let rows = pointer.pointee.tpixels else { return false }
        for y in 0..<Int(pointer.pointee.sy) {
            guard let row = rows[y] else { continue }
            for x in 0..<Int(pointer.pointee.sx) where (row[x] >> 24) & 0x7F != 0 { return true }
        }
        return false
    }

    /// JPEG at `jpegQuality`, or PNG (best compression) when nil.
    func encoded(jpegQuality: Int?) -> [UInt8]? {
        var count: Int32 = 0
        let output: UnsafeMutableRawPointer?
        if let jpegQuality {
            output = gdImageJpegPtr(pointer, &count, Int32(jpegQuality))
        } else {
            output = gdImagePngPtrEx(pointer, &count, 9)
        }
        guard let output else { return nil }
        defer { gdFree(output) }
        guard count > 0 else { return nil }
        return Array(UnsafeRawBufferPointer(start: output, count: Int(count)))
    }
}
