import Logging
import XMPPCore

/// What a module may ask of the client it is registered with: a narrow view that never exposes the
/// socket. ``XMPPClient`` is the host; tests may replay XEP examples through a host of their own.
public protocol ModuleHost: AnyObject, Sendable {
    /// Sends an IQ request and waits for its result; throws ``StanzaError`` on an error reply.
    func send(_ request: IQ) async throws -> IQ
    /// Sends a message, presence or IQ response without waiting.
    func send<S: Stanza>(_ stanza: S) async throws
    /// The full JID bound for this session (RFC 6120 §7), nil while not connected.
    var boundJID: JID? { get async }
    /// The stream features the server offered after authentication (RFC 6120 §4.3).
    var streamFeatures: StreamFeatures? { get async }
    /// Every feature the registered modules advertise, sorted (XEP-0030 §3.1).
    var advertisedFeatures: [String] { get async }
    /// The registered module of this type, if any.
    func module<M: XMPPModule>(_ type: M.Type) async -> M?
    /// Registers a module; a type already registered keeps its first instance, which is returned.
    @discardableResult
    func register<M: XMPPModule>(_ module: M) async -> M
    /// Where modules log (swift-log: take a logger, don't make one).
    var logger: Logger { get }
}
