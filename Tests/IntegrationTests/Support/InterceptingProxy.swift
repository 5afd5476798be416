import Foundation
import NIOCore
import NIOPosix
import Synchronization
import XMPPClient

/// A TLS-intercepting man in the middle for XMPP's STARTTLS (RFC 6120 §5), on 127.0.0.1, between a
/// client and a real server.
///
/// It relays the plaintext stream until the server's `<proceed/>`; then it terminates TLS toward
/// the client with its own certificate for the server's domain (``InterceptionPKI``: a CA the
/// client was made to trust), opens its own TLS session to the real server (trusting the real
/// CA), and relays the decrypted XML both ways. With ``Configuration/stripChannelBinding`` it
/// also removes every `-PLUS` SASL mechanism and any XEP-0440 `<sasl-channel-binding/>` from the
/// first features the server sends over TLS: the downgrade attack that channel binding and the
/// client's SASL pin exist to catch.
///
/// Everything is recorded per connection (``InterceptedSession``). Bounded and self-stopping:
/// each direction may carry ``Configuration/maximumBytes``, after which both sides are closed,
/// and after ``Configuration/lifetime`` the proxy closes itself and every connection.
final class InterceptingProxy: Sendable {
    struct Configuration: Sendable {
        var upstreamHost: String
        var upstreamPort: Int
        /// The XMPP domain: the name checked on the real server's certificate.
        var domain: String
        /// The real server's CA.
        var upstreamCAFile: String
        /// The proxy's TLS toward the real server; TLS 1.2 so that the servers offer `-PLUS`
        /// with tls-unique.
        var upstreamMaximumVersion: TLSVersion? = .v1_2
        /// What the proxy presents to the client.
        var certificateFile: String
        var keyFile: String
        var stripChannelBinding = false
        var maximumBytes = 4 << 20
        var lifetime: TimeAmount = .seconds(30)
    }

    let configuration: Configuration
    let port: Int
    private let listener: any Channel
    private let state = Mutex(State())

    private struct State {
        var sessions: [InterceptedSession] = []
        var channels: [any Channel] = []
        var stopped = false
        var lifetime: Scheduled<Void>?
    }

    /// Every connection accepted so far, in order.
    var sessions: [InterceptedSession] { state.withLock { $0.sessions } }

    private init(configuration: Configuration, listener: any Channel, port: Int) {
        self.configuration = configuration
        self.listener = listener
        self.port = port
    }

    static func start(_ configuration: Configuration) async throws -> InterceptingProxy {
        let registry = ProxyRegistry()
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard let proxy = registry.proxy, let session = proxy.accept(channel) else { throw ChannelError.ioOnClosedChannel }
                    try channel.pipeline.syncOperations.addHandler(ClientSideRelay(proxy: proxy, session: session))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        guard let port = listener.localAddress?.port else {
            try? await listener.close()
            throw ChannelError.unknownLocalAddress
        }
        let proxy = InterceptingProxy(configuration: configuration, listener: listener, port: port)
        registry.proxy = proxy
        let lifetime = listener.eventLoop.scheduleTask(in: configuration.lifetime) { proxy.stopNow() }
        proxy.state.withLock { $0.lifetime = lifetime }
        return proxy
    }

    /// Closes the listener and every connection on both sides.
    func stop() async {
        stopNow()
        try? await listener.closeFuture.get()
    }

    private func stopNow() {
        let channels = state.withLock { state in
            state.stopped = true
            state.lifetime?.cancel()
            state.lifetime = nil
            return state.channels
        }
        listener.close(promise: nil)
        for channel in channels { channel.close(promise: nil) }
    }

    private func accept(_ channel: any Channel) -> InterceptedSession? {
        state.withLock { state in
            guard !state.stopped else { return nil }
            let session = InterceptedSession(number: state.sessions.count)
            state.sessions.append(session)
            state.channels.append(channel)
            return session
        }
    }

    /// Keeps an upstream channel, to close with the rest; false once stopped.
    fileprivate func track(_ channel: any Channel) -> Bool {
        state.withLock { state in
            guard !state.stopped else { return false }
            state.channels.append(channel)
            return true
        }
    }
}

private final class ProxyRegistry: Sendable {
    private let box = Mutex<InterceptingProxy?>(nil)
    var proxy: InterceptingProxy? {
        get { box.withLock { $0 } }
        set { box.withLock { $0 = newValue } }
    }
}

/// What one intercepted connection carried.
final class InterceptedSession: Sendable, CustomStringConvertible {
    let number: Int
    private let state = Mutex(State())

    private struct State {
        var clientBeforeTLS: [UInt8] = []
        var clientInsideTLS: [UInt8] = []
        var serverBeforeTLS: [UInt8] = []
        var serverInsideTLS: [UInt8] = []
        var intercepted = false
        var clientTLS: TLSSessionInfo?
        var upstreamTLS: TLSSessionInfo?
        var stripped: [String] = []
        var closed = false
        var notes: [String] = []
    }

    init(number: Int) { self.number = number }

