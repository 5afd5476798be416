import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import XMPPClient
import XMPPCore
import XMPPXML

/// A raw RFC 7395 connection for the WebSocket checks: the HTTP/1.1 upgrade asking for the `xmpp`
/// subprotocol (the server's `101` head is kept for the checks to judge), then one text frame per
/// write, exactly as given; each text message the server sends is parsed as one element.
///
/// Events arrive as ``ProbeEvent``s: `.element` per message, `.streamClosed` for a WebSocket close
/// frame, `.malformed` for a message that is not one well-formed element.
public final class WebSocketProbe: Sendable {
    let channel: any Channel
    let label: String
    let transcript: Transcript
    private let mailbox: ProbeMailbox
    /// The server's `101 Switching Protocols` head.
    public let response: HTTPResponseHead

    private init(channel: any Channel, mailbox: ProbeMailbox, response: HTTPResponseHead, label: String, transcript: Transcript) {
        self.channel = channel
        self.mailbox = mailbox
        self.response = response
        self.label = label
        self.transcript = transcript
    }

    /// The parts of a `ws://` or `wss://` URL the handshake needs.
    struct Target: Sendable {
        var secure: Bool
        var host: String
        var port: Int
        var path: String

        init(_ url: String) throws(CheckSetupError) {
            let lower = url.lowercased()
            let rest: Substring
            if lower.hasPrefix("ws://") {
                secure = false
                rest = url.dropFirst(5)
            } else if lower.hasPrefix("wss://") {
                secure = true
                rest = url.dropFirst(6)
            } else {
                throw CheckSetupError("'\(url)' is not a ws:// or wss:// URL")
            }
            let authority = rest.prefix { $0 != "/" }
            path = rest.dropFirst(authority.count).isEmpty ? "/" : String(rest.dropFirst(authority.count))
            if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
                host = String(authority[..<colon])
                guard let number = Int(authority[authority.index(after: colon)...]), (1...65535).contains(number) else {
                    throw CheckSetupError("'\(url)' has no valid port")
                }
                port = number
            } else {
                host = String(authority)
                port = secure ? 443 : 80
            }
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            guard !host.isEmpty else { throw CheckSetupError("'\(url)' has no host") }
        }

