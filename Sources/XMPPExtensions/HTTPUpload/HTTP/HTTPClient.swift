import NIOCore
import NIOHTTP1
import NIOPosix
import XMPPClient

/// A small HTTP/1.1 client on SwiftNIO, for HTTP file upload (XEP-0363) and its downloads: one
/// request per connection (`Connection: close`), TLS through XMPPKit's own OpenSSL handler,
/// bodies streamed in chunks with backpressure, response bodies bounded.
///
/// ```swift
/// let http = HTTPClient()
/// let response = try await http.put(try HTTPURL(slotURL), headers: slotHeaders,
///                                   body: .file(atPath: path), contentType: "image/jpeg")
/// let bytes = try await http.get(try HTTPURL(getURL), maximumBodyBytes: expectedSize).body
/// ```
///
/// Every failure is an ``HTTPClientError``: a status outside 2xx is ``HTTPClientError/Kind/status``
/// (with the code), a redirect is not followed unless ``Configuration/redirectLimit`` allows it,
/// a body larger than the limit is refused as soon as it is announced or exceeded, and a silent
/// server is cut off after ``Configuration/idleTimeout``.
public struct HTTPClient: Sendable {
    /// When plain `http://` may be used. XEP-0363 §4 requires upload services to offer TLS, but
    /// a service on this machine (a test server, a local proxy) may not.
    public enum PlainHTTPPolicy: Sendable, Hashable {
        /// `https://` only.
        case refused
        /// `http://` only to `localhost`, 127.0.0.0/8 and `::1`, where it never leaves the machine.
        case loopbackOnly
        /// `http://` anywhere (a network may read and change everything).
        case allowed
    }

    /// Limits and policies; the defaults suit file transfer.
    public struct Configuration: Sendable {
        /// How long the TCP connection and the TLS handshake may each take. Default 10 s.
        public var connectTimeout: Duration = .seconds(10)
        /// How long the connection may carry nothing in either direction. Default 30 s.
        public var idleTimeout: Duration = .seconds(30)
        /// How long one whole exchange may take, or nil for no limit. Default 10 minutes.
        public var requestTimeout: Duration? = .seconds(600)
        /// The largest response body read when a request gives no limit of its own. Default 100 MiB.
        public var maximumResponseBodyBytes: Int = 100 * 1024 * 1024
        /// How the server's certificate is checked for `https://`. Default the system's CAs.
        public var trust: TLSTrust = .systemDefault
        /// When `http://` is allowed. Default ``PlainHTTPPolicy/loopbackOnly``.
        public var plainHTTP: PlainHTTPPolicy = .loopbackOnly
        /// How many redirects a GET follows (never from https to http; a PUT follows none).
        /// Default 0: a redirect is an error carrying its `Location`.
        public var redirectLimit: Int = 0
        /// The size of the pieces a request body is written in. Default 64 KiB.
        public var chunkSize: Int = 64 * 1024
        /// The `User-Agent` sent.
        public var userAgent: String = "XMPPKit"

        public init() {}
    }

    public var configuration: Configuration
    private let group: any EventLoopGroup

    public init(configuration: Configuration = Configuration(),
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.configuration = configuration
        self.group = group
    }

    /// GETs `url` and reads the body, refusing one larger than `maximumBodyBytes` (default
    /// ``Configuration/maximumResponseBodyBytes``). Follows up to ``Configuration/redirectLimit``
    /// redirects.
    /// - Throws: ``HTTPClientError``.
    public func get(_ url: HTTPURL, headers: [HTTPHeaderField] = [], maximumBodyBytes: Int? = nil) async throws -> HTTPResponse {
        var target = url
        var redirects = 0
        while true {
            do {
                return try await execute(method: .GET, url: target, headers: headers, body: .empty,
                                         contentType: nil, maximumBodyBytes: maximumBodyBytes)
            } catch let error as HTTPClientError where error.kind == .redirect && error.location != nil {
                guard redirects < configuration.redirectLimit, let location = error.location else { throw error }
                let next = try resolve(location, against: target)
                if target.isSecure && !next.isSecure {
                    throw HTTPClientError(.redirect, "refused a redirect from https to plain http (\(next.redacted))",
                                          statusCode: error.statusCode, location: location)
                }
                target = next
                redirects += 1
            }
        }
    }

