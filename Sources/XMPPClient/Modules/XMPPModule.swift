import XMPPCore
import XMPPXML

/// The one extension point: an XMPP extension (a XEP, or an RFC 6121 feature) as a module
/// registered into an ``XMPPClient`` that knows nothing about it.
///
/// A module says which disco features it advertises (XEP-0030 §3.1) and which payloads it consumes
/// (``StanzaRoute``); the client delivers matching stanzas to it, one at a time and in the order they
/// arrived, and answers any IQ request no module takes with `service-unavailable` (RFC 6120 §8.4).
/// A module never sees the socket: it acts through the ``ModuleContext`` it is given when registered.
///
/// ```swift
/// let blocking = await client.register(BlockingModule())
/// try await blocking.block([try JID("spam@example.com")])
/// ```
///
/// Every requirement but ``features`` and ``routes`` has a default that does nothing. Implement
/// the others as `async` methods, as declared: a synchronous actor method satisfies the requirement
/// too, but a direct call on the concrete type from async code would then pick the async no-op
/// default (Swift prefers the async overload in an async context).
public protocol XMPPModule: AnyObject, Sendable {
    /// The features this module adds to our disco#info answer (XEP-0030 §3.1), and so to our
    /// entity-capabilities hash (XEP-0115 §5.1).
    var features: [String] { get }
    /// The stanzas this module consumes.
    var routes: [StanzaRoute] { get }

    /// Called once, when the module is registered.
    func attach(_ context: ModuleContext) async
    /// Called when a session is established: `resumed` is true after a XEP-0198 resumption, when the
    /// server kept our state (the roster, presence) and nothing needs fetching again.
    func sessionStarted(resumed: Bool) async
    /// Called when the session ends and will not be resumed.
    func sessionEnded() async
    /// Answers an IQ get or set whose payload this module routes. Return the result, or throw the
    /// ``StanzaError`` to answer with; nil means `service-unavailable` (RFC 6120 §8.4).
    func handleRequest(_ request: IQ) async throws(StanzaError) -> IQ?
    /// A message carrying a payload this module routes.
    func handleMessage(_ message: Message) async
    /// A presence this module routes.
    func handlePresence(_ presence: Presence) async
    /// Adds this module's payload to an outbound presence (e.g. entity caps, XEP-0115 §4; an avatar
    /// hash, XEP-0153 §3).
    func decorate(_ presence: Presence) async -> Presence
}

extension XMPPModule {
    public func attach(_ context: ModuleContext) async {}
    public func sessionStarted(resumed: Bool) async {}
    public func sessionEnded() async {}
    public func handleRequest(_ request: IQ) async throws(StanzaError) -> IQ? { nil }
    public func handleMessage(_ message: Message) async {}
    public func handlePresence(_ presence: Presence) async {}
    public func decorate(_ presence: Presence) async -> Presence { presence }
}
