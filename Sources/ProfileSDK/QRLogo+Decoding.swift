import CGD

extension QRLogo {
    /// The most bytes a logo file may have (Specs/qr-login.md §11).
    public static let maximumBytes = 1_048_576
    /// Logos are scaled to fit this many pixels per side before drawing (a QR code's logo box is
    /// a few dozen pixels wide).
    static let decodedPixelsPerSide = 256

    /// Decodes a PNG, JPEG, GIF or WebP logo (told apart by magic bytes, ≤ 1 MiB) with libgd, the
    /// library of the profile thumbnails; transparent pixels are composited onto white.
    public init(imageBytes bytes: [UInt8]) throws(ImageError) {
        guard bytes.count <= Self.maximumBytes else { throw .tooManyBytes(size: bytes.count, limit: Self.maximumBytes) }
        guard let format = ImageFormat(magic: bytes) else { throw .notAnImage }
        let limit = ProfileImageLimits.maximumPixelsPerSide
        guard let declared = ImageSize(header: bytes, format: format) else { throw .undecodable(format) }
        guard declared.width <= limit, declared.height <= limit else { throw .tooManyPixels(declared, limit: limit) }
        guard let count = Int32(exactly: bytes.count), count > 0 else { throw .undecodable(format) }
        gdSetErrorMethod { _, _, _ in }
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
        guard let source = decoded else { throw .undecodable(format) }
        defer { gdImageDestroy(source) }
        let sourceWidth = Int(source.pointee.sx), sourceHeight = Int(source.pointee.sy)
        guard sourceWidth > 0, sourceHeight > 0, sourceWidth <= limit, sourceHeight <= limit else {
            throw .tooManyPixels(ImageSize(width: sourceWidth, height: sourceHeight), limit: limit)
        }
        let scale = min(1, Double(Self.decodedPixelsPerSide) / Double(max(sourceWidth, sourceHeight)))
        let width = max(1, Int((Double(sourceWidth) * scale).rounded()))
        let height = max(1, Int((Double(sourceHeight) * scale).rounded()))
        guard let target = gdImageCreateTrueColor(Int32(width), Int32(height)) else { throw .encodingFailed }
        defer { gdImageDestroy(target) }
        gdImageAlphaBlending(target, 0)
        gdImageSaveAlpha(target, 1)
        gdImageCopyResampled(target, source, 0, 0, 0, 0, Int32(width), Int32(height), Int32(sourceWidth), Int32(sourceHeight))
        var rgb = [UInt8]()
        rgb.reserveCapacity(width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let pixel = Int(gdImageGetTrueColorPixel(target, Int32(x), Int32(y)))
                let alpha = (pixel >> 24) & 0x7F  // 0 opaque … 127 transparent
                for shift in [16, 8, 0] {
                    let channel = (pixel >> shift) & 0xFF
                    rgb.append(UInt8((channel * (127 - alpha) + 255 * alpha) / 127))
                }
            }
        }
        self.init(width: width, height: height, rgb: rgb)
    }
}
