import NIOCore
import NIOEmbedded
import TestSupport
@testable import XMPPClient

/// Sits above the TLS handler and records what reaches the application: plaintext, the handshake
/// event, errors, the end of the channel.
final class TLSRecorder: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    var received: [UInt8] = []
    var readCount = 0
    var sessions: [TLSSessionInfo] = []
    var errors: [any Error] = []
    var otherEvents: [Any] = []
    var inactive = false

    var session: TLSSessionInfo? { sessions.first }
    var tlsErrors: [TLSError] { errors.compactMap { $0 as? TLSError } }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        readCount += 1
        received += unwrapInboundIn(data).readableBytesView
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted(let info)? = event as? TLSEvent {
            sessions.append(info)
        } else {
            otherEvents.append(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        errors.append(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        inactive = true
    }
}

/// A client handler and a server handler on two `EmbeddedChannel`s, with the bytes shuttled
/// between them by hand: deterministic, no sockets, no threads.
final class EmbeddedTLSPair {
    let client = EmbeddedChannel()
    let server = EmbeddedChannel()
    let clientRecorder = TLSRecorder()
    let serverRecorder = TLSRecorder()
    let clientHandler: OpenSSLTLSHandler
    let serverHandler: OpenSSLTLSHandler
    /// Every ciphertext buffer the client sent, in order.
    private(set) var clientToServer: [ByteBuffer] = []
    private(set) var serverToClient: [ByteBuffer] = []

    /// Handlers added before the channels become active (direct TLS) unless `activeFirst`
    /// (STARTTLS: the handlers join live channels).
    init(client configuration: TLSConfiguration,
         serverCertificate: String? = nil, serverKey: String? = nil,
         serverMinimum: TLSVersion = .v1_2, serverMaximum: TLSVersion? = nil,
         activeFirst: Bool = false) throws {
        let pki = try TLSTestPKI.get()
        clientHandler = try OpenSSLTLSHandler(configuration: configuration)
        serverHandler = try OpenSSLTLSHandler(
            serverCertificateChainFile: serverCertificate ?? pki.serverCertificate,
            privateKeyFile: serverKey ?? pki.serverKey,
            minimumVersion: serverMinimum, maximumVersion: serverMaximum)
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: 5222)
        if activeFirst {
            client.connect(to: address, promise: nil)
            server.connect(to: address, promise: nil)
        }
        try client.pipeline.syncOperations.addHandlers([clientHandler, clientRecorder])
        try server.pipeline.syncOperations.addHandlers([serverHandler, serverRecorder])
        if !activeFirst {
            client.connect(to: address, promise: nil)
            server.connect(to: address, promise: nil)
        }
    }

    /// Closes what is still open and runs the loops, so the pipelines tear down and the handlers
    /// (and their OpenSSL objects) are freed: an `EmbeddedChannel` finishes closing only when its
    /// loop runs.
    deinit {
        for channel in [client, server] {
            if channel.isActive { channel.close(promise: nil) }
            channel.embeddedEventLoop.run()
        }
    }

    /// Moves bytes both ways until neither side has anything more to say.
    @discardableResult
    func shuttle(maxRounds: Int = 10_000) throws -> Int {
        var rounds = 0
        while rounds < maxRounds {
            rounds += 1
            let a = try move(from: client, to: server, log: &clientToServer)
            let b = try move(from: server, to: client, log: &serverToClient)
            if !a && !b { break }
        }
        return rounds
    }

    private func move(from source: EmbeddedChannel, to destination: EmbeddedChannel, log: inout [ByteBuffer]) throws -> Bool {
        var moved = false
        while let buffer = try source.readOutbound(as: ByteBuffer.self) {
            moved = true
            log.append(buffer)
            guard destination.isActive else { continue }
            try destination.writeInbound(buffer)
        }
        return moved
    }

    /// Completes the handshake, or fails the test with what either side reported.
    func handshake() throws {
        try shuttle()
        guard clientRecorder.session != nil, serverRecorder.session != nil else {
            throw PairFailure(description: "no handshake: client errors \(clientRecorder.errors), server errors \(serverRecorder.errors)")
        }
    }

    struct PairFailure: Error, CustomStringConvertible {
        var description: String
    }
}

extension ByteBuffer {
    init(bytes: [UInt8]) {
        self = ByteBufferAllocator().buffer(capacity: bytes.count)
        writeBytes(bytes)
    }
}

/// `count` bytes of a repeating, position-dependent pattern, so that reordering shows.
func patternBytes(_ count: Int, seed: UInt8 = 0) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8 &+ Int(seed)) }
}