    /// What the client sent in the clear.
    var clientBeforeTLS: [UInt8] { state.withLock { $0.clientBeforeTLS } }
    /// What the client sent inside its TLS session with the proxy: readable by the proxy.
    var clientInsideTLS: [UInt8] { state.withLock { $0.clientInsideTLS } }
    /// What the real server sent inside its TLS session with the proxy.
    var serverInsideTLS: [UInt8] { state.withLock { $0.serverInsideTLS } }
    /// Whether the proxy got between the two TLS sessions (the server said `<proceed/>`).
    var intercepted: Bool { state.withLock { $0.intercepted } }
    /// The client-facing TLS session (the proxy's view, as the server end).
    var clientTLS: TLSSessionInfo? { state.withLock { $0.clientTLS } }
    /// The proxy's TLS session with the real server.
    var upstreamTLS: TLSSessionInfo? { state.withLock { $0.upstreamTLS } }
    /// The mechanisms and XEP-0440 lists removed from the features.
    var stripped: [String] { state.withLock { $0.stripped } }
    var isClosed: Bool { state.withLock { $0.closed } }
    var notes: [String] { state.withLock { $0.notes } }

    var description: String { "intercepted session \(number): \(notes.joined(separator: "; "))" }

    fileprivate func fromClient(_ bytes: ByteBufferView) {
        state.withLock { $0.intercepted ? $0.clientInsideTLS.append(contentsOf: bytes) : $0.clientBeforeTLS.append(contentsOf: bytes) }
    }

    fileprivate func fromServer(_ bytes: ByteBufferView) {
        state.withLock { $0.intercepted ? $0.serverInsideTLS.append(contentsOf: bytes) : $0.serverBeforeTLS.append(contentsOf: bytes) }
    }

    fileprivate func markIntercepted() { state.withLock { $0.intercepted = true } }
    fileprivate func clientTLS(_ info: TLSSessionInfo) { state.withLock { $0.clientTLS = info } }
    fileprivate func upstreamTLS(_ info: TLSSessionInfo) { state.withLock { $0.upstreamTLS = info } }
    fileprivate func stripped(_ items: [String]) { state.withLock { $0.stripped += items } }
    fileprivate func closed() { state.withLock { $0.closed = true } }
    fileprivate func note(_ text: String) { state.withLock { $0.notes.append(text) } }
}

// MARK: - Relays

