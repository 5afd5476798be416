import XMPPCore

/// Why a contact's avatar could not be had (XEP-0153).
public enum VCardAvatarError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The vCard has no PHOTO with image bytes.
    case noAvatar(JID)
    /// The PHOTO's SHA-1 is not the hash the contact advertised (§3.2: the cached copy is keyed by it).
    case hashMismatch(JID, expected: String, actual: String)

    public var description: String {
        switch self {
        case .noAvatar(let jid): "\(jid) has no avatar in its vCard"
        case .hashMismatch(let jid, let expected, let actual): "\(jid) advertised avatar \(expected) but its vCard photo hashes to \(actual)"
        }
    }
}