        var hostHeader: String {
            let name = host.contains(":") ? "[\(host)]" : host
            return port == (secure ? 443 : 80) ? name : "\(name):\(port)"
        }
    }

    private enum UpgradeRefused: Error {
        case refused
    }

    /// Connects to `url` and runs the opening handshake with `Sec-WebSocket-Protocol: xmpp`
    /// (RFC 7395 §3.2); `tls` (server name: the domain) is used for `wss://`.
    static func connect(url: String, tls: TLSConfiguration, label: String, transcript: Transcript,
                        timeout: Duration = .seconds(10)) async throws(CheckSetupError) -> WebSocketProbe {
        let target = try Target(url)
        let mailbox = ProbeMailbox()
        let upgraded: (any Channel, HTTPResponseHead)
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(timeout.timeAmount)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connect(host: target.host, port: target.port).get()
            transcript.record("\(label) connected to \(target.host):\(target.port) for \(url)")
            let future = try await channel.eventLoop.submit {
                try configure(channel, target: target, tls: target.secure ? tls : nil, mailbox: mailbox)
            }.get()
            let timer = channel.eventLoop.scheduleTask(in: timeout.timeAmount) { channel.close(promise: nil) }
            defer { timer.cancel() }
            do {
                upgraded = (channel, try await future.get())
            } catch {
                try? await channel.close()
                throw error
            }
        } catch UpgradeRefused.refused {
            throw CheckSetupError("\(url): the server did not accept the WebSocket upgrade")
        } catch {
            throw CheckSetupError("\(url): the WebSocket opening handshake failed: \(error)")
        }
        let head = upgraded.1
        let headers = head.headers.map { "\($0.name): \($0.value)" }.joined(separator: ", ")
        transcript.record("\(label) ← HTTP \(head.status.code) \(head.status.reasonPhrase) [\(headers)]")
        return WebSocketProbe(channel: upgraded.0, mailbox: mailbox, response: head, label: label, transcript: transcript)
    }

    private static func configure(_ channel: any Channel, target: Target, tls: TLSConfiguration?,
                                  mailbox: ProbeMailbox) throws -> EventLoopFuture<HTTPResponseHead> {
        let pipeline = channel.pipeline.syncOperations
        if let tls {
            try pipeline.addHandler(OpenSSLTLSHandler(configuration: tls))
        }
        let requestEncoder = HTTPRequestEncoder()
        let responseDecoder = ByteToMessageHandler(HTTPResponseDecoder(leftOverBytesStrategy: .forwardBytes))
        try pipeline.addHandlers(requestEncoder, responseDecoder)
        let upgrader = NIOTypedWebSocketClientUpgrader<HTTPResponseHead>(maxFrameSize: 1 << 20) { channel, response in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(WebSocketProbeHandler(mailbox: mailbox))
                return response
            }
        }
        var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: target.path)
        head.headers.add(name: "Host", value: target.hostHeader)
        head.headers.add(name: "Sec-WebSocket-Protocol", value: "xmpp")
        let configuration = NIOTypedHTTPClientUpgradeConfiguration<HTTPResponseHead>(
            upgradeRequestHead: head, upgraders: [upgrader],
            notUpgradingCompletionHandler: { channel in channel.eventLoop.makeFailedFuture(UpgradeRefused.refused) })
        let upgradeHandler = NIOTypedHTTPClientUpgradeHandler(httpHandlers: [requestEncoder, responseDecoder],
                                                              upgradeConfiguration: configuration)
        try pipeline.addHandler(upgradeHandler)
        return upgradeHandler.upgradeResultFuture
    }

    /// Sends `text` as one masked text frame (RFC 6455 §5.3).
    public func send(_ text: String) async throws(CheckSetupError) {
        transcript.record("\(label) → \(text)")
        let frame = WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: channel.allocator.buffer(string: text))
        do {
            try await channel.writeAndFlush(frame)
        } catch {
            throw CheckSetupError("\(label): write failed: \(error)")
        }
    }

    /// The next event, or nil when nothing arrived within `timeout`.
    public func next(within timeout: Duration = StreamProbe.defaultTimeout) async -> ProbeEvent? {
        let event = await mailbox.next(within: timeout, on: channel.eventLoop)
        switch event {
        case .element(let element)?: transcript.record("\(label) ← \(element)")
        case .streamClosed?: transcript.record("\(label) ← WebSocket close frame")
        case .malformed(let error)?: transcript.record("\(label) ← malformed message: \(error)")
        case .transportError(let error)?: transcript.record("\(label) ← transport error: \(error)")
        case .disconnected?: transcript.record("\(label) ← connection closed")
        case .header?, .tlsEstablished?: break
        case nil: transcript.record("\(label) ← (nothing within \(timeout))")
        }
        return event
    }

    /// Closes the connection; safe to call more than once.
    public func close() async {
        try? await channel.close()
    }
}

/// After the upgrade: turns text messages into elements for the mailbox, answers pings, and
/// reports close frames. Runs on the channel's event loop only.
final class WebSocketProbeHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let mailbox: ProbeMailbox
    private var message: [UInt8] = []
    private static let maximumMessageBytes = 1 << 20

    init(mailbox: ProbeMailbox) {
        self.mailbox = mailbox
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .continuation:
            message += frame.unmaskedData.readableBytesView
            guard message.count <= Self.maximumMessageBytes else {
                mailbox.deliver(.transportError("a WebSocket message over \(Self.maximumMessageBytes) bytes"))
                context.close(promise: nil)
                return
            }
            guard frame.fin else { return }
            let bytes = message
            message = []
            do {
                mailbox.deliver(.element(try XMLStreamParser.parseElement(bytes)))
            } catch {
                mailbox.deliver(.malformed(error))
            }
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .connectionClose:
            mailbox.deliver(.streamClosed)
            let close = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(close), promise: nil)
            context.close(promise: nil)
        default:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        mailbox.deliver(.disconnected)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        mailbox.deliver(.transportError("\(error)"))
        context.close(promise: nil)
    }
}
