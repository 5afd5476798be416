internal import CQREncode
import Foundation

/// A QR code symbol (ISO/IEC 18004) made by libqrencode, rendered to PNG, SVG or the terminal
/// (Specs/qr-login.md §11).
///
/// Error-correction level M without a logo; H when a logo is centred, so the modules the logo
/// hides (its box is at most 20 % of the symbol's side, so at most 4 % of its area) stay within
/// what H restores (about 30 % of the codewords).
public struct QRCode: Sendable {
    /// The ISO/IEC 18004 error-correction levels libqrencode offers.
    public enum Level: String, Sendable { case low = "L", medium = "M", quartile = "Q", high = "H" }

    /// Why a code could not be made.
    public enum Failure: Error, Sendable, Hashable {
        /// The payload is empty, contains NUL, or does not fit a version-40 symbol.
        case payloadNotEncodable(String)
        /// The logo has no pixels or its pixel buffer does not match its size.
        case invalidLogo(String)
    }

    /// The encoded string.
    public let payload: String
    /// The error-correction level used.
    public let level: Level
    /// The symbol version (1…40).
    public let version: Int
    /// Modules per side, without the quiet zone.
    public let width: Int
    /// Row-major, `width × width`: true for a dark module (libqrencode's bit 0).
    public let modules: [Bool]
    /// The logo centred on the symbol, if any.
    public let logo: QRLogo?

    /// The quiet zone, in modules, on every side (ISO/IEC 18004 §6.3.8).
    public static let quietZone = 4

    /// Encodes `payload` in 8-bit mode, case-sensitive, automatic version
    /// (`QRcode_encodeString(payload, 0, level, QR_MODE_8, 1)`); level H with a logo, else M.
    public init(payload: String, logo: QRLogo? = nil) throws(Failure) {
        try self.init(payload: payload, level: logo == nil ? .medium : .high, logo: logo)
    }

    /// Encodes `payload` at an explicit error-correction level.
    public init(payload: String, level: Level, logo: QRLogo? = nil) throws(Failure) {
        guard !payload.isEmpty, !payload.utf8.contains(0) else {
            throw .payloadNotEncodable("empty or containing NUL")
        }
        if let logo, logo.width <= 0 || logo.height <= 0 || logo.rgb.count != logo.width * logo.height * 3 {
            throw .invalidLogo("\(logo.width)×\(logo.height) with \(logo.rgb.count) bytes")
        }
        let cLevel: QRecLevel = switch level {
        case .low: QR_ECLEVEL_L
        case .medium: QR_ECLEVEL_M
        case .quartile: QR_ECLEVEL_Q
        case .high: QR_ECLEVEL_H
        }
        guard let code = QRcode_encodeString(payload, 0, cLevel, QR_MODE_8, 1) else {
            throw .payloadNotEncodable("libqrencode refused it (errno \(errno)): too long for a version-40 symbol at level \(level.rawValue)?")
        }
        defer { QRcode_free(code) }
        let width = Int(code.pointee.width)
        var modules = [Bool](repeating: false, count: width * width)
        if let data = code.pointee.data {
            for index in 0..<(width * width) { modules[index] = data[index] & 1 == 1 }
        }
        self.payload = payload
        self.level = level
        self.version = Int(code.pointee.version)
        self.width = width
        self.modules = modules
        self.logo = logo
    }

    /// Whether the module at (`x`, `y`) is dark; outside the symbol (the quiet zone) is light.
    public func isDark(x: Int, y: Int) -> Bool {
        guard (0..<width).contains(x), (0..<width).contains(y) else { return false }
        return modules[y * width + x]
    }

    /// The logo's box in modules: a centred square whose side is at most 20 % of the symbol's
    /// side (same parity as the width, so it is exactly centred); nil without a logo.
    public var logoBox: (origin: Int, side: Int)? {
        guard logo != nil else { return nil }
        var side = width / 5
        if side % 2 != width % 2 { side -= 1 }
        guard side >= 3 else { return nil }
        return ((width - side) / 2, side)
    }

    /// Whether (`x`, `y`) lies under the logo's box.
    func isUnderLogo(x: Int, y: Int) -> Bool {
        guard let box = logoBox else { return false }
        return (box.origin..<(box.origin + box.side)).contains(x) && (box.origin..<(box.origin + box.side)).contains(y)
    }

    /// What a renderer shows: dark modules, except under the logo's box (white there).
    public func isShownDark(x: Int, y: Int) -> Bool {
        isDark(x: x, y: y) && !isUnderLogo(x: x, y: y)
    }
}

/// A logo to centre on a QR code: decoded pixels, 8-bit RGB, row-major.
public struct QRLogo: Sendable, Hashable {
    public let width: Int
    public let height: Int
    /// `width × height × 3` bytes: red, green, blue.
    public let rgb: [UInt8]

    public init(width: Int, height: Int, rgb: [UInt8]) {
        self.width = width
        self.height = height
        self.rgb = rgb
    }

    /// Whether any pixel has colour (red, green and blue not all equal).
    var hasColour: Bool {
        var index = 0
        while index + 2 < rgb.count {
            if rgb[index] != rgb[index + 1] || rgb[index + 1] != rgb[index + 2] { return true }
            index += 3
        }
        return false
    }
}
