import XMPPCore
import XMPPXML

/// Delivers inbound stanzas to the modules that route them.
///
/// Each module has a mailbox served by its own task, so a module sees its stanzas one at a time in
/// arrival order (a roster push is never overtaken by a later one), and a module that waits on a
/// request of its own never stalls the connection's read loop or the other modules.
public struct ModuleDispatcher: Sendable {
    private enum Input: Sendable {
        case request(IQ)
        case message(Message)
        case presence(Presence)
        case sessionStarted(resumed: Bool)
        case sessionEnded
    }

    private struct Entry: Sendable {
        var module: any XMPPModule
        var mailbox: AsyncStream<Input>.Continuation
    }

    private var entries: [Entry] = []
    private var byType: [ObjectIdentifier: Int] = [:]
    private var iqRoutes: [RouteKey: Int] = [:]
    private var messageRoutes: [RouteKey: [Int]] = [:]
    private var presenceRoutes: [RouteKey: [Int]] = [:]
    private var everyPresence: [Int] = []

    private struct RouteKey: Hashable {
        var name: String
        var namespace: String
    }

    public init() {}

    /// Every registered module, in registration order.
    public var modules: [any XMPPModule] { entries.map(\.module) }

    /// The features every module advertises, sorted and without repeats (XEP-0030 §3.1).
    public var features: [String] {
        Set(entries.flatMap(\.module.features)).sorted()
    }

    public func module<M: XMPPModule>(_ type: M.Type) -> M? {
        byType[ObjectIdentifier(type)].flatMap { entries[$0].module as? M }
    }

    /// Adds a module and starts its mailbox. A type already registered keeps its first instance;
    /// an IQ payload another module routes already stays with that module. With `sessionActive`, the
    /// module first hears `sessionStarted(resumed: false)`.
    /// - Returns: the registered instance, and whether it is new.
    public mutating func register<M: XMPPModule>(
        _ module: M, replyingThrough host: any ModuleHost, sessionActive: Bool = false
    ) -> (module: M, added: Bool) {
        if let existing = self.module(M.self) { return (existing, false) }
        let index = entries.count
        let (mailbox, continuation) = AsyncStream.makeStream(of: Input.self)
        if sessionActive { continuation.yield(.sessionStarted(resumed: false)) }
        entries.append(Entry(module: module, mailbox: continuation))
        byType[ObjectIdentifier(M.self)] = index
        for route in module.routes {
            let key = RouteKey(name: route.name, namespace: route.namespace)
            switch route.kind {
            case .iq: if iqRoutes[key] == nil { iqRoutes[key] = index }
            case .message: messageRoutes[key, default: []].append(index)
            case .presence: presenceRoutes[key, default: []].append(index)
            case .anyPresence: everyPresence.append(index)
            }
        }
        Task { [weak host] in
            for await input in mailbox {
                await Self.deliver(input, to: module, replyingThrough: host)
            }
        }
        return (module, true)
    }

    private static func deliver(_ input: Input, to module: any XMPPModule, replyingThrough host: (any ModuleHost)?) async {
        switch input {
        case .request(let request):
            let reply: IQ
            do throws(StanzaError) {
                reply = try await module.handleRequest(request) ?? request.makeError(StanzaError(.serviceUnavailable))
            } catch {
                reply = request.makeError(error)
            }
            // `Void` picks the send that does not wait for an answer (a response gets none).
            let _: Void? = try? await host?.send(reply)
        case .message(let message): await module.handleMessage(message)
        case .presence(let presence): await module.handlePresence(presence)
        case .sessionStarted(let resumed): await module.sessionStarted(resumed: resumed)
        case .sessionEnded: await module.sessionEnded()
        }
    }

    /// Hands an IQ get/set to the module routing its payload.
    /// - Returns: false when no module takes it: the caller answers `service-unavailable` (§8.4).
    public func dispatch(request: IQ) -> Bool {
        guard let payload = request.payload,
              let index = iqRoutes[RouteKey(name: payload.name, namespace: payload.namespace)] else { return false }
        entries[index].mailbox.yield(.request(request))
        return true
    }

    /// Hands a message to every module routing one of its payloads.
    public func dispatch(message: Message) {
        for index in recipients(of: message.element, in: messageRoutes, always: []) {
            entries[index].mailbox.yield(.message(message))
        }
    }

    /// Hands a presence to every module routing one of its payloads, or every presence.
    public func dispatch(presence: Presence) {
        for index in recipients(of: presence.element, in: presenceRoutes, always: everyPresence) {
            entries[index].mailbox.yield(.presence(presence))
        }
    }

    private func recipients(of stanza: XMLElement, in routes: [RouteKey: [Int]], always: [Int]) -> [Int] {
        var indices = Set(always)
        if !routes.isEmpty {
            for child in stanza.elements {
                indices.formUnion(routes[RouteKey(name: child.name, namespace: child.namespace)] ?? [])
            }
        }
        return indices.sorted()
    }

    /// Tells every module a session started (or was resumed).
    public func sessionStarted(resumed: Bool) {
        for entry in entries { entry.mailbox.yield(.sessionStarted(resumed: resumed)) }
    }

    /// Tells every module the session ended for good.
    public func sessionEnded() {
        for entry in entries { entry.mailbox.yield(.sessionEnded) }
    }

    /// Lets each module add its payload to an outbound presence, in registration order.
    public func decorate(_ presence: Presence) async -> Presence {
        var presence = presence
        for entry in entries { presence = await entry.module.decorate(presence) }
        return presence
    }

    /// Ends every mailbox (the client is going away).
    public func finish() {
        for entry in entries { entry.mailbox.finish() }
    }
}