    /// PUTs `body` to `url` with `Content-Length`, `Content-Type` (if given) and `headers`, and
    /// returns the response (a 2xx; anything else throws). Redirects are never followed.
    /// - Throws: ``HTTPClientError``.
    public func put(_ url: HTTPURL, headers: [HTTPHeaderField] = [], body: HTTPRequestBody,
                    contentType: String? = nil) async throws -> HTTPResponse {
        try await execute(method: .PUT, url: url, headers: headers, body: body, contentType: contentType,
                          maximumBodyBytes: Self.errorBodyLimit)
    }

    /// One request and its response, without redirects: a 3xx throws ``HTTPClientError/Kind/redirect``,
    /// any other status outside 2xx ``HTTPClientError/Kind/status``.
    /// - Throws: ``HTTPClientError``.
    public func execute(method: HTTPMethod, url: HTTPURL, headers: [HTTPHeaderField], body: HTTPRequestBody,
                        contentType: String?, maximumBodyBytes: Int?) async throws -> HTTPResponse {
        guard permits(url) else {
            throw HTTPClientError(.insecureURL, "plain http to \(url.redacted) is not allowed: the service must offer https (XEP-0363 §4)")
        }
        var fields = headers
        if let contentType { fields.append(HTTPHeaderField(name: "Content-Type", value: contentType)) }
        if let bad = fields.first(where: { !$0.isValid }) {
            throw HTTPClientError(.invalidRequest, "the header field '\(bad.name.prefix(64))' cannot be sent (RFC 9110 §5)")
        }
        let limit = max(0, maximumBodyBytes ?? configuration.maximumResponseBodyBytes)
        switch body.source {
        case .bytes(let bytes):
            let source = BodySource.bytes(bytes)
            return try await exchange(method: method, url: url, fields: fields, body: source, limit: limit)
        case .file(let path):
            let fileIO = NonBlockingFileIO(threadPool: .singleton)
            do {
                return try await fileIO.withFileRegion(_deprecatedPath: path) { region in
                    try await exchange(method: method, url: url, fields: fields,
                                       body: .file(region.fileHandle, length: region.readableBytes, fileIO), limit: limit)
                }
            } catch let error as HTTPClientError {
                throw error
            } catch {
                throw HTTPClientError(.bodySource, "cannot read \(path): \(error)")
            }
        }
    }

    /// Whether ``Configuration/plainHTTP`` lets a request go to `url` (https always may).
    public func permits(_ url: HTTPURL) -> Bool {
        guard !url.isSecure else { return true }
        switch configuration.plainHTTP {
        case .allowed: return true
        case .loopbackOnly: return url.isLoopback
        case .refused: return false
        }
    }

    // MARK: One exchange

    /// Where the request body comes from while it is written.
    private enum BodySource: Sendable {
        case bytes([UInt8])
        case file(NIOFileHandle, length: Int, NonBlockingFileIO)

        var length: Int {
            switch self {
            case .bytes(let bytes): bytes.count
            case .file(_, let length, _): length
            }
        }
    }

    private typealias Connection = NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>

    /// How much of an error or PUT response body is kept: enough for a server's message.
    static let errorBodyLimit = 64 * 1024

