import XMPPClient
import XMPPCore
import XMPPXML

/// XMPP Ping (XEP-0199 2.0.1): answers pings (§4.1 server-to-client, §4.4 client-to-client),
/// measures the round trip of our own, and can keep the connection alive by pinging the server
/// at an interval while connected.
public actor PingModule: XMPPModule {
    public static let namespace = "urn:xmpp:ping"

    public nonisolated let features = [PingModule.namespace]
    public nonisolated let routes: [StanzaRoute] = [.iq("ping", PingModule.namespace)]

    /// What the keepalive saw.
    public enum Event: Sendable, Hashable {
        /// The server answered the keepalive ping after `roundTrip`.
        case keepaliveAnswered(roundTrip: Duration)
        /// The keepalive ping failed (timeout, closed stream, an error reply).
        case keepaliveFailed(reason: String)
    }

    private let broadcaster = EventBroadcaster<Event>()
    private var context = ModuleContext.unattached
    /// How often the keepalive pings the server; nil when off.
    public private(set) var keepaliveInterval: Duration?
    private var keepalive: Task<Void, Never>?
    private var sessionActive = false

    /// - Parameter keepaliveInterval: ping the server this often while connected; nil for no keepalive.
    public init(keepaliveInterval: Duration? = nil) {
        self.keepaliveInterval = keepaliveInterval
    }

    /// Every keepalive event from now on.
    public nonisolated var events: AsyncStream<Event> { broadcaster.subscribe() }

    public func attach(_ context: ModuleContext) async {
        self.context = context
    }

    public func sessionStarted(resumed: Bool) async {
        sessionActive = true
        restartKeepalive()
    }

    public func sessionEnded() async {
        sessionActive = false
        keepalive?.cancel()
        keepalive = nil
    }

    /// §4.1 / §4.4: a ping gets an empty result (the "pong").
    public func handleRequest(_ request: IQ) async throws(StanzaError) -> IQ? {
        guard request.kind == .get else { throw StanzaError(.badRequest, text: "a ping is an IQ get (XEP-0199 §3)") }
        return request.makeResult()
    }

    /// Pings `jid`, or our server when nil (§4.2), and returns the round-trip time.
    /// §4.4: pinging a client needs its full JID; a bare JID is answered by its server.
    /// - Throws: ``StanzaError`` for an error reply (`service-unavailable` from an entity that does
    ///   not support ping, §4.4, which still proves the path works); ``XMPPClientError`` otherwise.
    public func ping(_ jid: JID? = nil) async throws -> Duration {
        let target: JID
        if let jid { target = jid } else { target = try await context.boundJID().domain }
        let clock = ContinuousClock()
        let start = clock.now
        _ = try await context.send(IQ(.get, to: target, payload: XMLElement("ping", namespace: Self.namespace)))
        return clock.now - start
    }

    /// Starts (or changes, or with nil stops) pinging the server every `interval` while connected.
    public func setKeepalive(every interval: Duration?) {
        keepaliveInterval = interval
        restartKeepalive()
    }

    private func restartKeepalive() {
        keepalive?.cancel()
        keepalive = nil
        guard sessionActive, let interval = keepaliveInterval, interval > .zero else { return }
        keepalive = Task { [weak self] in
            while !Task.isCancelled {
                do { try await Task.sleep(for: interval) } catch { return }
                guard let self else { return }
                await self.keepaliveTick()
            }
        }
    }

    private func keepaliveTick() async {
        guard sessionActive else { return }
        do {
            broadcaster.yield(.keepaliveAnswered(roundTrip: try await ping()))
        } catch {
            broadcaster.yield(.keepaliveFailed(reason: "\(error)"))
        }
    }

    /// Whether a keepalive task is running.
    public var isKeepaliveRunning: Bool { keepalive != nil }
}

extension PingModule: ServerFeatureDetecting {
    /// XEP-0199 §5: the server advertises `urn:xmpp:ping`.
    public func isSupportedByServer() async throws -> Bool {
        try await context.serverSupports(Self.namespace)
    }
}
