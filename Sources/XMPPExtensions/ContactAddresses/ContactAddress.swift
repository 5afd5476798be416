import XMPPCore

/// One contact address a server publishes (XEP-0157 §3): a URI, read into a JID where it is an
/// `xmpp:` URI (RFC 5122) and into a mailbox where it is `mailto:` (RFC 6068).
public struct ContactAddress: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// `xmpp:abuse@example.com`, `xmpp:admins@example.com?message` (XEP-0147), or
        /// `xmpp://guest@example.com/support@example.com` (RFC 5122 §2.3: the JID is the path).
        case xmpp(JID)
        /// `mailto:abuse@example.com`: the mailbox, percent-decoded.
        case email(String)
        /// `http:` or `https:`: a web page (a form, a status page).
        case web(String)
        /// Anything else, or an `xmpp:`/`mailto:` URI that does not parse (§3: the values other than
        /// `status-addresses` only SHOULD be URIs).
        case other
    }

    /// The value as the server gave it.
    public var uri: String
    public var kind: Kind

    public init(uri: String) {
        self.uri = uri
        kind = Self.parse(uri)
    }

    /// The JID of an `xmpp:` address.
    public var jid: JID? {
        if case .xmpp(let jid) = kind { return jid }
        return nil
    }

    /// The mailbox of a `mailto:` address.
    public var email: String? {
        if case .email(let address) = kind { return address }
        return nil
    }

    public var description: String { uri }

    private static func parse(_ uri: String) -> Kind {
        guard let colon = uri.firstIndex(of: ":") else { return .other }
        let scheme = uri[..<colon].lowercased()
        var rest = Substring(uri[uri.index(after: colon)...])
        switch scheme {
        case "xmpp":
            // RFC 5122 §2.3: xmpp:[//authority/]jid[?query][#fragment]
            if rest.hasPrefix("//") {
                rest = rest.dropFirst(2)
                guard let slash = rest.firstIndex(of: "/") else { return .other }
                rest = rest[rest.index(after: slash)...]
            }
            rest = rest.prefix { $0 != "?" && $0 != "#" }
            guard let decoded = percentDecoded(rest), let jid = try? JID(decoded) else { return .other }
            return .xmpp(jid)
        case "mailto":
            // RFC 6068 §2: mailto:addr1,addr2?headers. The first mailbox is the contact.
            rest = rest.prefix { $0 != "?" && $0 != "#" && $0 != "," }
            guard let decoded = percentDecoded(rest), decoded.contains("@"), !decoded.hasPrefix("@"), !decoded.hasSuffix("@") else {
                return .other
            }
            return .email(decoded)
        case "http", "https":
            return .web(uri)
        default:
            return .other
        }
    }

    /// RFC 3986 §2.1 percent-decoding; nil for a malformed escape or bytes that are not UTF-8.
    private static func percentDecoded(_ text: Substring) -> String? {
        guard !text.isEmpty else { return nil }
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else { bytes.append(byte); continue }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