    private func exchange(method: HTTPMethod, url: HTTPURL, fields: [HTTPHeaderField], body: BodySource,
                          limit: Int) async throws -> HTTPResponse {
        let connection = try await connect(to: url)
        var head = HTTPRequestHead(version: .http1_1, method: method, uri: url.requestTarget)
        head.headers.add(name: "Host", value: url.hostHeader)
        head.headers.add(name: "User-Agent", value: configuration.userAgent)
        head.headers.add(name: "Connection", value: "close")
        if method == .PUT || method == .POST || body.length > 0 {
            head.headers.add(name: "Content-Length", value: String(body.length))
        }
        for field in fields { head.headers.add(name: field.name, value: field.value) }
        let chunkSize = max(1, configuration.chunkSize)
        let requestHead = head
        let progress = ResponseProgress()
        do {
            return try await connection.executeThenClose { inbound, outbound in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    // Written while the response is read: a server may refuse (413, 403) before
                    // taking the whole body, and its answer matters more than the write error.
                    group.addTask {
                        try await Self.writeRequest(head: requestHead, body: body, chunkSize: chunkSize, to: outbound)
                    }
                    let response = try await Self.readResponse(from: inbound, url: url, limit: limit, progress: progress)
                    group.cancelAll()
                    outbound.finish()
                    return response
                }
            }
        } catch {
            throw classify(error, url: url, headSeen: progress.headSeen)
        }
    }

    private func connect(to url: HTTPURL) async throws -> Connection {
        let connectTimeout = Self.timeAmount(configuration.connectTimeout)
        let idle = Self.timeAmount(configuration.idleTimeout)
        let total = configuration.requestTimeout.map(Self.timeAmount)
        let tls: TLSConfiguration? = url.isSecure
            ? TLSConfiguration(trust: configuration.trust, serverName: url.host, handshakeTimeout: connectTimeout)
            : nil
        do {
            return try await ClientBootstrap(group: group)
                .connectTimeout(connectTimeout)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connect(host: url.host, port: url.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let pipeline = channel.pipeline.syncOperations
                        try pipeline.addHandler(IdleStateHandler(allTimeout: idle))
                        if let tls { try pipeline.addHandler(OpenSSLTLSHandler(configuration: tls)) }
                        try pipeline.addHTTPClientHandlers()
                        try pipeline.addHandler(HTTPTimeoutHandler(idle: idle, total: total))
                        return try Connection(wrappingChannelSynchronously: channel)
                    }
                }
        } catch let error as TLSError {
            throw HTTPClientError(.tls, "\(url.redacted): \(error)", tlsError: error)
        } catch let error as ChannelError where error == .connectTimeout(connectTimeout) {
            throw HTTPClientError(.timedOut, "connecting to \(url.hostHeader) took longer than \(HTTPTimeoutHandler.describe(connectTimeout))")
        } catch {
            throw HTTPClientError(.connectionFailed, "\(url.hostHeader): \(error)")
        }
    }

    private static func writeRequest(head: HTTPRequestHead, body: BodySource, chunkSize: Int,
                                     to outbound: NIOAsyncChannelOutboundWriter<HTTPClientRequestPart>) async throws {
        try await outbound.write(.head(head))
        switch body {
        case .bytes(let bytes):
            var offset = 0
            while offset < bytes.count {
                let end = min(bytes.count, offset + chunkSize)
                try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: bytes[offset..<end]))))
                offset = end
            }
        case .file(let handle, let length, let fileIO):
            var offset = 0
            while offset < length {
                let wanted = min(chunkSize, length - offset)
                let chunk: ByteBuffer
                do {
                    chunk = try await fileIO.read(fileHandle: handle, fromOffset: Int64(offset), byteCount: wanted,
                                                  allocator: ByteBufferAllocator())
                } catch {
                    throw HTTPClientError(.bodySource, "reading the file failed at byte \(offset): \(error)")
                }
                guard chunk.readableBytes == wanted else {
                    throw HTTPClientError(.bodySource, "the file became shorter while it was sent (\(offset + chunk.readableBytes) of \(length) bytes)")
                }
                try await outbound.write(.body(.byteBuffer(chunk)))
                offset += wanted
            }
        }
        try await outbound.write(.end(nil))
    }

    /// Whether a response head has arrived, for telling a cut-off response from a failed connection.
    private final class ResponseProgress: @unchecked Sendable {
        // Written and read only by the task running the exchange, in order.
        var headSeen = false
    }

    private static func readResponse(from inbound: NIOAsyncChannelInboundStream<HTTPClientResponsePart>, url: HTTPURL,
                                     limit: Int, progress: ResponseProgress) async throws -> HTTPResponse {
        var head: HTTPResponseHead?
        var body = ByteBuffer()
        for try await part in inbound {
            switch part {
            case .head(let received):
                head = received
                progress.headSeen = true
                let code = Int(received.status.code)
                if (200..<300).contains(code), let declared = received.headers.first(name: "Content-Length"),
                   let length = Int(declared.filter { $0 != " " && $0 != "\t" }), length > limit {
                    throw HTTPClientError(.bodyTooLarge, "\(url.redacted) announced \(length) bytes; the limit is \(limit)",
                                          statusCode: code)
                }
            case .body(var chunk):
                guard let head else { throw HTTPClientError(.protocolError, "a body arrived before the status line") }
                let isSuccess = (200..<300).contains(Int(head.status.code))
                // Error bodies are only kept for their message: truncate rather than fail.
                let room = (isSuccess ? limit : errorBodyLimit) - body.readableBytes
                if chunk.readableBytes > room {
                    guard !isSuccess else {
                        throw HTTPClientError(.bodyTooLarge, "\(url.redacted) sent more than the limit of \(limit) bytes",
                                              statusCode: Int(head.status.code))
                    }
                    if room > 0, let slice = chunk.readSlice(length: room) { var slice = slice; body.writeBuffer(&slice) }
                } else {
                    body.writeBuffer(&chunk)
                }
            case .end:
                guard let head else { throw HTTPClientError(.protocolError, "the response ended before its status line") }
                return try finish(head: head, body: body, url: url)
            }
        }
        try Task.checkCancellation()
        throw HTTPClientError(head == nil ? .connectionFailed : .truncated,
                              head == nil ? "\(url.hostHeader) closed the connection without answering"
                                          : "\(url.redacted): the connection ended before the response did")
    }

    private static func finish(head: HTTPResponseHead, body: ByteBuffer, url: HTTPURL) throws -> HTTPResponse {
        let code = Int(head.status.code)
        let fields = head.headers.map { HTTPHeaderField(name: $0.name, value: $0.value) }
        let response = HTTPResponse(statusCode: code, reason: head.status.reasonPhrase, headers: fields,
                                    body: Array(body.readableBytesView))
        switch code {
        case 200..<300:
            return response
        case 300..<400:
            let location = response.header("Location")
            throw HTTPClientError(.redirect, "\(url.redacted) answered \(code) \(head.status.reasonPhrase)"
                                  + (location.map { " → \(Self.printable($0))" } ?? ""),
                                  statusCode: code, location: location)
        default:
            let message = Self.printable(String(decoding: response.body.prefix(200), as: UTF8.self))
            throw HTTPClientError(.status, "\(url.redacted) answered \(code) \(head.status.reasonPhrase)"
                                  + (message.isEmpty ? "" : ": \(message)"), statusCode: code)
        }
    }

    /// A server's text made safe to log: control characters replaced.
    private static func printable(_ text: String) -> String {
        let cleaned = String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : Character($0) })
        return String(cleaned.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }

    private func classify(_ error: any Error, url: HTTPURL, headSeen: Bool) -> HTTPClientError {
        switch error {
        case let error as HTTPClientError:
            return error
        case let error as TLSError:
            return HTTPClientError(.tls, "\(url.redacted): \(error)", tlsError: error)
        case let error as HTTPParserError:
            return HTTPClientError(headSeen ? .truncated : .protocolError, "\(url.redacted): \(error)")
        default:
            return HTTPClientError(headSeen ? .truncated : .connectionFailed, "\(url.redacted): \(error)")
        }
    }

    /// A redirect's `Location` (RFC 9110 §10.2.2): absolute, or a path on the same origin.
    private func resolve(_ location: String, against base: HTTPURL) throws -> HTTPURL {
        if location.hasPrefix("/") && !location.hasPrefix("//") {
            return HTTPURL(isSecure: base.isSecure, host: base.host, port: base.port, requestTarget: location)
        }
        do {
            return try HTTPURL(location)
        } catch {
            throw HTTPClientError(.redirect, "cannot follow the redirect: \(error)", location: location)
        }
    }

    /// `duration` as NIO's `TimeAmount`, to the nanosecond (saturating).
    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return .nanoseconds(seconds < 0 ? .min : .max) }
        let (total, overflowed) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        return .nanoseconds(overflowed ? .max : total)
    }
}
