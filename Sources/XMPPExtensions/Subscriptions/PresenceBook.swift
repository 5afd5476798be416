import XMPPCore

/// The last availability presence (available, unavailable or error; RFC 6121 §4) received from
/// each full JID, grouped by contact, as app code asks "who of Romeo's devices is online?".
///
/// Bounded: at most ``maximumContacts`` bare JIDs and ``maximumResourcesPerContact`` entries each.
/// A contact full of resources forgets its oldest offline one first, then its oldest; a new contact
/// past the limit takes the place of one with no resource online, or is not recorded.
public struct PresenceBook: Sendable {
    private struct Entry: Sendable {
        var presence: Presence
        var sequence: UInt64
    }

    public let maximumContacts: Int
    public let maximumResourcesPerContact: Int
    private var contacts: [JID: [JID: Entry]] = [:]
    private var sequence: UInt64 = 0

    public init(maximumContacts: Int = 50_000, maximumResourcesPerContact: Int = 32) {
        self.maximumContacts = max(1, maximumContacts)
        self.maximumResourcesPerContact = max(1, maximumResourcesPerContact)
    }

    /// Records `presence` if it is an availability presence with a `from`.
    /// - Returns: whether it was recorded.
    @discardableResult
    public mutating func record(_ presence: Presence) -> Bool {
        guard let from = presence.from else { return false }
        switch presence.kind {
        case .available, .unavailable, .error: break
        default: return false
        }
        let bare = from.bare
        if contacts[bare] == nil {
            guard contacts.count < maximumContacts else {
                guard let offline = contacts.first(where: { !$0.value.values.contains { $0.presence.kind == .available } })?.key else {
                    return false
                }
                contacts[offline] = nil
                return record(presence)
            }
        }
        sequence &+= 1
        var resources = contacts[bare] ?? [:]
        if from.isBare, presence.kind != .available {
            // RFC 6121 §4.3.2: an unavailable (or error) presence from the bare JID stands for
            // every resource: none is known to be online any more.
            resources = [:]
        } else if from.isFull {
            // A resource speaking for itself supersedes what the bare JID said for all of them.
            resources[bare] = nil
        }
        if resources[from] == nil, resources.count >= maximumResourcesPerContact {
            let offline = resources.filter { $0.value.presence.kind != .available }
            let pool = offline.isEmpty ? resources : offline
            if let oldest = pool.min(by: { $0.value.sequence < $1.value.sequence })?.key { resources[oldest] = nil }
        }
        resources[from] = Entry(presence: presence, sequence: sequence)
        contacts[bare] = resources
        return true
    }

    /// The last presence from each resource of `jid`'s account (its bare JID), newest first.
    public func presences(of jid: JID) -> [Presence] {
        (contacts[jid.bare] ?? [:]).values.sorted { $0.sequence > $1.sequence }.map(\.presence)
    }

    /// The last presence from exactly `jid` (a full JID, or a bare JID that spoke for itself).
    public func presence(of jid: JID) -> Presence? {
        contacts[jid.bare]?[jid]?.presence
    }

    /// Whether any resource of `jid`'s account is available.
    public func isAvailable(_ jid: JID) -> Bool {
        presences(of: jid).contains { $0.kind == .available }
    }

    /// The available presence with the highest priority (RFC 6121 §4.7.2.3), the newest among equals.
    public func bestPresence(of jid: JID) -> Presence? {
        presences(of: jid).filter { $0.kind == .available }.max { $0.priority < $1.priority }
    }

    /// Every bare JID with a recorded presence.
    public var knownContacts: [JID] { Array(contacts.keys) }

    /// Forgets everything (a new session: earlier presences are stale).
    public mutating func removeAll() {
        contacts = [:]
    }
}
