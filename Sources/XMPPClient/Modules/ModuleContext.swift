import Logging
import XMPPCore

/// A module's handle on its client. It holds the client weakly, so the modules a client owns do
/// not keep it alive; once the client is gone every call throws `notRegistered`.
public struct ModuleContext: Sendable {
    private weak let host: (any ModuleHost)?
    public let logger: Logger

    public init(host: any ModuleHost) {
        self.host = host
        self.logger = host.logger
    }

    private init() {
        host = nil
        logger = Logger(label: "xmppkit.module.unattached", factory: { _ in SwiftLogNoOpLogHandler() })
    }

    /// The context of a module not yet registered: every call throws `notRegistered`.
    public static let unattached = ModuleContext()

    private func requireHost() throws(XMPPClientError) -> any ModuleHost {
        guard let host else { throw XMPPClientError(.notRegistered) }
        return host
    }

    /// Sends an IQ request and waits for its result (RFC 6120 §8.2.3).
    /// - Throws: ``StanzaError`` on an error reply; ``XMPPClientError`` otherwise.
    public func send(_ request: IQ) async throws -> IQ {
        let host = try requireHost()
        return try await host.send(request)
    }

    /// Sends a stanza without waiting for anything back.
    public func send<S: Stanza>(_ stanza: S) async throws {
        let host = try requireHost()
        let _: Void = try await host.send(stanza)
    }

    /// Our full JID for this session.
    /// - Throws: ``XMPPClientError`` `.notConnected` while there is no session.
    public func boundJID() async throws -> JID {
        guard let jid = await (try requireHost()).boundJID else { throw XMPPClientError(.notConnected) }
        return jid
    }

    /// The stream features offered after authentication, nil while not connected.
    public func streamFeatures() async -> StreamFeatures? {
        await host?.streamFeatures
    }

    /// Every feature the registered modules advertise, sorted.
    public func advertisedFeatures() async -> [String] {
        await host?.advertisedFeatures ?? []
    }

    /// Another registered module.
    public func module<M: XMPPModule>(_ type: M.Type) async -> M? {
        await host?.module(type)
    }

    /// Another module this one builds on: the registered one, or `make()` registered now.
    public func require<M: XMPPModule>(_ type: M.Type, orRegister make: @autoclosure () -> M) async throws -> M {
        let host = try requireHost()
        if let existing = await host.module(type) { return existing }
        return await host.register(make())
    }
}
