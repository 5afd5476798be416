import XMPPCrypto

/// The avatar hash of XEP-0153 §3.1: SHA-1 (RFC 3174) of the image bytes themselves (not of their
/// base64), as hexadecimal digits, lowercase as the XMPP ecosystem writes them.
public enum AvatarHash {
    /// The hash of `image`.
    /// - Throws: `CryptoError` only if OpenSSL itself fails.
    public static func sha1Hex(of image: [UInt8]) throws -> String {
        let digits = Array("0123456789abcdef".utf8)
        var hex = [UInt8]()
        hex.reserveCapacity(40)
        for byte in try HashFunction.sha1.hash(image) {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }

    /// A received hash in lowercase, or nil unless it is 40 hexadecimal digits. §3.1: XML Schema's
    /// canonical hex is upper-case while XMPP software writes lower-case; both are accepted.
    public static func normalized(_ text: some StringProtocol) -> String? {
        let bytes = Array(text.utf8)
        guard bytes.count == 40 else { return nil }
        var lower = [UInt8]()
        lower.reserveCapacity(40)
        for byte in bytes {
            switch byte {
            case 0x30...0x39, 0x61...0x66: lower.append(byte)
            case 0x41...0x46: lower.append(byte + 0x20)
            default: return nil
            }
        }
        return String(decoding: lower, as: UTF8.self)
    }
}
