import XMPPCore

/// What happened to the roster (RFC 6121 §2), as ``RosterModule/events`` reports it.
public enum RosterEvent: Sendable, Hashable {
    /// A roster result arrived (§2.1.4). `unchanged` when the server answered a versioned get with
    /// an empty result: the cached roster is current, and any changes follow as pushes (§2.6.3).
    case loaded(items: [RosterItem], version: String?, unchanged: Bool)
    /// A roster push added (`old` nil) or changed an item (§2.1.6).
    case itemChanged(old: RosterItem?, new: RosterItem)
    /// A roster push removed an item (§2.5.2).
    case itemRemoved(RosterItem)
    /// Fetching the roster when the session started failed.
    case fetchFailed(reason: String)
}
