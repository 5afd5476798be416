/// Bracketed IP literals in the domainpart (RFC 7622 §3.2, which takes `IP-literal` from
/// RFC 3986 §3.2.2).
extension JID {
    /// Prepares `[IPv6address]` into RFC 5952 canonical form, or `[IPvFuture]` lowercased.
    /// Zone identifiers (RFC 6874) are not allowed: the grammar RFC 7622 cites has none.
    static func prepareIPLiteral(_ raw: Substring) throws(JIDError) -> String {
        let bytes = Array(raw.utf8)
        guard bytes.count >= 3, bytes.first == UInt8(ascii: "["), bytes.last == UInt8(ascii: "]") else {
            throw .invalidDomainpart(.invalidIPLiteral)
        }
        let inner = Array(bytes[1..<(bytes.count - 1)].map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 })
        if inner.first == UInt8(ascii: "v") {
            guard isIPvFuture(inner) else { throw .invalidDomainpart(.invalidIPLiteral) }
            return "[" + String(decoding: inner, as: UTF8.self) + "]"
        }
        guard let groups = parseIPv6(inner) else { throw .invalidDomainpart(.invalidIPLiteral) }
        return "[" + canonicalIPv6(groups) + "]"
    }

    /// `"v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )` (RFC 3986 §3.2.2).
    private static func isIPvFuture(_ bytes: [UInt8]) -> Bool {
        guard let dot = bytes.firstIndex(of: UInt8(ascii: ".")), dot > 1, dot < bytes.count - 1 else {
            return false
        }
        guard bytes[1..<dot].allSatisfy(isHexDigit) else { return false }
        return bytes[(dot + 1)...].allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return true
            default:
                return "-._~!$&'()*+,;=:".utf8.contains(byte)
            }
        }
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x61...0x66).contains(byte)
    }

    /// The eight 16-bit groups of an IPv6 address in RFC 4291 §2.2 text form (lowercased input).
    static func parseIPv6(_ bytes: [UInt8]) -> [UInt16]? {
        guard bytes.count >= 2, bytes.count <= 45 else { return nil }
        var head: [UInt16] = []
        var tail: [UInt16] = []
        var sawDoubleColon = false
        var index = 0
        // Leading "::".
        if bytes.starts(with: [0x3A, 0x3A]) {
            sawDoubleColon = true
            index = 2
        } else if bytes.first == 0x3A {
            return nil
        }
        while index < bytes.count {
            // One group: hex digits, or a final IPv4 part.
            var end = index
            while end < bytes.count && bytes[end] != 0x3A { end += 1 }
            let field = bytes[index..<end]
            if field.contains(UInt8(ascii: ".")) {
                guard end == bytes.count, let v4 = parseIPv4(field) else { return nil }
                if sawDoubleColon { tail += v4 } else { head += v4 }
                index = end
                break
            }
            guard (1...4).contains(field.count), field.allSatisfy(isHexDigit) else { return nil }
            let value = field.reduce(UInt16(0)) { ($0 << 4) | UInt16(hexValue($1)) }
            if sawDoubleColon { tail.append(value) } else { head.append(value) }
            index = end
            if index == bytes.count { break }
            // At a ":". A second one right after is "::".
            index += 1
            if index < bytes.count && bytes[index] == 0x3A {
                guard !sawDoubleColon else { return nil }
                sawDoubleColon = true
                index += 1
            } else if index == bytes.count {
                return nil  // trailing single ":"
            }
        }
        let given = head.count + tail.count
        if sawDoubleColon {
            guard given <= 7 else { return nil }
            return head + Array(repeating: 0, count: 8 - given) + tail
        }
        return given == 8 ? head : nil
    }

    private static func hexValue(_ byte: UInt8) -> UInt8 {
        byte <= 0x39 ? byte - 0x30 : byte - 0x61 + 10
    }

    private static func parseIPv4(_ field: ArraySlice<UInt8>) -> [UInt16]? {
        let parts = field.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var octets: [UInt16] = []
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy({ (0x30...0x39).contains($0) }),
                part.count == 1 || part.first != 0x30
            else { return nil }
            let value = part.reduce(UInt16(0)) { $0 * 10 + UInt16($1 - 0x30) }
            guard value <= 255 else { return nil }
            octets.append(value)
        }
        return [octets[0] << 8 | octets[1], octets[2] << 8 | octets[3]]
    }

    /// RFC 5952 §4: lowercase hex, no leading zeros, the longest run of two or more zero groups
    /// (the first, on a tie) shortened to "::"; IPv4-mapped addresses end in dotted quad (§5).
    static func canonicalIPv6(_ groups: [UInt16]) -> String {
        if groups[0..<5].allSatisfy({ $0 == 0 }) && groups[5] == 0xFFFF {
            return "::ffff:\(groups[6] >> 8).\(groups[6] & 0xFF).\(groups[7] >> 8).\(groups[7] & 0xFF)"
        }
        var bestStart = -1
        var bestLength = 1
        var runStart = -1
        for index in 0...8 {
            if index < 8 && groups[index] == 0 {
                if runStart < 0 { runStart = index }
            } else if runStart >= 0 {
                if index - runStart > bestLength {
                    bestStart = runStart
                    bestLength = index - runStart
                }
                runStart = -1
            }
        }
        let hex = groups.map { String($0, radix: 16) }
        if bestStart < 0 { return hex.joined(separator: ":") }
        let before = hex[..<bestStart].joined(separator: ":")
        let after = hex[(bestStart + bestLength)...].joined(separator: ":")
        return before + "::" + after
    }
}
