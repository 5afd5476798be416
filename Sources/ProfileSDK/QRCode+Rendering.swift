import Foundation

extension QRCode {
    /// The rendered image in pixels: quiet zone included, `scale` pixels per module, light
    /// #FFFFFF, dark #000000, the logo drawn in its box on white with a one-module margin,
    /// aspect ratio kept (Specs/qr-login.md §11). Row-major RGB.
    func pixels(scale: Int) -> (side: Int, rgb: [UInt8]) {
        let scale = max(1, scale)
        let modulesPerSide = width + 2 * Self.quietZone
        let side = modulesPerSide * scale
        var rgb = [UInt8](repeating: 0xFF, count: side * side * 3)
        for y in 0..<width {
            for x in 0..<width where isShownDark(x: x, y: y) {
                let px = (x + Self.quietZone) * scale, py = (y + Self.quietZone) * scale
                for row in py..<(py + scale) {
                    let start = (row * side + px) * 3
                    for index in start..<(start + scale * 3) { rgb[index] = 0 }
                }
            }
        }
        if let logo, let box = logoBox {
            // The drawable area: the box minus a one-module margin.
            let area = (box.side - 2) * scale
            let areaOrigin = (box.origin + 1 + Self.quietZone) * scale
            let factor = min(Double(area) / Double(logo.width), Double(area) / Double(logo.height))
            let drawnWidth = max(1, Int(Double(logo.width) * factor)), drawnHeight = max(1, Int(Double(logo.height) * factor))
            let offsetX = areaOrigin + (area - drawnWidth) / 2, offsetY = areaOrigin + (area - drawnHeight) / 2
            for y in 0..<drawnHeight {
                let sourceY = min(logo.height - 1, Int(Double(y) / factor))
                for x in 0..<drawnWidth {
                    let sourceX = min(logo.width - 1, Int(Double(x) / factor))
                    let source = (sourceY * logo.width + sourceX) * 3
                    let target = ((offsetY + y) * side + offsetX + x) * 3
                    rgb[target] = logo.rgb[source]
                    rgb[target + 1] = logo.rgb[source + 1]
                    rgb[target + 2] = logo.rgb[source + 2]
                }
            }
        }
        return (side, rgb)
    }

    /// A PNG (8 px per module by default): 8-bit greyscale, or RGB when the logo has colour; no
    /// interlacing.
    public func png(scale: Int = 8) throws(PNGWriter.Failure) -> [UInt8] {
        let image = pixels(scale: scale)
        if logo?.hasColour == true {
            return try PNGWriter.encode(width: image.side, height: image.side, colour: .rgb, pixels: image.rgb)
        }
        var grey = [UInt8](repeating: 0, count: image.side * image.side)
        for index in grey.indices {
            let r = Int(image.rgb[index * 3]), g = Int(image.rgb[index * 3 + 1]), b = Int(image.rgb[index * 3 + 2])
            grey[index] = UInt8((r * 299 + g * 587 + b * 114) / 1000)
        }
        return try PNGWriter.encode(width: image.side, height: image.side, colour: .greyscale, pixels: grey)
    }

    /// An SVG: `viewBox` in modules including the quiet zone, a white background, the dark modules
    /// as one `<path>` with `crispEdges`; the logo as an `<image>` (a PNG `data:` URI) over a white
    /// `<rect>`.
    public func svg(moduleSize: Int = 8) -> String {
        let side = width + 2 * Self.quietZone
        var path = ""
        for y in 0..<width {
            var x = 0
            while x < width {
                guard isShownDark(x: x, y: y) else { x += 1; continue }
                var run = 1
                while x + run < width, isShownDark(x: x + run, y: y) { run += 1 }
                path += "M\(x + Self.quietZone) \(y + Self.quietZone)h\(run)v1h-\(run)z"
                x += run
            }
        }
        var svg = """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" width="\(side * moduleSize)" height="\(side * moduleSize)" \
        viewBox="0 0 \(side) \(side)" shape-rendering="crispEdges">
        <rect width="\(side)" height="\(side)" fill="#FFFFFF"/>
        <path fill="#000000" d="\(path)"/>

        """
        if let logo, let box = logoBox {
            let origin = box.origin + Self.quietZone
            svg += "<rect x=\"\(origin)\" y=\"\(origin)\" width=\"\(box.side)\" height=\"\(box.side)\" fill=\"#FFFFFF\"/>\n"
            if let data = try? PNGWriter.encode(width: logo.width, height: logo.height, colour: .rgb, pixels: logo.rgb) {
                svg += "<image x=\"\(origin + 1)\" y=\"\(origin + 1)\" width=\"\(box.side - 2)\" height=\"\(box.side - 2)\" "
                    + "preserveAspectRatio=\"xMidYMid meet\" href=\"data:image/png;base64,\(Data(data).base64EncodedString())\"/>\n"
            }
        }
        return svg + "</svg>\n"
    }

    /// The terminal rendering: two module rows per line with `▀` `▄` `█` and space, quiet zone
    /// included, each line in explicit colours (`ESC[30;47m` … `ESC[0m`, black on white) so it
    /// scans on dark and light terminals. A character cell's foreground is a dark module.
    public var terminal: String {
        let low = -Self.quietZone, high = width + Self.quietZone
        var lines: [String] = []
        var y = low
        while y < high {
            var line = "\u{1B}[30;47m"
            for x in low..<high {
                let top = isShownDark(x: x, y: y), bottom = y + 1 < high && isShownDark(x: x, y: y + 1)
                let cell: String = switch (top, bottom) {
                case (true, true): "█"
                case (true, false): "▀"
                case (false, true): "▄"
                case (false, false): " "
                }
                line += cell
            }
            lines.append(line + "\u{1B}[0m")
            y += 2
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
