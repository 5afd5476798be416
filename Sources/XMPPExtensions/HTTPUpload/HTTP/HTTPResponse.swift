/// An HTTP response as ``HTTPClient`` returns it: status, header fields in order, and the body,
/// read whole (within the request's limit).
public struct HTTPResponse: Sendable, Hashable {
    /// The status code (RFC 9110 §15).
    public var statusCode: Int
    /// The reason phrase, as the server wrote it.
    public var reason: String
    /// The header fields in the order received; names as the server wrote them.
    public var headers: [HTTPHeaderField]
    public var body: [UInt8]

    public init(statusCode: Int, reason: String = "", headers: [HTTPHeaderField] = [], body: [UInt8] = []) {
        self.statusCode = statusCode
        self.reason = reason
        self.headers = headers
        self.body = body
    }

    /// The first value of the header field `name`, compared case-insensitively (RFC 9110 §5.1).
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }
}

/// One header field (RFC 9110 §5): a name and a value.
public struct HTTPHeaderField: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    /// Whether `name` is a token (RFC 9110 §5.1, §5.6.2) and `value` has no CR, LF or NUL
    /// (RFC 9110 §5.5): a field that cannot smuggle another header or request.
    public var isValid: Bool {
        guard !name.isEmpty else { return false }
        let tokenSymbols = Set("!#$%&'*+-.^_`|~".utf8)
        let nameOK = name.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || tokenSymbols.contains(byte)
        }
        let valueOK = value.utf8.allSatisfy { $0 != 0x0D && $0 != 0x0A && $0 != 0x00 }
        return nameOK && valueOK
    }
}
