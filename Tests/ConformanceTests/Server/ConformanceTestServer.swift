import NIOCore
import NIOPosix
import Synchronization
import TestSupport

/// An in-memory XMPP server for the conformance suite's own tests: on 127.0.0.1 (ports the system
/// picks) it serves the domain `xmpp.test` over TCP with STARTTLS (RFC 6120) and, on a second port,
/// over RFC 7395 WebSocket. It behaves correctly for every check in `ConformanceCatalog.all`,
/// unless ``misbehaviour`` names a check: then it breaks exactly the rule that check tests.
///
/// Accounts live in memory (``ServerDirectory``): provisioned by the test or registered in-band
/// (XEP-0077). Nothing is persisted; ``stop()`` (or the end of ``lifetime``) closes everything.
final class ConformanceTestServer: Sendable {
    static let domain = TLSTestPKI.serverName

    /// The check id whose rule this server breaks, or nil for a well-behaved server.
    let misbehaviour: String?
    /// The XMPP (STARTTLS) port on 127.0.0.1.
    let port: Int
    /// The RFC 7395 port on 127.0.0.1.
    let webSocketPort: Int
    let directory: ServerDirectory
    private let listeners: [any Channel]
    private let registry: ConnectionRegistry

    /// The WebSocket endpoint (RFC 7395 §3.3).
    var webSocketURL: String { "ws://127.0.0.1:\(webSocketPort)/xmpp-websocket" }

    private init(misbehaviour: String?, port: Int, webSocketPort: Int, directory: ServerDirectory, listeners: [any Channel],
                 registry: ConnectionRegistry) {
        self.misbehaviour = misbehaviour
        self.port = port
        self.webSocketPort = webSocketPort
        self.directory = directory
        self.listeners = listeners
        self.registry = registry
    }

    /// Starts listening; the server stops itself after `lifetime` even if nobody calls ``stop()``.
    static func start(misbehaviour: String? = nil, pki: TLSTestPKI, lifetime: TimeAmount = .seconds(300)) async throws
        -> ConformanceTestServer {
        var configured = ServerOptions(
            domain: domain, misbehaviour: misbehaviour,
            certificateFile: misbehaviour == "rfc6120-tls-certificate" ? pki.otherNameCertificate : pki.serverCertificate,
            keyFile: pki.serverKey)
        configured.capsVer = DirectoryState.capsVer(options: configured)
        let options = configured
        let directory = ServerDirectory(options: options)
        let registry = ConnectionRegistry()
        let group = MultiThreadedEventLoopGroup.singleton
        let tcp = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let id = try registry.accept(channel)
                    try channel.pipeline.syncOperations.addHandler(
                        ServerConnection(options: options, directory: directory, connectionID: id))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let webSocket: any Channel
        do {
            webSocket = try await ServerWebSocketFront.bind(options: options, registry: registry, group: group)
        } catch {
            try? await tcp.close()
            throw error
        }
        guard let port = tcp.localAddress?.port, let webSocketPort = webSocket.localAddress?.port else {
            try? await tcp.close()
            try? await webSocket.close()
            throw ChannelError.unknownLocalAddress
        }
        let server = ConformanceTestServer(misbehaviour: misbehaviour, port: port, webSocketPort: webSocketPort,
                                           directory: directory, listeners: [tcp, webSocket], registry: registry)
        let listeners = server.listeners
        let stopTask = tcp.eventLoop.scheduleTask(in: lifetime) {
            for listener in listeners { listener.close(promise: nil) }
            registry.closeAll()
        }
        registry.setLifetime(stopTask)
        return server
    }

    /// Provisions an account (a test's own, besides in-band registration).
    func addAccount(username: String, password: String) throws {
        try directory.provision(username: username, password: password)
    }

    /// Closes the listeners and every connection.
    func stop() async {
        for listener in listeners { try? await listener.close() }
        registry.closeAll()
    }
}

/// The server's fixed facts and the misbehaviour it was started with.
struct ServerOptions: Sendable {
    let domain: String
    let misbehaviour: String?
    let certificateFile: String
    let keyFile: String
    let started = ContinuousClock.now
    /// The XEP-0115 hash of the server's disco#info, computed once.
    var capsVer = ""

    /// The XEP-0363 upload service's JID.
    var uploadDomain: String { "upload.\(domain)" }

    /// Whether this run breaks the rule of check `id`.
    func breaks(_ id: String) -> Bool { misbehaviour == id }
}

/// Every connection accepted, so that ``ConformanceTestServer/stop()`` can close them; bounded.
final class ConnectionRegistry: Sendable {
    static let maximumConnections = 4096

    private struct State {
        var channels: [Int: any Channel] = [:]
        var nextID = 0
        var stopped = false
        var lifetime: Scheduled<Void>?
    }

    private let state = Mutex(State())

    /// Registers `channel` and gives its connection number; refuses past the bound or after stop.
    func accept(_ channel: any Channel) throws -> Int {
        let id: Int? = state.withLock { state in
            guard !state.stopped, state.channels.count < Self.maximumConnections else { return nil }
            state.nextID += 1
            state.channels[state.nextID] = channel
            return state.nextID
        }
        guard let id else { throw ChannelError.ioOnClosedChannel }
        channel.closeFuture.whenComplete { [weak self] _ in
            self?.state.withLock { _ = $0.channels.removeValue(forKey: id) }
        }
        return id
    }

    func setLifetime(_ task: Scheduled<Void>) {
        state.withLock { $0.lifetime = task }
    }

    func closeAll() {
        let channels = state.withLock { state in
            state.stopped = true
            state.lifetime?.cancel()
            state.lifetime = nil
            return Array(state.channels.values)
        }
        for channel in channels { channel.close(promise: nil) }
    }
}
