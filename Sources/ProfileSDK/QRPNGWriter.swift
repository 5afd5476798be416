internal import CZlib

/// A minimal PNG encoder (ISO/IEC 15948 / PNG 3rd edition): signature, `IHDR`, one zlib `IDAT`
/// (filter type 0 on every scanline), `IEND`; CRC-32 and deflate from zlib.
public enum PNGWriter {
    public enum Colour: Sendable {
        case greyscale, rgb
        var channels: Int { self == .greyscale ? 1 : 3 }
        /// The IHDR colour type (PNG §11.2.2).
        var type: UInt8 { self == .greyscale ? 0 : 2 }
    }

    public enum Failure: Error, Sendable, Hashable {
        case invalidSize(String)
        case compression(Int32)
    }

    /// Encodes 8-bit pixels, row-major, `channels` bytes each.
    public static func encode(width: Int, height: Int, colour: Colour, pixels: [UInt8]) throws(Failure) -> [UInt8] {
        guard width > 0, height > 0, width <= 1 << 16, height <= 1 << 16, pixels.count == width * height * colour.channels else {
            throw .invalidSize("\(width)×\(height) with \(pixels.count) bytes")
        }
        let stride = width * colour.channels
        var raw = [UInt8]()
        raw.reserveCapacity((stride + 1) * height)
        for row in 0..<height {
            raw.append(0)  // filter type None
            raw.append(contentsOf: pixels[(row * stride)..<((row + 1) * stride)])
        }
        var length = compressBound(uLong(raw.count))
        var compressed = [UInt8](repeating: 0, count: Int(length))
        let status = compressed.withUnsafeMutableBufferPointer { out in
            raw.withUnsafeBufferPointer { compress2(out.baseAddress, &length, $0.baseAddress, uLong(raw.count), 9) }
        }
        guard status == Z_OK else { throw .compression(status) }
        compressed.removeSubrange(Int(length)...)

        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var header = [UInt8]()
        header.appendBigEndian(UInt32(width))
        header.appendBigEndian(UInt32(height))
        header += [8, colour.type, 0, 0, 0]  // bit depth, colour type, deflate, adaptive filters, no interlace
        png.appendChunk("IHDR", header)
        png.appendChunk("IDAT", compressed)
        png.appendChunk("IEND", [])
        return png
    }
}

extension [UInt8] {
    fileprivate mutating func appendBigEndian(_ value: UInt32) {
        append(contentsOf: [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)])
    }

    fileprivate mutating func appendChunk(_ type: String, _ data: [UInt8]) {
        appendBigEndian(UInt32(data.count))
        let typed = Array(type.utf8) + data
        append(contentsOf: typed)
        let crc = typed.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) }
        appendBigEndian(UInt32(truncatingIfNeeded: crc))
    }
}
