import XMPPClient

/// Why an HTTP exchange of ``HTTPClient`` failed.
///
/// A struct whose ``kind`` is compared against the static members, so kinds can be added without
/// breaking callers (STYLE.md, "Errors"):
///
/// ```swift
/// catch let error as HTTPClientError where error.kind == .status { print(error.statusCode ?? 0) }
/// ```
///
/// Messages name URLs without their fragment (an XEP-0454 fragment is a key).
public struct HTTPClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The URL cannot be used: not http(s), malformed, or a header that cannot be sent.
        public static let invalidRequest = Kind("invalid request")
        /// Plain `http://` to a host the configuration does not allow it for
        /// (``HTTPClient/Configuration/plainHTTP``).
        public static let insecureURL = Kind("plain HTTP refused")
        /// The TCP connection could not be made (refused, unreachable, name not resolved).
        public static let connectionFailed = Kind("connection failed")
        /// TLS failed; ``tlsError`` says how.
        public static let tls = Kind("TLS failure")
        /// Connecting, the server's silence, or the whole exchange took longer than configured.
        public static let timedOut = Kind("timed out")
        /// The server answered with a status outside 2xx (and not a redirect followed).
        public static let status = Kind("HTTP error status")
        /// The server redirected (3xx) and redirects are not followed, or too many, or to plain HTTP.
        public static let redirect = Kind("redirect not followed")
        /// The response body is larger than allowed (declared or received).
        public static let bodyTooLarge = Kind("response body too large")
        /// The connection ended before the whole response arrived.
        public static let truncated = Kind("response truncated")
        /// The server's bytes are not HTTP/1.1.
        public static let protocolError = Kind("HTTP protocol error")
        /// Reading the request body (a file) failed.
        public static let bodySource = Kind("request body unreadable")
    }

    public let kind: Kind
    /// The response status, for ``Kind/status`` and ``Kind/redirect``.
    public let statusCode: Int?
    /// The `Location` of a redirect not followed.
    public let location: String?
    /// The TLS failure, for ``Kind/tls``.
    public let tlsError: TLSError?
    /// Details in words.
    public let detail: String

    init(_ kind: Kind, _ detail: String, statusCode: Int? = nil, location: String? = nil, tlsError: TLSError? = nil) {
        self.kind = kind
        self.detail = detail
        self.statusCode = statusCode
        self.location = location
        self.tlsError = tlsError
    }

    public var description: String {
        "HTTPClientError: \(kind): \(detail)"
    }
}
