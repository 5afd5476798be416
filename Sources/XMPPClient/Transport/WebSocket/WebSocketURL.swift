/// A `ws://` or `wss://` URL split into what the connection needs (RFC 6455 §3): where to connect,
/// whether to start TLS, and the request target and `Host` header of the opening handshake.
///
/// Parsed by hand, strictly: no user information, no fragment (§3 forbids one), nothing outside
/// printable ASCII (a URL must be percent-encoded already), so nothing from the URL can break the
/// HTTP request it goes into.
struct WebSocketURL: Sendable, Hashable, CustomStringConvertible {
    /// `wss`: TLS below the WebSocket (RFC 7395 §3.9).
    var isSecure: Bool
    /// The host to connect to; an IPv6 literal without its brackets.
    var host: String
    var port: Int
    /// The path (at least `/`) and query, as sent in the request line.
    var requestTarget: String

    /// Why a string is not a usable WebSocket URL.
    struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        var url: String
        var reason: String
        var description: String { "invalid WebSocket URL '\(url)': \(reason)" }
    }

    init(_ string: String) throws(ParseError) {
        func fail(_ reason: String) -> ParseError { ParseError(url: string, reason: reason) }
        guard string.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw fail("only printable ASCII is allowed (percent-encode the rest)")
        }
        guard let separator = string.firstRange(of: "://") else { throw fail("no scheme (expected ws:// or wss://)") }
        switch string[..<separator.lowerBound].lowercased() {
        case "ws": isSecure = false
        case "wss": isSecure = true
        case let other: throw fail("the scheme is '\(other)', not ws or wss")
        }
        let rest = string[separator.upperBound...]
        if rest.contains("#") { throw fail("a fragment is not allowed (RFC 6455 §3)") }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        if authority.contains("@") { throw fail("user information is not allowed") }

        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw fail("an unterminated IPv6 literal") }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw fail("unexpected text after the IPv6 literal") }
                portText = after.dropFirst()
            }
            guard !host.isEmpty, host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                throw fail("'\(host)' is not an IPv6 literal")
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            portText = authority[authority.index(after: colon)...]
        } else {
            host = String(authority)
        }
        guard !host.isEmpty else { throw fail("no host") }
        if let portText {
            guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy(\.isASCIIDigit), let number = Int(portText),
                  (1...65535).contains(number) else {
                throw fail("the port '\(portText)' is not a number from 1 to 65535")
            }
            port = number
        } else {
            port = isSecure ? 443 : 80
        }
        let target = rest[authorityEnd...]
        requestTarget = target.hasPrefix("/") ? String(target) : "/" + target
    }

    var defaultPort: Int { isSecure ? 443 : 80 }

    /// The `Host` header (RFC 9112 §3.2): the port only when it is not the scheme's default.
    var hostHeader: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return port == defaultPort ? name : "\(name):\(port)"
    }

    var description: String { "\(isSecure ? "wss" : "ws")://\(hostHeader)\(requestTarget)" }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
