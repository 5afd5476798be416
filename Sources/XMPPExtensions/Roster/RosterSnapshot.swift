import XMPPCore

/// The roster and its version as an app stores them between sessions, so the next login can ask
/// for changes only (RFC 6121 §2.6; XEP-0237 §2.3).
///
/// XEP-0237 §5 (Security Considerations): a cached roster is personal data; protect it as such.
public struct RosterSnapshot: Sendable, Hashable, Codable {
    /// The version the server gave with these items (§2.6.3), nil when it gave none.
    public var version: String?
    public var items: [RosterItem]

    public init(version: String? = nil, items: [RosterItem] = []) {
        self.version = version
        self.items = items
    }
}
