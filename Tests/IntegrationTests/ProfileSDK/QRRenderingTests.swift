import Foundation
import ProfileSDK
import TestSupport
import Testing

/// QR rendering (Specs/qr-login.md §11): a rendered PNG decodes with `zbarimg` to exactly the
/// payload, with and without a centred logo; SVG and terminal renderings show libqrencode's matrix.
@Suite("QR code rendering")
struct QRRenderingTests {
    static let payload = "xmppkit-qr-login:0?jid=9b2f6c1e-4d3a-4f8b-a5e7-0c1d2e3f4a5b@anon.localhost/qr1&key=3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08&nonce=AAECAwQFBgcICQoLDA0ODw&exp=1767225720&ws=ws://127.0.0.1:5280/xmpp-websocket"

    /// A 40×30 logo: a red disc on blue, so the PNG is RGB.
    static let logo: QRLogo = {
        var rgb = [UInt8]()
        for y in 0..<30 {
            for x in 0..<40 {
                let inside = (x - 20) * (x - 20) + (y - 15) * (y - 15) < 144
                rgb += inside ? [0xE0, 0x20, 0x20] : [0x20, 0x40, 0xC0]
            }
        }
        return QRLogo(width: 40, height: 30, rgb: rgb)
    }()

    /// Writes `png` to a temporary file and returns what `zbarimg --raw -q` prints, minus one newline.
    static func zbarDecode(_ png: [UInt8]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("qr-\(UUID().uuidString).png").path
        try Data(png).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try Subprocess.run(["zbarimg", "--raw", "-q", path])
        #expect(result.status == 0, "zbarimg exit \(result.status): \(String(decoding: result.output, as: UTF8.self))")
        var text = String(decoding: result.output, as: UTF8.self)
        if text.hasSuffix("\n") { text.removeLast() }
        return text
    }

    @Test("Without a logo: level M, greyscale PNG decodes with zbarimg to the same string")
    func plain() throws {
        let code = try QRCode(payload: Self.payload)
        #expect(code.level == .medium)
        let png = try code.png()
        #expect(png[25] == 0)  // IHDR colour type: greyscale
        #expect(try Self.zbarDecode(png) == Self.payload)
    }

    @Test("With a centred logo: level H, RGB PNG decodes with zbarimg to the same string")
    func withLogo() throws {
        let code = try QRCode(payload: Self.payload, logo: Self.logo)
        #expect(code.level == .high)
        let box = try #require(code.logoBox)
        #expect(box.side * 5 <= code.width)
        #expect(box.origin * 2 + box.side == code.width)
        let png = try code.png()
        #expect(png[25] == 2)  // IHDR colour type: RGB
        #expect(try Self.zbarDecode(png) == Self.payload)
        // The logo really hides modules.
        #expect((0..<box.side).contains { code.isDark(x: box.origin + $0, y: box.origin + $0) })
    }

    @Test("A logo file is decoded with libgd and still scans; non-images, truncated and oversized files are refused")
    func logoFile() throws {
        // A PNG written by our writer, read back through libgd.
        let png = try PNGWriter.encode(width: Self.logo.width, height: Self.logo.height, colour: .rgb, pixels: Self.logo.rgb)
        let decoded = try QRLogo(imageBytes: png)
        #expect(decoded.width == Self.logo.width && decoded.height == Self.logo.height)
        #expect(decoded.rgb == Self.logo.rgb)
        #expect(try Self.zbarDecode(QRCode(payload: Self.payload, logo: decoded).png()) == Self.payload)
        #expect(throws: ImageError.notAnImage) { try QRLogo(imageBytes: Array("not an image".utf8)) }
        #expect(throws: ImageError.self) { try QRLogo(imageBytes: Array(png.prefix(40))) }
        #expect(throws: ImageError.self) { try QRLogo(imageBytes: png + [UInt8](repeating: 0, count: QRLogo.maximumBytes)) }
    }

    @Test("Short and non-ASCII payloads round-trip; empty and NUL payloads are refused")
    func payloads() throws {
        for payload in ["x", "héllo wörld ✓", String(repeating: "A1-_", count: 128)] {
            #expect(try Self.zbarDecode(QRCode(payload: payload).png(scale: 4)) == payload)
        }
        #expect(throws: QRCode.Failure.self) { try QRCode(payload: "") }
        #expect(throws: QRCode.Failure.self) { try QRCode(payload: "a\u{0}b") }
        #expect(throws: QRCode.Failure.self) { try QRCode(payload: String(repeating: "x", count: 5000)) }
        #expect(throws: QRCode.Failure.self) { try QRCode(payload: "x", logo: QRLogo(width: 2, height: 2, rgb: [1])) }
    }

    @Test("The terminal rendering parses back into libqrencode's matrix")
    func terminal() throws {
        let code = try QRCode(payload: Self.payload)
        let lines = code.terminal.split(separator: "\n").map(String.init)
        let side = code.width + 2 * QRCode.quietZone
        #expect(lines.count == (side + 1) / 2)
        for (row, line) in lines.enumerated() {
            #expect(line.hasPrefix("\u{1B}[30;47m") && line.hasSuffix("\u{1B}[0m"))
            let cells = Array(line.dropFirst(8).dropLast(4))
            #expect(cells.count == side)
            for (column, cell) in cells.enumerated() {
                let x = column - QRCode.quietZone, y = 2 * row - QRCode.quietZone
                let top = cell == "▀" || cell == "█", bottom = cell == "▄" || cell == "█"
                #expect(top == code.isDark(x: x, y: y))
                #expect(bottom == code.isDark(x: x, y: y + 1))
            }
        }
    }

    @Test("The SVG has the viewBox with quiet zone, a white background and one path of dark modules")
    func svg() throws {
        let code = try QRCode(payload: Self.payload, logo: Self.logo)
        let svg = code.svg()
        let side = code.width + 2 * QRCode.quietZone
        #expect(svg.contains("viewBox=\"0 0 \(side) \(side)\""))
        #expect(svg.contains("shape-rendering=\"crispEdges\""))
        #expect(svg.components(separatedBy: "<path").count == 2)
        #expect(svg.contains("href=\"data:image/png;base64,"))
        // Each run in the path covers dark modules only.
        let dark = code.modules.enumerated().filter { code.isShownDark(x: $0.offset % code.width, y: $0.offset / code.width) }.count
        var covered = 0
        for run in svg.components(separatedBy: "h").dropFirst() {
            covered += Int(run.prefix { $0.isNumber }) ?? 0
        }
        #expect(covered == dark)
    }
}
