/// An `http://` or `https://` URL as the HTTP client uses it (RFC 9110 §4.2): where to connect,
/// and the request target to send (RFC 9112 §3.2.1, origin-form).
///
/// Parsing is strict: printable ASCII only (a server's non-ASCII must arrive percent-encoded,
/// as XEP-0363 §4's examples show), no user information, a port from 1 to 65535. A fragment is
/// never sent to the server (RFC 9110 §4.2.5); it is kept in ``fragment`` for callers that carry
/// data in it (XEP-0454 keys).
public struct HTTPURL: Sendable, Hashable, CustomStringConvertible {
    /// `https`: TLS below HTTP.
    public var isSecure: Bool
    /// The host to connect to, lowercased; an IPv6 literal without its brackets.
    public var host: String
    public var port: Int
    /// The path (at least `/`) and query, as sent in the request line.
    public var requestTarget: String
    /// The text after `#`, if any; never sent.
    public var fragment: String?

    /// Why a string is not a usable HTTP URL.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        public var url: String
        public var reason: String
        public var description: String { "invalid HTTP URL '\(url)': \(reason)" }
    }

    public init(_ string: String) throws(ParseError) {
        func fail(_ reason: String) -> ParseError { ParseError(url: Self.truncated(string), reason: reason) }
        guard string.utf8.count <= Self.maximumLength else { throw fail("longer than \(Self.maximumLength) bytes") }
        guard string.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw fail("only printable ASCII is allowed (percent-encode the rest)")
        }
        guard let separator = string.firstRange(of: "://") else { throw fail("no scheme (expected http:// or https://)") }
        switch string[..<separator.lowerBound].lowercased() {
        case "http": isSecure = false
        case "https": isSecure = true
        case let other: throw fail("the scheme is '\(other)', not http or https")
        }
        var rest = string[separator.upperBound...]
        if let hash = rest.firstIndex(of: "#") {
            fragment = String(rest[rest.index(after: hash)...])
            rest = rest[..<hash]
        } else {
            fragment = nil
        }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        if authority.contains("@") { throw fail("user information is not allowed (RFC 9110 §4.2.4)") }

        var portText: Substring?
        var parsedHost: String
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw fail("an unterminated IPv6 literal") }
            parsedHost = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw fail("unexpected text after the IPv6 literal") }
                portText = after.dropFirst()
            }
            guard !parsedHost.isEmpty, parsedHost.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                throw fail("'\(parsedHost)' is not an IPv6 literal")
            }
        } else if let colon = authority.lastIndex(of: ":") {
            parsedHost = String(authority[..<colon])
            portText = authority[authority.index(after: colon)...]
        } else {
            parsedHost = String(authority)
        }
        guard !parsedHost.isEmpty else { throw fail("no host") }
        let hostCharacters = parsedHost.unicodeScalars.allSatisfy {
            ($0 >= "a" && $0 <= "z") || ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9") || "-._:~%".unicodeScalars.contains($0)
        }
        guard hostCharacters else { throw fail("the host '\(parsedHost)' has characters a host name cannot have") }
        host = parsedHost.lowercased()
        if let portText {
            guard !portText.isEmpty, portText.count <= 5, portText.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                  let number = Int(portText), (1...65535).contains(number) else {
                throw fail("the port '\(portText)' is not a number from 1 to 65535")
            }
            port = number
        } else {
            port = isSecure ? 443 : 80
        }
        let target = rest[authorityEnd...]
        requestTarget = target.isEmpty ? "/" : (target.hasPrefix("?") ? "/" + target : String(target))
    }

    /// A URL from its parts.
    public init(isSecure: Bool, host: String, port: Int? = nil, requestTarget: String = "/", fragment: String? = nil) {
        self.isSecure = isSecure
        self.host = host.lowercased()
        self.port = port ?? (isSecure ? 443 : 80)
        self.requestTarget = requestTarget.hasPrefix("/") ? requestTarget : "/" + requestTarget
        self.fragment = fragment
    }

    /// The longest URL accepted: far beyond any upload service's, short of abuse.
    public static let maximumLength = 8192

    /// `http` or `https`.
    public var scheme: String { isSecure ? "https" : "http" }

    /// Whether the port is the scheme's default (then it is left out of ``hostHeader``).
    public var hasDefaultPort: Bool { port == (isSecure ? 443 : 80) }

    /// The `Host` header field (RFC 9110 §7.2): the host, brackets around an IPv6 literal, and the
    /// port unless it is the default.
    public var hostHeader: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return hasDefaultPort ? name : "\(name):\(port)"
    }

    /// The URL without its fragment: what is requested.
    public var withoutFragment: HTTPURL {
        var copy = self
        copy.fragment = nil
        return copy
    }

    /// Whether the host is this machine: `localhost`, 127.0.0.0/8 or `::1`. Plain HTTP to such a
    /// host never leaves the machine.
    public var isLoopback: Bool {
        if host == "localhost" || host == "::1" || host == "0:0:0:0:0:0:0:1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets.first == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    public var description: String {
        "\(scheme)://\(hostHeader)\(requestTarget)" + (fragment.map { "#\($0)" } ?? "")
    }

    /// The URL without its fragment, for logs and errors: a fragment may hold a key (XEP-0454).
    public var redacted: String {
        "\(scheme)://\(hostHeader)\(requestTarget)"
    }

    private static func truncated(_ string: String) -> String {
        // Errors name the URL without any fragment (it may carry a key) and never at full length.
        let visible = string.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        return visible.count > 200 ? String(visible.prefix(200)) + "…" : visible
    }
}
