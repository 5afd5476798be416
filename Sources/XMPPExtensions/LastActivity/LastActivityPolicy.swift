import XMPPCore

/// Who may learn our idle time from a query to our full JID (XEP-0012 §4, §8).
///
/// §8: last activity may go only to those allowed to see our presence, normally through a
/// presence subscription, and a client MUST let its user turn answers off. The server is meant to
/// refuse strangers for us (§4), but not every server does: Prosody 0.12 delivers a stranger's
/// query to the client (ejabberd 23.01 stops it), so the client checks too. Anyone refused gets `service-unavailable`, as a client
/// that does not wish to divulge its idle time answers (§4), which also tells a stranger nothing.
public enum LastActivityPolicy: Sendable {
    /// Answer nobody (the §8 switch).
    case nobody
    /// Only our own account's other resources.
    case ownAccount
    /// Our own resources and contacts with a subscription to our presence (`from` or `both` in
    /// our roster, RFC 6121 §2.1.2.5), read from the roster with a short cache.
    case subscribers
    /// Everyone who asks (not recommended: §8 calls this a presence leak).
    case everyone
    /// The application decides (e.g. from its roster module); our own resources are always allowed.
    case custom(@Sendable (JID) async -> Bool)
}
