import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import XMPPXML

/// An XMPP stream over WebSocket (RFC 7395) on SwiftNIO, `ws://` or `wss://`.
///
/// Opening: TCP, TLS first for `wss://` (RFC 7395 §3.9), then the HTTP/1.1 upgrade asking for the
/// `xmpp` subprotocol (§3.1). A server that answers other than `101`, fails the
/// `Sec-WebSocket-Accept` check, or does not select `xmpp` is refused.
///
/// Pipeline after the upgrade, head to tail: [TLS] WebSocket encoder, decoder (frames up to
/// `maxStanzaBytes`), protocol-error handler, ``WebSocketMessageHandler``,
/// ``XMPPWebSocketFramingHandler``, then the async bridge the session reads from.
///
/// STARTTLS and XEP-0138 compression have no place here (§3.9: TLS belongs to `wss://`); asking for
/// either throws.
struct WebSocketConnection: XMPPConnection {
    let channel: any Channel
    let outbound: NIOAsyncChannelOutboundWriter<XMPPOutboundFrame>

    typealias AsyncChannel = NIOAsyncChannel<XMPPInboundFrame, XMPPOutboundFrame>

    /// The subprotocol RFC 7395 §3.1 registers.
    static let subprotocol = "xmpp"

    /// Why the opening handshake failed; ``open(url:tls:limits:connectTimeout:group:)`` turns each
    /// into an ``XMPPClientError``.
    enum UpgradeError: Error, Sendable, Hashable {
        /// The server answered with this status instead of `101 Switching Protocols`.
        case refused(status: Int, reason: String)
        /// The `101` did not select the `xmpp` subprotocol (the header's values, if any).
        case subprotocolNotSelected([String])
        case timedOut
    }

    /// Connects, runs the opening handshake and builds the pipeline; the caller runs the stream
    /// inside `executeThenClose`. `tls` is used for `wss://` only. `connectTimeout` bounds the TCP
    /// connection and the handshake together.
    static func open(url: String, tls: TLSConfiguration, limits: XMLParserLimits, connectTimeout: Duration,
                     closeTimeout: TimeAmount = .seconds(2),
                     group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> AsyncChannel {
        let target: WebSocketURL
        do { target = try WebSocketURL(url) } catch {
            throw XMPPClientError(.connectionFailed(error.description))
        }
        let timeout = connectTimeout.timeAmount
        do {
            let upgraded = try await ClientBootstrap(group: group)
                .connectTimeout(timeout)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connect(host: target.host, port: target.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try configurePipeline(channel, target: target, tls: target.isSecure ? tls : nil, limits: limits,
                                              timeout: timeout, closeTimeout: closeTimeout)
                    }
                }
            return try await upgraded.get()
        } catch let error as UpgradeError {
            switch error {
            case .refused(let status, let reason):
                throw XMPPClientError(.connectionFailed("\(target): the server answered the WebSocket upgrade with HTTP \(status) \(reason)"))
            case .subprotocolNotSelected(let values):
                throw XMPPClientError(.protocolViolation(
                    "\(target): the server accepted the WebSocket upgrade without selecting the 'xmpp' subprotocol (RFC 7395 §3.1)"
                    + (values.isEmpty ? "" : "; it chose \(values.joined(separator: ", "))")))
            case .timedOut:
                throw XMPPClientError(.timeout("the WebSocket upgrade at \(target) took longer than \(connectTimeout)"))
            }
        } catch let error as TLSError {
            throw XMPPClientError(.tls(error))
        } catch let error as XMPPClientError {
            throw error
        } catch let error as NIOHTTPClientUpgradeError where error == .upgraderDeniedUpgrade {
            throw XMPPClientError(.protocolViolation("\(target): the server's Sec-WebSocket-Accept does not answer our key (RFC 6455 §4.1)"))
        } catch {
            throw XMPPClientError(.connectionFailed("\(target): \(error)"))
        }
    }

