/// A link to an encrypted file as XEP-0454 §3 shares it: the file's HTTPS URL with its scheme
/// replaced by `aesgcm`, and the IV and key in the fragment, hex, IV first:
///
/// ```
/// aesgcm://download.montague.tld/4a77…/tr%C3%A8s%20cool.jpg#8c3d050e9386ec173861778f68e9af38…f587
///                                                           └─ IV (24 hex) ─┘└─ key (64 hex) ─┘
/// ```
///
/// **Plain HTTP.** XEP-0454 §3 says that non-HTTPS URLs must not be turned into `aesgcm` URLs,
/// and a reader maps `aesgcm://` back to `https://`. An upload service that hands out `http://`
/// URLs (the loopback test servers do) therefore gets a different scheme, `aesgcm+http://`,
/// which is XMPPKit's own: it keeps the original transport, so the link still round-trips and
/// is never fetched over a scheme the service does not speak, while a strict XEP-0454 reader
/// (§5) rejects it instead of silently trying https. So: `https` ⇄ `aesgcm`, `http` ⇄
/// `aesgcm+http`; the fragment is the same in both.
///
/// Parsing accepts the 12-byte IV of XEP-0454 §3 (88 hex digits in all) and the 16-byte IV
/// older clients use (96); hex digits in either case. Formatting writes lowercase hex.
///
/// ``description`` hides the fragment, so the key never reaches a log by interpolation; the
/// full link is ``absoluteString``.
public struct AESGCMURL: Sendable, Hashable, CustomStringConvertible {
    /// XEP-0454 §3's scheme, for files served over https.
    public static let scheme = "aesgcm"
    /// XMPPKit's scheme for files served over plain http (see the type's documentation).
    public static let plainHTTPScheme = "aesgcm+http"

    /// Where the encrypted file is fetched: the upload slot's GET URL, without fragment.
    public let transportURL: HTTPURL
    /// The GCM IV (nonce): 12 bytes, or 16 from older clients.
    public let iv: [UInt8]
    /// The AES-256 key: 32 bytes.
    public let key: [UInt8]

    /// A link for the file at `transportURL` (its fragment, if any, is dropped).
    /// - Throws: ``MediaEncryptionError/invalidURL(reason:)`` for a key that is not 32 bytes or
    ///   an IV that is not 12 or 16.
    public init(transportURL: HTTPURL, iv: [UInt8], key: [UInt8]) throws(MediaEncryptionError) {
        guard key.count == MediaEncryption.keyByteCount else {
            throw .invalidURL(reason: "the key must be 32 bytes, not \(key.count)")
        }
        guard MediaEncryption.acceptedIVByteCounts.contains(iv.count) else {
            throw .invalidURL(reason: "the IV must be 12 (or, from older clients, 16) bytes, not \(iv.count)")
        }
        self.transportURL = transportURL.withoutFragment
        self.iv = iv
        self.key = key
    }

    /// Reads an `aesgcm://` or `aesgcm+http://` link.
    /// - Throws: ``MediaEncryptionError/invalidURL(reason:)``: another scheme, a malformed URL,
    ///   a missing fragment, or one that is not 88 (or 96) hex digits.
    public init(_ string: String) throws(MediaEncryptionError) {
        guard let separator = string.firstRange(of: "://") else { throw .invalidURL(reason: "no scheme") }
        let transportScheme: String
        switch string[..<separator.lowerBound].lowercased() {
        case Self.scheme: transportScheme = "https"
        case Self.plainHTTPScheme: transportScheme = "http"
        case let other: throw .invalidURL(reason: "the scheme is '\(other.prefix(32))', not aesgcm")
        }
        let parsed: HTTPURL
        do {
            parsed = try HTTPURL(transportScheme + string[separator.lowerBound...])
        } catch {
            throw .invalidURL(reason: error.reason)
        }
        guard let fragment = parsed.fragment, !fragment.isEmpty else {
            throw .invalidURL(reason: "no fragment with the IV and key (XEP-0454 §3)")
        }
        let ivHexCount: Int
        switch fragment.utf8.count {
        case 88: ivHexCount = 24
        case 96: ivHexCount = 32
        default:
            throw .invalidURL(reason: "the fragment is \(fragment.utf8.count) characters, not 88 (a 12-byte IV and a 32-byte key in hex, XEP-0454 §3) or 96 (a 16-byte IV)")
        }
        guard let bytes = Self.decodeHex(fragment) else {
            throw .invalidURL(reason: "the fragment is not hexadecimal (XEP-0454 §3)")
        }
        try self.init(transportURL: parsed, iv: Array(bytes[..<(ivHexCount / 2)]), key: Array(bytes[(ivHexCount / 2)...]))
    }

    /// Whether `string` starts with one of the two schemes (a cheap test before parsing).
    public static func hasAESGCMScheme(_ string: String) -> Bool {
        let lowered = string.prefix(Self.plainHTTPScheme.count + 3).lowercased()
        return lowered.hasPrefix(Self.scheme + "://") || lowered.hasPrefix(Self.plainHTTPScheme + "://")
    }

    /// The link's scheme: `aesgcm` for https, `aesgcm+http` for http.
    public var linkScheme: String { transportURL.isSecure ? Self.scheme : Self.plainHTTPScheme }

    /// The whole link, key included: what is shared (XEP-0454 §3).
    public var absoluteString: String {
        "\(linkScheme)://\(transportURL.hostHeader)\(transportURL.requestTarget)#\(Self.encodeHex(iv))\(Self.encodeHex(key))"
    }

    /// The link without its fragment: safe to log.
    public var description: String {
        "\(linkScheme)://\(transportURL.hostHeader)\(transportURL.requestTarget)#…"
    }

    static func encodeHex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func decodeHex(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: c - 0x30
            case 0x41...0x46: c - 0x41 + 10
            case 0x61...0x66: c - 0x61 + 10
            default: nil
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }
}
