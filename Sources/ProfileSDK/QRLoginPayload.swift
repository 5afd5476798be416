import Foundation
import XMPPCore

/// The QR-login payload string (Specs/qr-login.md §4):
/// `xmppkit-qr-login:0?jid=<JID>&key=<KEY>&nonce=<NONCE>&exp=<EXP>&ws=<URL>`.
struct QRLoginPayload: Sendable, Hashable {
    static let scheme = "xmppkit-qr-login:"
    static let maximumLength = 512
    /// A code's lifetime (§4.1 `exp`).
    static let lifetime = 120
    /// The clock skew the scanner allows (§4.2, §8.4).
    static let skew = 30

    /// The new device's full JID on the signal server.
    var jid: JID
    /// The new device's X25519 public key `Q`.
    var key: [UInt8]
    /// `N`, 16 bytes.
    var nonce: [UInt8]
    /// Unix time in seconds.
    var exp: Int
    /// The signal server's WebSocket URL without its `domain` parameter.
    var ws: String

    init(jid: JID, key: [UInt8], nonce: [UInt8], exp: Int, ws: String) {
        self.jid = jid
        self.key = key
        self.nonce = nonce
        self.exp = exp
        self.ws = ws
    }

    /// The §4.1 string.
    var string: String {
        Self.scheme + "0?jid=" + Self.percentEncode(jid.description) + "&key=" + Base64URL.encode(key)
            + "&nonce=" + Base64URL.encode(nonce) + "&exp=\(exp)&ws=" + Self.percentEncode(ws)
    }

    /// Parses and checks a scanned string (§4.2), refusing with the table's 400s and the 401
    /// for an expired code. `now` is Unix time in seconds.
    init(parsing text: String, now: Int) throws(SDKError) {
        func invalid(_ what: String) -> SDKError { SDKError(statusCode: 400, message: "Invalid QR Code: \(what)", parameter: "qrString") }
        guard text.hasPrefix(Self.scheme) else {
            throw SDKError(statusCode: 400, message: "Invalid QR Code: not an XMPPKit QR-login code", parameter: "qrString")
        }
        let rest = text.dropFirst(Self.scheme.count)
        let version = rest.prefix { $0 != "?" }
        guard version == "0" else { throw SDKError(statusCode: 400, message: "Unsupported QR Code Version", parameter: "qrString") }
        guard text.utf8.count <= Self.maximumLength else { throw invalid("longer than \(Self.maximumLength) characters") }
        guard text.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { throw invalid("not printable ASCII without white space") }
        guard rest.dropFirst(version.count).first == "?" else { throw invalid("no query") }
        let fields = rest.dropFirst(version.count + 1).split(separator: "&", omittingEmptySubsequences: false)
        let names = ["jid", "key", "nonce", "exp", "ws"]
        guard fields.count == names.count else { throw invalid("fields must be exactly \(names.joined(separator: ", "))") }
        var values: [String] = []
        for (field, name) in zip(fields, names) {
            guard field.hasPrefix(name + "=") else { throw invalid("fields must be exactly \(names.joined(separator: ", ")) in this order") }
            values.append(String(field.dropFirst(name.count + 1)))
        }
        guard let jidText = Self.percentDecode(values[0]), let jid = try? JID(jidText),
              jid.localpart != nil, jid.resourcepart != nil else { throw invalid("jid") }
        guard values[1].utf8.count == 43, let key = Base64URL.decode(values[1]), key.count == 32 else { throw invalid("key") }
        guard values[2].utf8.count == 22, let nonce = Base64URL.decode(values[2]), nonce.count == 16 else { throw invalid("nonce") }
        let expText = values[3]
        guard (1...12).contains(expText.utf8.count), expText.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
              expText.utf8.first != 0x30, let exp = Int(expText) else { throw invalid("exp") }
        guard exp <= now + Self.lifetime + Self.skew else { throw invalid("exp") }
        guard let ws = Self.percentDecode(values[4]), let url = URLComponents(string: ws),
              ["ws", "wss"].contains(url.scheme?.lowercased() ?? ""), url.host?.isEmpty == false, url.fragment == nil else {
            throw invalid("ws")
        }
        guard now <= exp + Self.skew else { throw SDKError(statusCode: 401, message: "QR Code Expired", parameter: "qrString") }
        self.init(jid: jid, key: key, nonce: nonce, exp: exp, ws: ws)
    }

    /// §4.1 `pchar`: kept as is; every other UTF-8 byte is `%XX` (upper-case hex).
    static func isPChar(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x41...0x5A, 0x61...0x7A, 0x30...0x39: true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: ":"),
             UInt8(ascii: "@"), UInt8(ascii: "/"): true
        default: false
        }
    }

    static func percentEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            if isPChar(byte) { out.unicodeScalars.append(Unicode.Scalar(byte)) } else {
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }

    /// Decodes `pvalue` (§4.1); nil for an empty value, a byte outside `pchar`/`pct`, a bad `%XX`
    /// or invalid UTF-8.
    static func percentDecode(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return nil }
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%") {
                guard index + 2 < bytes.count,
                      let value = UInt8(String(decoding: bytes[(index + 1)...(index + 2)], as: UTF8.self), radix: 16) else { return nil }
                out.append(value)
                index += 3
            } else {
                guard isPChar(byte) else { return nil }
                out.append(byte)
                index += 1
            }
        }
        return String(validating: out, as: UTF8.self)
    }
}

/// base64url without padding (RFC 4648 §5), strict: padding, other alphabets and white space are
/// refused.
enum Base64URL {
    static func encode(_ bytes: [UInt8]) -> String {
        var text = Base64.encode(bytes)
        while text.hasSuffix("=") { text.removeLast() }
        return String(text.map { $0 == "+" ? "-" : $0 == "/" ? "_" : $0 })
    }

    static func decode(_ text: String) -> [UInt8]? {
        guard text.utf8.allSatisfy({ byte in
            (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }), text.utf8.count % 4 != 1 else { return nil }
        var standard = String(text.map { $0 == "-" ? "+" : $0 == "_" ? "/" : $0 })
        while standard.utf8.count % 4 != 0 { standard += "=" }
        guard let bytes = Base64.decode(standard), encode(bytes) == text else { return nil }
        return bytes
    }
}

extension String {
    fileprivate func leftPadded(to count: Int) -> String {
        String(repeating: "0", count: Swift.max(0, count - self.count)) + self
    }
}
