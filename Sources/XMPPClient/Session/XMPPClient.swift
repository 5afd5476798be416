import Logging
import NIOCore
import XMPPCore
import XMPPXML

/// An XMPP client session (RFC 6120, RFC 6121): connects, negotiates TLS, SASL and a resource, then
/// carries stanzas both ways.
///
/// ```swift
/// let client = XMPPClient(configuration: .init(jid: try JID("juliet@example.com"), credential: .password("…")))
/// let session = try await client.connect()
/// let reply = try await client.send(IQ(.get, to: try JID("example.com"), payload: XMLElement("ping", namespace: "urn:xmpp:ping")))
/// for await stanza in client.stanzas { … }
/// ```
///
/// Extensions are ``XMPPModule``s registered into the client (`client.register(RosterModule())`); it
/// routes their payloads to them and answers requests that no module takes `service-unavailable`
/// (RFC 6120 §8.4).
public actor XMPPClient {
    public nonisolated let configuration: XMPPClientConfiguration
    /// Every message, presence and unhandled-by-the-session IQ received, for the client's lifetime.
    public nonisolated let stanzas: AsyncStream<InboundStanza>
    private let stanzaContinuation: AsyncStream<InboundStanza>.Continuation

    public private(set) var state: ConnectionState = .disconnected {
        didSet { for continuation in stateContinuations.values { continuation.yield(state) } }
    }
    /// What the current (or last) negotiation settled.
    public private(set) var session: NegotiatedSession?
    /// Why the last connection ended, if it ended with an error.
    public private(set) var lastError: XMPPClientError?

    private var stateContinuations: [Int: AsyncStream<ConnectionState>.Continuation] = [:]
    private var nextSubscription = 0
    private var connection: (any XMPPConnection)?
    private var pending: [String: PendingRequest] = [:]
    private var runTask: Task<Void, Never>?
    private var modules = ModuleDispatcher()
    /// Modules heard `sessionStarted` and not yet `sessionEnded`.
    private var moduleSessionActive = false
    private var serverClosed = false
    /// Set by ``disconnect()``: the run loop must not reconnect.
    private var closingOnPurpose = false
    /// XEP-0198 state of the current (or resumable) session.
    private var streamManagement: StreamManagementState?
    private var ackRequestScheduled = false

    private struct PendingRequest {
        var continuation: CheckedContinuation<IQ, any Error>
        /// RFC 6120 §8.2.3 / §10.3: only the entity we asked may answer.
        var allowedResponders: Set<JID?>
    }

    public init(configuration: XMPPClientConfiguration) {
        self.configuration = configuration
        let buffering: AsyncStream<InboundStanza>.Continuation.BufferingPolicy =
            configuration.stanzaBufferLimit.map { .bufferingNewest(max(0, $0)) } ?? .unbounded
        (stanzas, stanzaContinuation) = AsyncStream.makeStream(of: InboundStanza.self, bufferingPolicy: buffering)
    }

    deinit {
        modules.finish()
        stanzaContinuation.finish()
        for continuation in stateContinuations.values { continuation.finish() }
    }

    /// The configuration's logger, which modules log to as well.
    public nonisolated var logger: Logger { configuration.logger }

    /// A sequence of state changes, starting with the current state.
    public func stateUpdates() -> AsyncStream<ConnectionState> {
        let (stream, continuation) = AsyncStream.makeStream(of: ConnectionState.self)
        let key = nextSubscription
        nextSubscription += 1
        stateContinuations[key] = continuation
        continuation.yield(state)
        continuation.onTermination = { _ in Task { await self.unsubscribe(key) } }
        return stream
    }

    private func unsubscribe(_ key: Int) {
        stateContinuations[key] = nil
    }

    // MARK: - Modules

    /// Registers an extension module. A type already registered keeps its first instance, which is
    /// returned. Registered mid-session, the module hears `sessionStarted(resumed: false)` at once.
    @discardableResult
    public func register<M: XMPPModule>(_ module: M) async -> M {
        if let existing = modules.module(M.self) { return existing }
        await module.attach(ModuleContext(host: self))
        return modules.register(module, replyingThrough: self, sessionActive: state == .connected).module
    }

    /// Registers several modules, in order (each as ``register(_:)``).
    public func register(_ modules: [any XMPPModule]) async {
        // A distinct generic opener: an `any XMPPModule` overload of `register` would win over the
        // generic one here and call itself.
        func open<M: XMPPModule>(_ module: M) async { await register(module) }
        for module in modules { await open(module) }
    }

    /// The registered module of this type, if any.
    public func module<M: XMPPModule>(_ type: M.Type) -> M? {
        modules.module(type)
    }

    /// Every feature the registered modules advertise, sorted (XEP-0030 §3.1).
    public var advertisedFeatures: [String] { modules.features }

    // MARK: - Connecting

    /// Connects, negotiates the stream and binds a resource.
    ///
    /// - Throws: ``XMPPClientError``: `.authentication` for refused credentials, `.tls` for
    ///   certificate problems, `.connectionFailed` when the server cannot be reached.
    @discardableResult
    public func connect() async throws -> NegotiatedSession {
        switch state {
        case .disconnected, .connectionFailed, .authenticationFailed: break
        default: throw XMPPClientError(.protocolViolation("connect() while \(state)"))
        }
        state = .connecting
        lastError = nil
        serverClosed = false
        closingOnPurpose = false
        streamManagement = nil
        return try await withCheckedThrowingContinuation { continuation in
            runTask = Task { await self.run(resuming: continuation) }
        }
    }

    /// Closes the stream (RFC 6120 §4.4): sends `</stream:stream>`, waits briefly for the server's, closes.
    public func disconnect() async {
        closingOnPurpose = true
        streamManagement = nil
        guard let connection else {
            runTask?.cancel()
            _ = await runTask?.value
            state = .disconnected
            return
        }
        try? await connection.send(.streamClose)
        for _ in 0..<20 where !serverClosed && self.connection != nil {
            try? await Task.sleep(for: .milliseconds(50))
        }
        await connection.close()
        _ = await runTask?.value
        state = .disconnected
    }

    /// Connects, and after an established connection drops, reconnects with backoff, resuming the
    /// stream when the server allows it (XEP-0198 §5).
    private func run(resuming continuation: CheckedContinuation<NegotiatedSession, any Error>) async {
        var pending: CheckedContinuation<NegotiatedSession, any Error>? = continuation
        var attempt = 0
        while true {
            let (failure, established) = await runConnection(resuming: &pending)
            if established { attempt = 0 }
            guard pending == nil, let policy = configuration.reconnect, shouldReconnect(after: failure) else {
                // The state changes before the caller hears of the failure, so it reads the new one.
                connectionEnded(failure, final: true)
                pending?.resume(throwing: failure ?? XMPPClientError(.closed))
                return
            }
            attempt += 1
            if let maximum = policy.maximumAttempts, attempt > maximum {
                connectionEnded(failure, final: true)
                return
            }
            connectionEnded(failure, final: false, reconnectAttempt: attempt)
            try? await Task.sleep(for: policy.delay(forAttempt: attempt))
            if Task.isCancelled || closingOnPurpose {
                connectionEnded(nil, final: true)
                return
            }
        }
    }

    /// One connection, from opening the transport to its end. Resumes `pending` once negotiated.
    ///
    /// It runs on the client's actor from end to end (the inbound stream is read here, not handed
    /// across), so an arriving stanza costs no executor hop before it is routed.
    private func runConnection(
        resuming pending: inout CheckedContinuation<NegotiatedSession, any Error>?
    ) async -> (failure: XMPPClientError?, established: Bool) {
        var established = false
        var failure: XMPPClientError?
        do {
            let channel = try await openTransport()
            let resumption = resumptionTicket()
            try await channel.executeThenClose { inbound, outbound in
                let connection: any XMPPConnection = if case .webSocket = configuration.transport {
                    WebSocketConnection(channel: channel.channel, outbound: outbound)
                } else {
                    TCPConnection(channel: channel.channel, outbound: outbound)
                }
                attach(connection)
                let watchdog = Task {
                    try await Task.sleep(for: configuration.connectTimeout)
                    await negotiationTimedOut(connection)
                }
                var negotiator = StreamNegotiator(configuration: configuration, connection: connection,
                                                  inbound: inbound.makeAsyncIterator(), resumption: resumption)
                let session: NegotiatedSession
                do {
                    session = try await negotiator.negotiate()
                    watchdog.cancel()
                } catch {
                    watchdog.cancel()
                    throw timeoutError() ?? error
                }
                try await self.established(session)
                established = true
                pending?.resume(returning: session)
                pending = nil
                var iterator = negotiator.inbound
                while let frame = try await iterator.next() {
                    switch frame {
                    case .event(let event):
                        await receive(event)
                    case .malformedInput(let error):
                        // RFC 6120 §4.9.1.2: say why before closing.
                        await writeRaw(StreamError(error).element)
                        throw XMPPClientError(.malformedInput(error))
                    case .tlsEstablished:
                        break
                    }
                }
            }
        } catch let error as XMPPClientError {
            failure = error
        } catch let error as XMLStreamError {
            failure = XMPPClientError(.malformedInput(error))
        } catch let error as TLSError {
            failure = XMPPClientError(.tls(error))
        } catch {
            failure = XMPPClientError(.connectionFailed("\(error)"))
        }
        return (failure, established)
    }

    /// Opens the configured transport. Without a host, DNS SRV decides where (RFC 6120 §3.2.1,
    /// XEP-0368 §3), each target tried in turn; with no records, the domain itself.
    private func openTransport() async throws -> NIOAsyncChannel<XMPPInboundFrame, XMPPOutboundFrame> {
        let targets: [ConnectionTarget]
        switch configuration.transport {
        case .webSocket(let url):
            return try await WebSocketConnection.open(
                url: url, tls: configuration.tls, limits: configuration.parserLimits, connectTimeout: configuration.connectTimeout)
        case .startTLS, .directTLS:
            if let host = configuration.host {
                targets = [ConnectionTarget(host: host, port: configuration.effectivePort, directTLS: configuration.transport == .directTLS)]
            } else {
                let found = await configuration.resolver.targets(for: configuration.jid.domainpart)
                guard !found.isEmpty else {
                    throw XMPPClientError(.connectionFailed("\(configuration.jid.domainpart) publishes that it offers no XMPP service (RFC 2782 '.' target)"))
                }
                // A caller who asked for direct TLS gets only direct-TLS targets.
                targets = configuration.transport == .directTLS ? found.filter(\.directTLS) : found
            }
        }
        var lastError: (any Error)?
        for target in targets {
            do {
                return try await TCPConnection.open(
                    host: target.host, port: target.port, directTLS: target.directTLS ? configuration.tls : nil,
                    limits: configuration.parserLimits, connectTimeout: configuration.connectTimeout)
            } catch {
                logger.debug("connection attempt failed", metadata: ["xmpp.target": "\(target)", "xmpp.error": "\(error)"])
                lastError = error
            }
        }
        throw lastError ?? XMPPClientError(.connectionFailed("no address to connect to for \(configuration.jid.domainpart)"))
    }

    private func resumptionTicket() -> (id: String, handled: UInt32, jid: JID)? {
        guard let streamManagement, let id = streamManagement.resumptionID, let jid = session?.boundJID else { return nil }
        return (id, streamManagement.inboundCount, jid)
    }

    private func shouldReconnect(after failure: XMPPClientError?) -> Bool {
        if closingOnPurpose || serverClosed { return false }
        return !(failure?.isPermanent ?? false)
    }

    private var timedOut = false

    private func negotiationTimedOut(_ connection: any XMPPConnection) async {
        timedOut = true
        await connection.close()
    }

    private func timeoutError() -> XMPPClientError? {
        timedOut ? XMPPClientError(.timeout("connecting and negotiating took longer than \(configuration.connectTimeout)")) : nil
    }

    private func attach(_ connection: any XMPPConnection) {
        self.connection = connection
        timedOut = false
    }

    private func established(_ session: NegotiatedSession) async throws {
        self.session = session
        switch session.streamManagement {
        case .enabled(let fresh):
            streamManagement = fresh
            failPendingRequests()  // a new session: nothing from the old one will be answered
        case .resumed(let handled):
            // §5: drop what the server handled, send the rest again.
            var resumed = streamManagement ?? StreamManagementState(resumptionID: nil)
            let resend: [XMLElement]
            do { resend = try resumed.stanzasToResend(afterResumedWith: handled) } catch {
                throw XMPPClientError(.protocolViolation("\(error)"))
            }
            streamManagement = resumed
            for stanza in resend { await write(stanza) }
        case .unavailable:
            streamManagement = nil
            failPendingRequests()
        }
        state = .connected
        // A resumption that failed ends the old session before the new one starts.
        if moduleSessionActive && !session.isResumed { modules.sessionEnded() }
        moduleSessionActive = true
        modules.sessionStarted(resumed: session.isResumed)
        logger.info("connected", metadata: ["xmpp.jid": "\(session.boundJID)", "xmpp.sasl.mechanism": "\(session.mechanism?.rawValue ?? "none")",
                                            "xmpp.sm": "\(session.isResumed ? "resumed" : streamManagement == nil ? "off" : "enabled")"])
    }

    private func failPendingRequests() {
        for request in pending.values { request.continuation.resume(throwing: XMPPClientError(.closed)) }
        pending = [:]
    }

    private func connectionEnded(_ error: XMPPClientError?, final: Bool, reconnectAttempt: Int? = nil) {
        connection = nil
        lastError = error ?? lastError
        if let error { logger.debug("connection ended", metadata: ["xmpp.error": "\(error)"]) }
        if let reconnectAttempt {
            // Requests may still be answered after resumption; without it they never will.
            if streamManagement?.resumptionID == nil {
                failPendingRequests()
                endModuleSession()
            }
            state = .reconnecting(attempt: reconnectAttempt)
            return
        }
        failPendingRequests()
        endModuleSession()
        streamManagement = nil
        if closingOnPurpose {
            state = .disconnected
        } else if case .authentication? = error?.kind {
            state = .authenticationFailed
        } else if error != nil || state == .connecting {
            state = .connectionFailed
        } else {
            state = .disconnected
        }
    }

    private func endModuleSession() {
        guard moduleSessionActive else { return }
        moduleSessionActive = false
        modules.sessionEnded()
    }

    /// Drops the transport without closing the stream, as a network failure would. For tests of
    /// stream management and reconnection.
    func dropConnectionForTesting() async {
        await connection?.close()
    }

    // MARK: - Receiving

    private func receive(_ event: XMLStreamEvent) async {
        switch event {
        case .streamClosed:
            serverClosed = true
            if let connection { try? await connection.send(.streamClose) }
            await connection?.close()
        case .streamOpened:
            break
        case .element(let element):
            if logger.logLevel <= .trace { logger.trace("recv", metadata: ["xmpp.stanza": "\(StanzaLog.redacted(element))"]) }
            await route(element)
        }
    }

    private func route(_ element: XMLElement) async {
        switch (element.name, element.namespace) {
        case ("error", XMPPNamespace.streams):
            lastError = XMPPClientError(.stream(StreamError(element: element)))
        case ("iq", XMPPNamespace.client):
            streamManagement?.handledInbound()
            await routeIQ(element)
        case ("message", XMPPNamespace.client):
            streamManagement?.handledInbound()
            if let message = try? Message(element: element) {
                modules.dispatch(message: message)
                stanzaContinuation.yield(.message(message))
            }
        case ("presence", XMPPNamespace.client):
            streamManagement?.handledInbound()
            if let presence = try? Presence(element: element) {
                modules.dispatch(presence: presence)
                stanzaContinuation.yield(.presence(presence))
            }
        case ("r", XMPPNamespace.streamManagement):
            if let handled = streamManagement?.inboundCount { await writeRaw(StreamManagementElement.answer(handled)) }
        case ("a", XMPPNamespace.streamManagement):
            guard let handled = StreamManagementElement.handledCount(element) else { return }
            do { try streamManagement?.acknowledge(handled) } catch {
                // XEP-0198 §4: a count we cannot account for ends the stream.
                lastError = XMPPClientError(.protocolViolation("\(error)"))
                let undefined = StreamError(.undefinedCondition, text: "\(error)")
                await writeRaw(undefined.element)
                await connection?.close()
            }
        default:
            logger.debug("ignored top-level element", metadata: ["xmpp.element": "\(element.name) \(element.namespace)"])
        }
    }

    private func routeIQ(_ element: XMLElement) async {
        let iq: IQ
        do {
            iq = try IQ(element: element)
        } catch {
            // §8.3.1: answer a malformed request with an error; never answer a response.
            let type = element.attribute("type")
            if type == "get" || type == "set", let id = element.attribute("id") {
                var reply = XMLElement("iq", namespace: XMPPNamespace.client, attributes: ["type": "error", "id": id])
                reply.setAttribute("to", to: element.attribute("from"))
                reply.append(error.element())
                await write(reply)
            }
            return
        }
        if iq.kind.isRequest {
            // The module answers from its own mailbox, so the read loop never waits on it.
            if !modules.dispatch(request: iq) { await write(iq.makeError(StanzaError(.serviceUnavailable)).element) }
            stanzaContinuation.yield(.iq(iq))
            return
        }
        guard let id = iq.id, let request = pending[id] else { return }  // §8.2.3: an unknown response is dropped
        guard request.allowedResponders.contains(iq.from) else {
            logger.debug("dropped an IQ response from an entity we did not ask", metadata: ["xmpp.from": "\(iq.from?.description ?? "none")"])
            return
        }
        pending[id] = nil
        request.continuation.resume(returning: iq)
    }

    // MARK: - Sending

    /// Sends a message or presence (or an IQ response) without waiting. Registered modules add their
    /// payloads to an outbound presence first (entity caps, avatar hash).
    public func send(_ stanza: some Stanza) async throws {
        guard state == .connected else { throw XMPPClientError(.notConnected) }
        var element = stanza.element
        if let presence = stanza as? Presence { element = await modules.decorate(presence).element }
        guard await write(element) else { throw XMPPClientError(.closed) }
    }

    /// Sends an IQ request and waits for its result (RFC 6120 §8.2.3).
    ///
    /// - Throws: ``StanzaError`` when the answer is an error; ``XMPPClientError`` `.timeout` after
    ///   ``XMPPClientConfiguration/requestTimeout``, `.notConnected` or `.closed`.
    public func send(_ request: IQ) async throws -> IQ {
        guard request.kind.isRequest, let id = request.id else {
            throw XMPPClientError(.protocolViolation("send(_:) -> IQ takes a get or set with an id"))
        }
        guard state == .connected else { throw XMPPClientError(.notConnected) }
        var responders: Set<JID?> = [request.to]
        if request.to == nil || request.to == session?.boundJID.bare {
            // §10.3.3: the account answers from its bare JID, or without 'from'.
            responders.formUnion([nil, session?.boundJID.bare, session?.boundJID])
        }
        if request.to?.description == configuration.jid.domainpart { responders.insert(nil) }
        let timeout = configuration.requestTimeout
        let reply: IQ = try await withCheckedThrowingContinuation { continuation in
            pending[id] = PendingRequest(continuation: continuation, allowedResponders: responders)
            Task {
                if await !self.write(request.element) {
                    self.fail(id, XMPPClientError(.closed))
                    return
                }
                try? await Task.sleep(for: timeout)
                self.fail(id, XMPPClientError(.timeout("no answer to IQ \(id) within \(timeout)")))
            }
        }
        if reply.kind == .error { throw reply.error ?? StanzaError(.undefinedCondition) }
        return reply
    }

    private func fail(_ id: String, _ error: any Error) {
        guard let request = pending.removeValue(forKey: id) else { return }
        request.continuation.resume(throwing: error)
    }

    /// Writes a stanza, counting it for stream management and asking for an ack soon after.
    @discardableResult
    private func write(_ element: XMLElement) async -> Bool {
        guard await writeRaw(element) else { return false }
        if streamManagement != nil {
            streamManagement?.sent(element)
            scheduleAckRequest()
        }
        return true
    }

    /// Writes a non-stanza element (SM acks, stream errors): not counted.
    @discardableResult
    private func writeRaw(_ element: XMLElement) async -> Bool {
        guard let connection else { return false }
        if logger.logLevel <= .trace { logger.trace("send", metadata: ["xmpp.stanza": "\(StanzaLog.redacted(element))"]) }
        do {
            try await connection.send(.element(element))
            return true
        } catch {
            return false
        }
    }

    /// XEP-0198 §4: one `<r/>` shortly after a burst of stanzas, not one per stanza.
    private func scheduleAckRequest() {
        guard !ackRequestScheduled else { return }
        ackRequestScheduled = true
        Task {
            try? await Task.sleep(for: .milliseconds(100))
            await self.sendAckRequest()
        }
    }

    private func sendAckRequest() async {
        ackRequestScheduled = false
        guard streamManagement?.unacknowledged.isEmpty == false else { return }
        await writeRaw(StreamManagementElement.request())
    }

    /// XEP-0352 §4: tells the server whether the user is looking at the app, so it can hold back
    /// unimportant traffic while not.
    /// - Throws: ``XMPPClientError`` `.featureNotOffered` when the server did not advertise CSI.
    public func setClientState(active: Bool) async throws {
        guard state == .connected else { throw XMPPClientError(.notConnected) }
        guard session?.features.clientStateIndication == true else { throw XMPPClientError(.featureNotOffered("client state indication (XEP-0352)")) }
        guard await writeRaw(XMLElement(active ? "active" : "inactive", namespace: XMPPNamespace.clientStateIndication)) else {
            throw XMPPClientError(.closed)
        }
    }

    /// The full JID bound for this session, nil while not connected.
    public var boundJID: JID? { state == .connected ? session?.boundJID : nil }
    /// The stream features offered after authentication (RFC 6120 §4.3), nil while not connected.
    public var streamFeatures: StreamFeatures? { state == .connected ? session?.features : nil }

    /// Stanzas sent but not yet acknowledged by the server (XEP-0198), e.g. to show as pending.
    public var unacknowledgedStanzas: [XMLElement] { streamManagement?.unacknowledged ?? [] }
}

extension XMPPClient: ModuleHost {}
