import Foundation
import TestSupport
import NIOCore
import NIOPosix
@testable import XMPPClient

/// What a ``SocketProbe`` reports, as futures a test can await. Each fails after a deadline
/// rather than hang a test.
struct ProbeFutures: Sendable {
    let handshake: EventLoopPromise<TLSSessionInfo>
    let failure: EventLoopPromise<TLSError>
    let data: EventLoopPromise<[UInt8]>
    let closed: EventLoopPromise<Void>
    /// The TLS exporter with no context (`use_context` = 0), as `openssl s_server -keymatexport` prints it.
    let exporterWithoutContext: EventLoopPromise<[UInt8]?>
    let expectedBytes: Int
    let echo: Bool

    struct Timeout: Error, CustomStringConvertible {
        var description: String { "timed out waiting for the peer" }
    }

    init(on loop: any EventLoop, expectedBytes: Int = 0, echo: Bool = false, deadline: TimeAmount = .seconds(20)) {
        handshake = loop.makePromise()
        failure = loop.makePromise()
        data = loop.makePromise()
        closed = loop.makePromise()
        exporterWithoutContext = loop.makePromise()
        self.expectedBytes = expectedBytes
        self.echo = echo
        let (handshake, failure, data, closed, exporter) = (handshake, failure, data, closed, exporterWithoutContext)
        loop.scheduleTask(in: deadline) {
            handshake.fail(Timeout())
            failure.fail(Timeout())
            data.fail(Timeout())
            closed.fail(Timeout())
            exporter.fail(Timeout())
        }
    }
}

/// Above the TLS handler on a real socket: completes the ``ProbeFutures``, and echoes if asked.
final class SocketProbe: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let futures: ProbeFutures
    private var received: [UInt8] = []

    init(_ futures: ProbeFutures) { self.futures = futures }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard case .handshakeCompleted(let info)? = event as? TLSEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        let tls = try? context.pipeline.syncOperations.handler(type: OpenSSLTLSHandler.self)
        futures.exporterWithoutContext.succeed(
            tls?.exportKeyingMaterial(label: "EXPORTER-Channel-Binding", length: 32, context: nil))
        futures.handshake.succeed(info)
        if futures.expectedBytes == 0 { futures.data.succeed([]) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        received += buffer.readableBytesView
        if futures.echo { context.writeAndFlush(wrapOutboundOut(buffer), promise: nil) }
        if received.count >= futures.expectedBytes && futures.expectedBytes > 0 { futures.data.succeed(received) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? TLSError {
            futures.failure.succeed(error)
            futures.handshake.fail(error)
        }
        futures.data.fail(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        futures.closed.succeed()
        futures.data.fail(ChannelError.eof)
        futures.handshake.fail(ChannelError.eof)
    }
}

enum Sockets {
    static var group: MultiThreadedEventLoopGroup { .singleton }

    /// A TCP server on 127.0.0.1 (port chosen by the system) whose connections get `handlers`.
    static func server(
        _ handlers: @escaping @Sendable () throws -> [any ChannelHandler]
    ) async throws -> any Channel {
        try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers(handlers())
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    /// A TCP connection to 127.0.0.1:`port` with `handlers`.
    static func connect(
        port: Int, _ handlers: @escaping @Sendable () throws -> [any ChannelHandler]
    ) async throws -> any Channel {
        try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers(handlers())
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
    }
}

/// A line of text, as a buffer.
func buffer(_ text: String) -> ByteBuffer { ByteBuffer(bytes: Array(text.utf8)) }

/// An `openssl s_server` or `s_client`, its output collected as it comes, its input a pipe kept
/// open (s_server and s_client stop when their input ends). Started with TestSupport's Subprocess,
/// not Foundation's Process (see Subprocess.swift for the deadlock that avoids).
final class OpenSSLPeer: @unchecked Sendable {
    private let child: Subprocess

    init(_ arguments: [String], environment: [String: String] = [:], directory: String) throws {
        child = try Subprocess(["openssl"] + arguments, environment: environment, directory: directory)
    }

    deinit { stop() }

    var output: String {
        String(decoding: child.output, as: UTF8.self)
    }

    /// Waits (polling) until `condition` holds for the output so far, for at most `seconds`.
    @discardableResult
    func waitForOutput(seconds: Double = 10, _ condition: (String) -> Bool) async throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let text = output
            if condition(text) { return text }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw ProbeFutures.Timeout()
    }

    /// The port `s_server -accept 127.0.0.1:0` reports ("ACCEPT 127.0.0.1:40003").
    func acceptedPort() async throws -> Int {
        let text = try await waitForOutput { $0.contains("ACCEPT 127.0.0.1:") }
        let tail = text.components(separatedBy: "ACCEPT 127.0.0.1:")[1]
        guard let port = Int(tail.prefix { $0.isNumber }) else { throw ProbeFutures.Timeout() }
        return port
    }

    /// The hex after "Keying material: ", as bytes, once printed.
    func keyingMaterial() async throws -> [UInt8] {
        let text = try await waitForOutput { $0.range(of: "Keying material: [0-9A-F]{64}", options: .regularExpression) != nil }
        guard let range = text.range(of: "Keying material: [0-9A-F]{64}", options: .regularExpression) else {
            throw ProbeFutures.Timeout()
        }
        return hexBytes(String(text[range].dropFirst("Keying material: ".count)))
    }

    func send(_ text: String) {
        child.write(Data(text.utf8))
    }

    func stop() {
        child.kill()
    }
}

func hexBytes(_ hex: String) -> [UInt8] {
    var bytes: [UInt8] = []
    var index = hex.startIndex
    while index < hex.endIndex, let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex) {
        if let byte = UInt8(hex[index..<next], radix: 16) { bytes.append(byte) }
        index = next
    }
    return bytes
}