/// The client's side: records what the client sends and passes it upstream (opening the
/// upstream connection, on the same event loop, when the client connects).
private final class ClientSideRelay: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let proxy: InterceptingProxy
    private let session: InterceptedSession
    private var upstream: (any Channel)?
    private var waiting: [ByteBuffer] = []
    private var bytes = 0

    init(proxy: InterceptingProxy, session: InterceptedSession) {
        self.proxy = proxy
        self.session = session
    }

    func channelActive(context: ChannelHandlerContext) {
        let client = context.channel
        let (proxy, session, configuration) = (proxy, session, proxy.configuration)
        ClientBootstrap(group: context.eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.autoRead, value: false)
            .connect(host: configuration.upstreamHost, port: configuration.upstreamPort)
            .assumeIsolated()
            .whenComplete { result in
                switch result {
                case .success(let upstream):
                    guard proxy.track(upstream), client.isActive else {
                        upstream.close(promise: nil)
                        return
                    }
                    do {
                        try upstream.pipeline.syncOperations.addHandler(
                            UpstreamSideRelay(proxy: proxy, session: session, client: client))
                        try upstream.syncOptions?.setOption(.autoRead, value: true)
                    } catch {
                        session.note("upstream setup failed: \(error)")
                        upstream.close(promise: nil)
                        client.close(promise: nil)
                        return
                    }
                    upstream.read()
                    session.note("upstream connected")
                    self.connected(upstream)
                case .failure(let error):
                    session.note("upstream connect failed: \(error)")
                    client.close(promise: nil)
                }
            }
        context.fireChannelActive()
    }

    private func connected(_ upstream: any Channel) {
        self.upstream = upstream
        for buffer in waiting { upstream.write(buffer, promise: nil) }
        waiting = []
        upstream.flush()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        session.fromClient(buffer.readableBytesView)
        bytes += buffer.readableBytes
        guard bytes <= proxy.configuration.maximumBytes else {
            session.note("client sent more than the limit")
            context.close(promise: nil)
            upstream?.close(promise: nil)
            return
        }
        if let upstream {
            upstream.writeAndFlush(buffer, promise: nil)
        } else {
            waiting.append(buffer)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted(let info)? = event as? TLSEvent {
            session.clientTLS(info)
            session.note("client TLS \(info.version)")
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        session.note("client closed")
        session.closed()
        upstream?.close(promise: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        session.note("client side: \(error)")
        context.close(promise: nil)
    }
}

/// The server's side: watches the plaintext stream for `<proceed/>` and then puts TLS on both
/// connections; afterwards passes the decrypted stream on, stripping channel binding from the
/// first features if asked.
private final class UpstreamSideRelay: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let proxy: InterceptingProxy
    private let session: InterceptedSession
    private let client: any Channel
    private var pending: [UInt8] = []
    private var intercepted = false
    private var featuresRewritten = false
    private var bytes = 0

    init(proxy: InterceptingProxy, session: InterceptedSession, client: any Channel) {
        self.proxy = proxy
        self.session = session
        self.client = client
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        session.fromServer(buffer.readableBytesView)
        bytes += buffer.readableBytes
        guard bytes <= proxy.configuration.maximumBytes else {
            session.note("server sent more than the limit")
            context.close(promise: nil)
            client.close(promise: nil)
            return
        }
        pending += buffer.readableBytesView
        if !intercepted {
            relayPlaintext(context: context)
        } else if proxy.configuration.stripChannelBinding && !featuresRewritten {
            relayFirstSecureFeatures()
        } else {
            forward(pending.count)
        }
    }

    /// Passes on whole tags; at `<proceed/>` passes it on and intercepts.
    private func relayPlaintext(context: ChannelHandlerContext) {
        let text = String(decoding: pending, as: UTF8.self)
        if let proceed = text.range(of: "<proceed"), let end = text[proceed.upperBound...].firstIndex(of: ">") {
            forward(text.utf8.distance(from: text.startIndex, to: text.index(after: end)))
            pending = []  // anything behind <proceed/> would be injected plaintext; the servers send none
            intercept(context: context)
            return
        }
        // Hold back an unfinished tag, which could be the start of <proceed/>.
        if let open = text.lastIndex(of: "<"), !text[open...].contains(">") {
            forward(text.utf8.distance(from: text.startIndex, to: open))
        } else {
            forward(pending.count)
        }
    }

    /// Holds the stream until the first features over TLS are complete, rewrites them, then
    /// passes everything on verbatim.
    private func relayFirstSecureFeatures() {
        let text = String(decoding: pending, as: UTF8.self)
        guard let close = text.range(of: "</stream:features>") ?? text.range(of: "</features>") else { return }
        let head = String(text[..<close.upperBound])
        let (rewritten, removed) = Self.strippingChannelBinding(head)
        session.stripped(removed)
        session.note("stripped \(removed)")
        featuresRewritten = true
        pending = Array(rewritten.utf8) + Array(text[close.upperBound...].utf8)
        forward(pending.count)
    }

    private func forward(_ count: Int) {
        guard count > 0 else { return }
        client.writeAndFlush(ByteBuffer(bytes: pending[..<count]), promise: nil)
        pending.removeFirst(count)
    }

    /// TLS toward the client with the proxy's certificate, and toward the server with the
    /// proxy's own session. Runs on the shared event loop, before the client can send its
    /// ClientHello (it has not yet received `<proceed/>`'s bytes from the socket).
    private func intercept(context: ChannelHandlerContext) {
        let configuration = proxy.configuration
        do {
            let toClient = try OpenSSLTLSHandler(
                serverCertificateChainFile: configuration.certificateFile, privateKeyFile: configuration.keyFile,
                handshakeTimeout: .seconds(10))
            try client.pipeline.syncOperations.addHandler(toClient, position: .first)
            var upstreamTLS = TLSConfiguration(trust: .certificateAuthorities(file: configuration.upstreamCAFile),
                                               serverName: configuration.domain, handshakeTimeout: .seconds(10))
            upstreamTLS.maximumVersion = configuration.upstreamMaximumVersion
            try context.pipeline.syncOperations.addHandler(OpenSSLTLSHandler(configuration: upstreamTLS), position: .first)
            intercepted = true
            session.markIntercepted()
            session.note("intercepted at <proceed/>")
        } catch {
            session.note("interception failed: \(error)")
            context.close(promise: nil)
            client.close(promise: nil)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted(let info)? = event as? TLSEvent {
            session.upstreamTLS(info)
            session.note("upstream TLS \(info.version)")
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        session.note("server closed")
        client.close(promise: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        session.note("server side: \(error)")
        context.close(promise: nil)
    }

    /// Removes `-PLUS` mechanisms (RFC 5802 §6) and XEP-0440 channel-binding lists.
    static func strippingChannelBinding(_ features: String) -> (String, [String]) {
        var text = features
        var removed: [String] = []
        let patterns = [
            "<mechanism>\\s*[A-Za-z0-9_-]+-PLUS\\s*</mechanism>",
            "<sasl-channel-binding\\b[^>]*/>",
            "<sasl-channel-binding\\b[^>]*>.*?</sasl-channel-binding>",
        ]
        for pattern in patterns {
            guard let regex = try? NSRegularExpression(pattern: pattern, options: [.dotMatchesLineSeparators]) else { continue }
            let range = NSRange(text.startIndex..., in: text)
            for match in regex.matches(in: text, range: range) {
                if let found = Range(match.range, in: text) { removed.append(String(text[found])) }
            }
            text = regex.stringByReplacingMatches(in: text, range: range, withTemplate: "")
        }
        return (text, removed)
    }
}