    /// [TLS] HTTP encoder, decoder, observer, upgrade handler; the upgrade swaps the HTTP handlers
    /// for the WebSocket ones. Returns the future of the upgraded channel, failed (and the channel
    /// closed) if the upgrade fails or times out.
    static func configurePipeline(_ channel: any Channel, target: WebSocketURL, tls: TLSConfiguration?, limits: XMLParserLimits,
                                  timeout: TimeAmount, closeTimeout: TimeAmount) throws -> EventLoopFuture<AsyncChannel> {
        let pipeline = channel.pipeline.syncOperations
        if let tls {
            try pipeline.addHandler(OpenSSLTLSHandler(configuration: tls))
        }
        let requestEncoder = HTTPRequestEncoder()
        let responseDecoder = ByteToMessageHandler(HTTPResponseDecoder(leftOverBytesStrategy: .forwardBytes))
        let observer = WebSocketHandshakeObserver()
        try pipeline.addHandlers(requestEncoder, responseDecoder, observer)
        let boundObserver = NIOLoopBound(observer, eventLoop: channel.eventLoop)

        let maxFrameSize = min(max(limits.maxStanzaBytes, 1), Int(UInt32.max))
        let upgrader = NIOTypedWebSocketClientUpgrader<AsyncChannel>(maxFrameSize: maxFrameSize) { channel, response in
            channel.eventLoop.makeCompletedFuture {
                let offered = subprotocols(in: response.headers)
                guard offered == [subprotocol] else { throw UpgradeError.subprotocolNotSelected(offered) }
                let pipeline = channel.pipeline.syncOperations
                try pipeline.addHandler(WebSocketMessageHandler(maxMessageBytes: limits.maxStanzaBytes, closeTimeout: closeTimeout))
                try pipeline.addHandler(XMPPWebSocketFramingHandler(limits: limits, tlsSession: boundObserver.value.tlsSession))
                return try AsyncChannel(wrappingChannelSynchronously: channel)
            }
        }
        var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: target.requestTarget)
        head.headers.add(name: "Host", value: target.hostHeader)
        head.headers.add(name: "Sec-WebSocket-Protocol", value: subprotocol)
        let configuration = NIOTypedHTTPClientUpgradeConfiguration<AsyncChannel>(
            upgradeRequestHead: head, upgraders: [upgrader],
            notUpgradingCompletionHandler: { channel in
                let status = boundObserver.value.responseHead?.status
                return channel.eventLoop.makeFailedFuture(UpgradeError.refused(status: Int(status?.code ?? 0), reason: status?.reasonPhrase ?? ""))
            })
        // The observer goes first: it must leave before the decoder forwards any WebSocket bytes.
        let upgradeHandler = NIOTypedHTTPClientUpgradeHandler(
            httpHandlers: [observer, requestEncoder, responseDecoder], upgradeConfiguration: configuration)
        try pipeline.addHandler(upgradeHandler)

        let timedOut = NIOLoopBoundBox(false, eventLoop: channel.eventLoop)
        let timer = channel.eventLoop.scheduleTask(in: timeout) {
            timedOut.value = true
            channel.close(promise: nil)
        }
        return upgradeHandler.upgradeResultFuture
            .always { _ in timer.cancel() }
            .flatMapErrorThrowing { error in
                channel.close(promise: nil)
                throw timedOut.value ? UpgradeError.timedOut : error
            }
    }

    /// The values of the response's `Sec-WebSocket-Protocol` headers (names compare
    /// case-insensitively: ejabberd writes `Sec-Websocket-Protocol:xmpp`), split at commas.
    static func subprotocols(in headers: HTTPHeaders) -> [String] {
        headers["Sec-WebSocket-Protocol"]
            .flatMap { $0.split(separator: ",") }
            .map { String($0.trimmingWhitespace) }
            .filter { !$0.isEmpty }
    }

    // MARK: - XMPPConnection

    func send(_ frame: XMPPOutboundFrame) async throws {
        do { try await outbound.write(frame) } catch {
            throw XMPPClientError(.connectionFailed("write failed: \(error)"))
        }
    }

    func startTLS(_ configuration: TLSConfiguration) async throws {
        throw XMPPClientError(.protocolViolation("STARTTLS does not exist over WebSocket (RFC 7395 §3.9): use a wss:// URL"))
    }

    func startCompression() async throws {
        throw XMPPClientError(.protocolViolation("XEP-0138 stream compression is not available over WebSocket"))
    }

    /// Runs the WebSocket close handshake (RFC 6455 §7), bounded by the close timeout, then closes.
    func close() async {
        try? await channel.close()
    }
}

extension Substring {
    fileprivate var trimmingWhitespace: Substring {
        var result = self
        while result.first == " " || result.first == "\t" { result.removeFirst() }
        while result.last == " " || result.last == "\t" { result.removeLast() }
        return result
    }
}
