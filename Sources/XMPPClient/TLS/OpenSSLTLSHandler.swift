public import Logging
public import NIOCore

/// TLS on OpenSSL 3, as a SwiftNIO channel handler: ciphertext below it, plaintext above.
///
/// One handler serves both ways XMPP starts TLS:
/// - direct TLS (XEP-0368): put it first in the pipeline when the channel is created; the
///   handshake starts on `channelActive`.
/// - STARTTLS (RFC 6120 §5.4.3.3): after the server's `<proceed/>`, on the event loop, add it
///   at the front of the live pipeline (`pipeline.syncOperations.addHandler(handler,
///   position: .first)`); the channel is already active, so the handshake starts in
///   `handlerAdded`. Drop whatever plaintext the stream parser still holds after `<proceed/>`
///   (bytes injected before TLS must never be read as if they came over it). On
///   ``TLSEvent/handshakeCompleted(_:)``, reset the parser and send a new stream header
///   (§5.4.3.3 step 5); a header written earlier waits in this handler and goes out first.
///
/// Inbound it takes the peer's bytes and passes on decrypted `ByteBuffer`s; outbound it takes
/// plaintext `ByteBuffer`s and writes records. Writes made before the handshake completes are
/// kept, in order, and sent once it has (the ones already flushed then, flushed). When the
/// handshake completes it fires ``TLSEvent/handshakeCompleted(_:)``; if it fails it fires
/// `errorCaught` with a ``TLSError`` (after sending OpenSSL's alert) and closes the channel.
/// Closing the channel from above sends close_notify first.
///
/// The handler owns its OpenSSL objects (one `SSL_CTX` and one `SSL` per handler) and frees them
/// when it is released. Like NIO's own handlers it is not `Sendable`: use it on its channel's
/// event loop only.
public final class OpenSSLTLSHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    private enum State {
        /// Added to a channel that is not active yet.
        case idle
        case handshaking
        case ready
        /// close_notify sent (the output is closed); reading may continue until the channel closes.
        case outputClosed
        /// Closed, failed, or removed: bytes are dropped, writes fail.
        case closed
    }

    private let connection: OpenSSLConnection
    private let handshakeTimeout: TimeAmount?
    private var state: State = .idle
    /// Plaintext not yet encrypted, in write order, with the writers' promises.
    private var pendingWrites: [(data: ByteBuffer, promise: EventLoopPromise<Void>?)] = []
    /// How many of ``pendingWrites`` (from the front) a flush has covered.
    private var flushedWriteCount = 0
    private var timeoutTask: Scheduled<Void>?
    /// Completes when the channel closes after close_notify went out; later close calls join it.
    private var closeAllPromise: EventLoopPromise<Void>?

    /// A client. Throws ``TLSError`` with kind ``TLSError/Kind/invalidConfiguration`` when the
    /// configuration cannot be used (an unreadable CA file, a pin that is not 32 bytes, a missing
    /// server name, versions out of order). `logger` receives one warning when the trust is
    /// ``TLSTrust/insecureNoVerificationForTestingOnly``, and nothing else.
    public init(configuration: TLSConfiguration, logger: Logger = Logger(label: "xmppkit.tls")) throws(TLSError) {
        let context = try OpenSSLContext(client: configuration)
        connection = try OpenSSLConnection(context: context, isClient: true, serverName: configuration.serverName)
        handshakeTimeout = configuration.handshakeTimeout
        if configuration.trust == .insecureNoVerificationForTestingOnly {
            logger.warning(
                "TLS certificate verification is DISABLED (insecureNoVerificationForTestingOnly): anyone on the path can impersonate the server",
                metadata: ["xmpp.tls.server_name": "\(configuration.serverName ?? "")"])
        }
    }

    /// A server presenting the PEM certificate chain in `serverCertificateChainFile` (leaf first)
    /// and the PEM key in `privateKeyFile`, for in-test servers and tools. It asks for no client
    /// certificate. Throws ``TLSError`` (``TLSError/Kind/invalidConfiguration``) if the files
    /// cannot be loaded or do not match.
    public init(
        serverCertificateChainFile: String,
        privateKeyFile: String,
        minimumVersion: TLSVersion = .v1_2,
        maximumVersion: TLSVersion? = nil,
        handshakeTimeout: TimeAmount? = .seconds(30)
    ) throws(TLSError) {
        let context = try OpenSSLContext(
            serverCertificateChainFile: serverCertificateChainFile, privateKeyFile: privateKeyFile,
            minimumVersion: minimumVersion, maximumVersion: maximumVersion)
        connection = try OpenSSLConnection(context: context, isClient: false, serverName: nil)
        self.handshakeTimeout = handshakeTimeout
    }

    // MARK: Lifecycle

    public func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive {
            startHandshake(context: context)
        }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        timeoutTask?.cancel()
        timeoutTask = nil
        state = .closed
        failPendingWrites(ChannelError.ioOnClosedChannel)
    }

    public func channelActive(context: ChannelHandlerContext) {
        if case .idle = state {
            startHandshake(context: context)
        }
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        timeoutTask?.cancel()
        timeoutTask = nil
        let wasHandshaking: Bool
        switch state {
        case .idle, .handshaking: wasHandshaking = true
        case .ready, .outputClosed, .closed: wasHandshaking = false
        }
        state = .closed
        if wasHandshaking {
            let error = TLSError(.unexpectedEOF, "the connection closed during the TLS handshake")
            failPendingWrites(error)
            context.fireErrorCaught(error)
        } else {
            failPendingWrites(ChannelError.ioOnClosedChannel)
        }
        context.fireChannelInactive()
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // With half-closure allowed, the peer's end of file arrives as an event, not as inactive.
        if let event = event as? ChannelEvent, event == .inputClosed {
            switch state {
            case .idle, .handshaking:
                fail(context: context, TLSError(.unexpectedEOF, "the peer closed its side during the TLS handshake"))
                return
            case .ready, .outputClosed, .closed:
                break
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    // MARK: Inbound

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        switch state {
        case .closed:
            return
        case .idle, .handshaking, .ready, .outputClosed:
            break
        }
        if let error = connection.feed(buffer) {
            fail(context: context, error)
            return
        }
        switch state {
        case .handshaking:
            driveHandshake(context: context)
        case .ready, .outputClosed:
            decrypt(context: context)
        case .idle, .closed:
            break  // kept in the read BIO until the handshake starts
        }
    }

    // MARK: Outbound

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch state {
        case .idle, .handshaking, .ready:
            pendingWrites.append((unwrapOutboundIn(data), promise))
        case .outputClosed, .closed:
            promise?.fail(ChannelError.outputClosed)
        }
    }

    public func flush(context: ChannelHandlerContext) {
        switch state {
        case .idle, .handshaking:
            flushedWriteCount = pendingWrites.count
        case .ready:
            flushedWriteCount = pendingWrites.count
            encryptFlushedWrites(context: context)
            context.flush()
        case .outputClosed, .closed:
            context.flush()
        }
    }

    public func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        switch (state, mode) {
        case (_, .input):
            context.close(mode: .input, promise: promise)
        case (.ready, _):
            // Writes that no flush covered are dropped, as a channel drops them on close; flushed
            // ones are already encrypted and written.
            failPendingWrites(ChannelError.ioOnClosedChannel)
            state = .outputClosed
            connection.shutdown()
            let closeNotify = connection.takeOutput(allocator: context.channel.allocator)
            let closed = context.eventLoop.makePromise(of: Void.self)
            if mode == .all { closeAllPromise = closed }
            closed.futureResult.cascade(to: promise)
            guard let closeNotify else {
                context.close(mode: mode, promise: closed)
                return
            }
            // Close once close_notify is written (RFC 8446 §6.1; RFC 5246 §7.2.1 lets the closer
            // go without waiting for the peer's).
            context.writeAndFlush(wrapOutboundOut(closeNotify)).assumeIsolated().whenComplete { _ in
                context.close(mode: mode, promise: closed)
            }
        case (.outputClosed, .all):
            if let closeAllPromise {
                closeAllPromise.futureResult.cascade(to: promise)
            } else {
                let closed = context.eventLoop.makePromise(of: Void.self)
                closeAllPromise = closed
                closed.futureResult.cascade(to: promise)
                context.close(mode: .all, promise: closed)
            }
        case (.outputClosed, _):
            context.close(mode: mode, promise: promise)
        case (.idle, _), (.handshaking, _), (.closed, _):
            timeoutTask?.cancel()
            timeoutTask = nil
            state = .closed
            failPendingWrites(ChannelError.ioOnClosedChannel)
            context.close(mode: mode, promise: promise)
        }
    }

    // MARK: Handshake

    private func startHandshake(context: ChannelHandlerContext) {
        state = .handshaking
        if let handshakeTimeout {
            timeoutTask = context.eventLoop.assumeIsolated().scheduleTask(in: handshakeTimeout) {
                guard case .handshaking = self.state else { return }
                self.fail(context: context, TLSError(
                    .handshakeTimedOut, "no TLS handshake within \(handshakeTimeout.nanoseconds / 1_000_000) ms"))
            }
        }
        driveHandshake(context: context)
    }

    private func driveHandshake(context: ChannelHandlerContext) {
        switch connection.handshake() {
        case .wantsMoreData:
            sendOutput(context: context)
            // The handshake needs the peer's answer even when the channel does not auto-read.
            context.read()
        case .failed(let error):
            fail(context: context, error)
        case .complete:
            sendOutput(context: context)
            handshakeCompleted(context: context)
        }
    }

    private func handshakeCompleted(context: ChannelHandlerContext) {
        timeoutTask?.cancel()
        timeoutTask = nil
        let info: TLSSessionInfo
        switch connection.sessionInfo() {
        case .success(let value): info = value
        case .failure(let error):
            fail(context: context, error)
            return
        }
        state = .ready
        context.fireUserInboundEventTriggered(TLSEvent.handshakeCompleted(info))
        // The event's receiver may have closed the channel; only a ready handler sends and reads.
        guard case .ready = state else { return }
        if flushedWriteCount > 0 {
            encryptFlushedWrites(context: context)
            context.flush()
        }
        guard case .ready = state else { return }
        // The peer's first records may have arrived with its last handshake message.
        decrypt(context: context)
    }

    // MARK: Data

    /// Decrypts everything fed so far and passes it on, in buffers of up to 64 KiB.
    private func decrypt(context: ChannelHandlerContext) {
        var plaintext = context.channel.allocator.buffer(capacity: 16 * 1024)
        var closeNotifyReceived = false
        var failure: TLSError?
        reading: while true {
            switch connection.read(into: &plaintext) {
            case .decrypted:
                if plaintext.readableBytes >= 64 * 1024 {
                    context.fireChannelRead(wrapInboundOut(plaintext))
                    plaintext = context.channel.allocator.buffer(capacity: 16 * 1024)
                    if case .closed = state { return }
                }
            case .wantsMoreData:
                break reading
            case .closeNotify:
                closeNotifyReceived = true
                break reading
            case .failed(let error):
                failure = error
                break reading
            }
        }
        if plaintext.readableBytes > 0 {
            context.fireChannelRead(wrapInboundOut(plaintext))
            if case .closed = state { return }
        }
        if let failure {
            fail(context: context, failure)
            return
        }
        // Post-handshake messages may want answers (a TLS 1.3 KeyUpdate, say).
        sendOutput(context: context)
        if closeNotifyReceived {
            // The peer will send nothing more: answer with our close_notify and close
            // (RFC 5246 §7.2.1 asks for the answer; RFC 8446 §6.1 allows it). Through this
            // handler's own close, which sends close_notify; `context.close` would skip it.
            close(context: context, mode: .all, promise: nil)
        }
    }

    /// Encrypts the flushed writes (small ones coalesced into as few records as possible) and
    /// writes the records; each writer's promise completes with that write.
    private func encryptFlushedWrites(context: ChannelHandlerContext) {
        guard flushedWriteCount > 0 else { return }
        let writes = pendingWrites.prefix(flushedWriteCount)
        pendingWrites.removeFirst(flushedWriteCount)
        flushedWriteCount = 0

        var failure: TLSError?
        if writes.count == 1, let only = writes.first {
            failure = only.data.withUnsafeReadableBytes { connection.write($0) }
        } else {
            let total = writes.reduce(0) { $0 + $1.data.readableBytes }
            var combined = context.channel.allocator.buffer(capacity: total)
            for write in writes {
                var data = write.data
                combined.writeBuffer(&data)
            }
            failure = combined.withUnsafeReadableBytes { connection.write($0) }
        }
        let promises = writes.compactMap(\.promise)
        if let failure {
            for promise in promises { promise.fail(failure) }
            fail(context: context, failure)
            return
        }
        guard let records = connection.takeOutput(allocator: context.channel.allocator) else {
            for promise in promises { promise.succeed() }  // only empty buffers were written
            return
        }
        if promises.isEmpty {
            context.write(wrapOutboundOut(records), promise: nil)
        } else {
            let written = context.eventLoop.makePromise(of: Void.self)
            for promise in promises { written.futureResult.cascade(to: promise) }
            context.write(wrapOutboundOut(records), promise: written)
        }
    }

    /// Writes and flushes whatever OpenSSL produced (handshake messages, alerts, close_notify).
    private func sendOutput(context: ChannelHandlerContext) {
        if let output = connection.takeOutput(allocator: context.channel.allocator) {
            context.writeAndFlush(wrapOutboundOut(output), promise: nil)
        }
    }

    /// Keying material from the TLS exporter (RFC 5705, RFC 8446 §7.5) of the completed
    /// handshake, or `nil` before it; `context` `nil` means no context. Internal: the tests
    /// compare it with third-party peers; channel binding uses ``TLSSessionInfo``.
    func exportKeyingMaterial(label: String, length: Int, context: [UInt8]?) -> [UInt8]? {
        switch state {
        case .ready, .outputClosed: connection.exportKeyingMaterial(label: label, length: length, context: context)
        case .idle, .handshaking, .closed: nil
        }
    }

    // MARK: Failure

    /// Sends OpenSSL's alert if it wrote one, fails queued writes, reports `error` and closes.
    private func fail(context: ChannelHandlerContext, _ error: TLSError) {
        if case .closed = state { return }
        state = .closed
        timeoutTask?.cancel()
        timeoutTask = nil
        sendOutput(context: context)
        failPendingWrites(error)
        context.fireErrorCaught(error)
        context.close(promise: nil)
    }

    private func failPendingWrites(_ error: any Error) {
        let writes = pendingWrites
        pendingWrites = []
        flushedWriteCount = 0
        for write in writes { write.promise?.fail(error) }
    }
}

@available(*, unavailable)
extension OpenSSLTLSHandler: Sendable {}
