import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import XMPPClient
import XMPPExtensions

/// A scriptable HTTP/1.1 server on 127.0.0.1 for the HTTP client's and the upload module's tests:
/// each request (head and whole body) is recorded and answered as `respond` says, including
/// the misbehaviours a client must survive (silence, a lying `Content-Length`, an endless body).
final class TestHTTPServer: Sendable {
    struct Request: Sendable {
        var method: String
        var uri: String
        var headers: [HTTPHeaderField]
        var body: [UInt8]

        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }

        func headers(named name: String) -> [String] {
            headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
        }
    }

    enum Action: Sendable {
        /// A complete response with `Content-Length`.
        case respond(status: Int, headers: [(String, String)] = [], body: [UInt8] = [])
        /// A chunked response of `chunks` pieces of `chunkSize` bytes (no length announced).
        case chunked(status: Int, chunkSize: Int, chunks: Int)
        /// Never answer; keep the connection open.
        case stall
        /// Announce `declaredLength` bytes, send `body`, then close.
        case truncate(declaredLength: Int, body: [UInt8])
    }

    typealias Responder = @Sendable (Request) -> Action

    let port: Int
    private let channel: any Channel
    private let recorder: Recorder

    /// A PEM certificate chain and key make it an https server.
    static func start(tls: (certificate: String, key: String)? = nil,
                      respond: @escaping Responder) async throws -> TestHTTPServer {
        let recorder = Recorder()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if let tls {
                        try pipeline.addHandler(OpenSSLTLSHandler(serverCertificateChainFile: tls.certificate, privateKeyFile: tls.key))
                    }
                    try pipeline.configureHTTPServerPipeline(withErrorHandling: true)
                    try pipeline.addHandler(Handler(recorder: recorder, respond: respond))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        guard let port = channel.localAddress?.port else { throw ServerError.noPort }
        return TestHTTPServer(port: port, channel: channel, recorder: recorder)
    }

    private init(port: Int, channel: any Channel, recorder: Recorder) {
        self.port = port
        self.channel = channel
        self.recorder = recorder
    }

    /// `http://127.0.0.1:port` + `path`.
    func url(_ path: String, scheme: String = "http") -> String {
        "\(scheme)://127.0.0.1:\(port)\(path)"
    }

    var requests: [Request] { recorder.requests }

    func stop() async {
        try? await channel.close()
    }

    enum ServerError: Error { case noPort }

    final class Recorder: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: [Request] = []

        func append(_ request: Request) {
            lock.lock()
            stored.append(request)
            lock.unlock()
        }

        var requests: [Request] {
            lock.lock()
            defer { lock.unlock() }
            return stored
        }
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        private let recorder: Recorder
        private let respond: Responder
        private var head: HTTPRequestHead?
        private var body: [UInt8] = []

        init(recorder: Recorder, respond: @escaping Responder) {
            self.recorder = recorder
            self.respond = respond
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let received):
                head = received
                body = []
            case .body(let buffer):
                body.append(contentsOf: buffer.readableBytesView)
            case .end:
                guard let head else { return }
                let request = Request(method: head.method.rawValue, uri: head.uri,
                                      headers: head.headers.map { HTTPHeaderField(name: $0.name, value: $0.value) }, body: body)
                recorder.append(request)
                act(respond(request), context: context)
            }
        }

        private func act(_ action: Action, context: ChannelHandlerContext) {
            switch action {
            case .respond(let status, let headers, let body):
                var head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status))
                for (name, value) in headers { head.headers.add(name: name, value: value) }
                head.headers.replaceOrAdd(name: "Content-Length", value: String(body.count))
                head.headers.add(name: "Connection", value: "close")
                context.write(wrapOutboundOut(.head(head)), promise: nil)
                if !body.isEmpty { context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil) }
                context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
                    context.close(promise: nil)
                }
            case .chunked(let status, let chunkSize, let chunks):
                var head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status))
                head.headers.add(name: "Transfer-Encoding", value: "chunked")
                context.write(wrapOutboundOut(.head(head)), promise: nil)
                let chunk = ByteBuffer(repeating: 0x41, count: chunkSize)
                for _ in 0..<chunks { context.write(wrapOutboundOut(.body(.byteBuffer(chunk))), promise: nil) }
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            case .stall:
                break
            case .truncate(let declared, let body):
                var head = HTTPResponseHead(version: .http1_1, status: .ok)
                head.headers.add(name: "Content-Length", value: String(declared))
                context.write(wrapOutboundOut(.head(head)), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body))))).assumeIsolated().whenComplete { _ in
                    context.close(promise: nil)
                }
            }
        }
    }
}
