/// Hex encoding for test vectors (tests only; the library itself never parses hex).
struct HexError: Error, CustomStringConvertible {
    let input: String
    var description: String { "not an even-length hex string: \(input.prefix(40))" }
}

extension Array where Element == UInt8 {
    /// The bytes of a hex string such as `"0b0b"`; upper or lower case, no separators.
    init(hex: String) throws {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { throw HexError(input: hex) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        func value(_ digit: UInt8) throws -> UInt8 {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return digit - UInt8(ascii: "A") + 10
            default: throw HexError(input: hex)
            }
        }
        var index = 0
        while index < digits.count {
            bytes.append(try value(digits[index]) << 4 | value(digits[index + 1]))
            index += 2
        }
        self = bytes
    }

    /// Lower-case hex, for readable failure messages.
    var hex: String {
        let digits: [Character] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "c", "d", "e", "f"]
        var text = ""
        text.reserveCapacity(count * 2)
        for byte in self {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return text
    }
}
