import Logging
import XMPPClient
import XMPPCore
import XMPPXML

/// A module host that replays a XEP's example exchange: requests the module sends are answered by
/// `responder` (as the XEP's server would), and stanzas the XEP shows arriving are fed in with
/// ``receive(_:)``, routed by the same ``ModuleDispatcher`` the client uses.
actor ScriptedModuleHost: ModuleHost {
    typealias Responder = @Sendable (IQ) throws -> IQ

    nonisolated let logger = Logger(label: "xmppkit.test", factory: { _ in SwiftLogNoOpLogHandler() })
    private var dispatcher = ModuleDispatcher()
    private var responder: Responder
    private(set) var sentRequests: [IQ] = []
    private(set) var sent: [XMLElement] = []
    private var waiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    let boundJIDValue: JID
    var streamFeatures: StreamFeatures?

    init(jid: String = "juliet@example.com/balcony",
         responder: @escaping Responder = { $0.makeError(StanzaError(.serviceUnavailable)) }) throws {
        boundJIDValue = try JID(jid)
        self.responder = responder
    }

    var boundJID: JID? { boundJIDValue }
    var advertisedFeatures: [String] { dispatcher.features }

    func setResponder(_ responder: @escaping Responder) {
        self.responder = responder
    }

    func setStreamFeatures(_ features: StreamFeatures?) {
        streamFeatures = features
    }

    func module<M: XMPPModule>(_ type: M.Type) -> M? {
        dispatcher.module(type)
    }

    @discardableResult
    func register<M: XMPPModule>(_ module: M) async -> M {
        if let existing = dispatcher.module(M.self) { return existing }
        await module.attach(ModuleContext(host: self))
        return dispatcher.register(module, replyingThrough: self).module
    }

    /// Registers a module into a session already started, as the client does mid-session: the
    /// module hears `sessionStarted(resumed: false)` first.
    @discardableResult
    func start<M: XMPPModule>(_ module: M) async -> M {
        if let existing = dispatcher.module(M.self) { return existing }
        await module.attach(ModuleContext(host: self))
        return dispatcher.register(module, replyingThrough: self, sessionActive: true).module
    }

    /// Tells every registered module a session started, as the client does after binding or resuming.
    func startSession(resumed: Bool) {
        dispatcher.sessionStarted(resumed: resumed)
    }

    func send(_ request: IQ) async throws -> IQ {
        sentRequests.append(request)
        record(request.element)
        let reply = try responder(request)
        if reply.kind == .error { throw reply.error ?? StanzaError(.undefinedCondition) }
        return reply
    }

    func send<S: Stanza>(_ stanza: S) async throws {
        var element = stanza.element
        if let presence = stanza as? Presence { element = await dispatcher.decorate(presence).element }
        record(element)
    }

    private func record(_ element: XMLElement) {
        sent.append(element)
        waiters.removeAll { waiter in
            guard sent.count >= waiter.count else { return false }
            waiter.continuation.resume()
            return true
        }
    }

    /// Feeds a stanza from the wire, routed as the client routes it.
    func receive(_ element: XMLElement) throws {
        switch element.name {
        case "iq":
            let iq = try IQ(element: element)
            if !dispatcher.dispatch(request: iq) { record(iq.makeError(StanzaError(.serviceUnavailable)).element) }
        case "message": dispatcher.dispatch(message: try Message(element: element))
        case "presence": dispatcher.dispatch(presence: try Presence(element: element))
        default: break
        }
    }

    /// Feeds a stanza given as XML text (a XEP example).
    func receive(xml: String) throws {
        for element in try XEPExample.parse(xml) { try receive(element) }
    }

    /// Waits until `count` stanzas in all have been sent, then returns them.
    func waitForSent(count: Int, timeout: Duration = .seconds(30)) async -> [XMLElement] {
        if sent.count < count {
            let deadline = Task { [weak self] in
                // Cancelled once the wait is over: it must not release a later wait.
                guard (try? await Task.sleep(for: timeout)) != nil else { return }
                await self?.releaseWaiters()
            }
            await withCheckedContinuation { waiters.append((count, $0)) }
            deadline.cancel()
        }
        return sent
    }

    private func releaseWaiters() {
        for waiter in waiters { waiter.continuation.resume() }
        waiters = []
    }
}
