/// Base64 (RFC 4648 §4), as SASL (RFC 6120 §6.4.2, RFC 5802 §7) and payloads (vCard photos,
/// XEP-0054; caps hashes, XEP-0115) carry it.
///
/// Decoding is strict, as a security mechanism's parser should be: the standard alphabet only,
/// padding required and only at the end, and the unused low bits of the last character zero
/// (RFC 4648 §3.5), so each value has exactly one encoding. Whitespace is refused unless the caller
/// allows it (XML payloads often wrap long values into lines).
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    public static func encode(_ bytes: [UInt8]) -> String {
        var output = [UInt8]()
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= bytes.count {
            let value = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            output += [alphabet[Int(value >> 18)], alphabet[Int(value >> 12 & 63)],
                       alphabet[Int(value >> 6 & 63)], alphabet[Int(value & 63)]]
            index += 3
        }
        switch bytes.count - index {
        case 1:
            let value = UInt32(bytes[index]) << 16
            output += [alphabet[Int(value >> 18)], alphabet[Int(value >> 12 & 63)], 0x3D, 0x3D]
        case 2:
            let value = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8
            output += [alphabet[Int(value >> 18)], alphabet[Int(value >> 12 & 63)],
                       alphabet[Int(value >> 6 & 63)], 0x3D]
        default:
            break
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The decoded bytes, or nil unless `text` is canonical base64 (after dropping whitespace, when
    /// `ignoringWhitespace`).
    public static func decode<S: StringProtocol>(_ text: S, ignoringWhitespace: Bool = false) -> [UInt8]? {
        var input = Array(text.utf8)
        if ignoringWhitespace { input.removeAll { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D } }
        guard input.count % 4 == 0 else { return nil }
        var output = [UInt8]()
        output.reserveCapacity(input.count / 4 * 3)
        var index = 0
        while index < input.count {
            let isLast = index + 4 == input.count
            var values = [UInt32](repeating: 0, count: 4)
            var padding = 0
            for offset in 0..<4 {
                let byte = input[index + offset]
                if byte == 0x3D {
                    // '=' only in the last quantum's last one or two places.
                    guard isLast, offset >= 2 else { return nil }
                    padding += 1
                } else {
                    guard padding == 0, let value = sextet(byte) else { return nil }
                    values[offset] = value
                }
            }
            let value = values[0] << 18 | values[1] << 12 | values[2] << 6 | values[3]
            switch padding {
            case 0:
                output += [UInt8(value >> 16), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
            case 1:
                guard value & 0xFF == 0 else { return nil }
                output += [UInt8(value >> 16), UInt8(value >> 8 & 0xFF)]
            default:
                guard value & 0xFFFF == 0 else { return nil }
                output.append(UInt8(value >> 16))
            }
            index += 4
        }
        return output
    }

    private static func sextet(_ byte: UInt8) -> UInt32? {
        switch byte {
        case 0x41...0x5A: UInt32(byte - 0x41)
        case 0x61...0x7A: UInt32(byte - 0x61 + 26)
        case 0x30...0x39: UInt32(byte - 0x30 + 52)
        case 0x2B: 62
        case 0x2F: 63
        default: nil
        }
    }
}
