import XMPPClient
import XMPPCore
import XMPPXML

/// vCard-based avatars (XEP-0153): puts our avatar's hash into every available presence we send,
/// keeps it in step with our vCard, and tells when a contact's avatar changes.
///
/// Our hash comes from our own vCard: read at login (§4.2 rule 1: never advertise before reading
/// it), or stored through ``VCardModule/setVCard(_:)``, after which our last presence is sent again
/// with the new hash (§3.1, §4.1). Until then presence carries an empty `<x/>` (§4.1 rule 2).
public actor VCardAvatarModule: XMPPModule {
    /// XEP-0153 defines no disco feature: support shows in presence.
    public nonisolated let features: [String] = []
    /// Every presence: contacts' hashes, and (§4.3) whether our other resources support the protocol.
    public nonisolated let routes: [StanzaRoute] = [.anyPresence]

    /// What presence told us about avatars.
    public enum Event: Sendable, Hashable {
        /// The account `jid` (bare) advertised a hash different from the last one we saw (§3.2):
        /// nil means it has no avatar. Fetch it with ``avatar(of:expectedHash:)``.
        case avatarChanged(JID, hash: String?)
    }

    /// Whether to read our vCard at login so that presence can carry our hash (§4.2 rule 1).
    public nonisolated let downloadsOwnVCard: Bool
    private let broadcaster = EventBroadcaster<Event>()
    private var context = ModuleContext.unattached
    /// What our vCard says, once we know (§4.1).
    private var own: VCardUpdate.Photo = .notReady
    /// Our other resources whose presence lacks the update element (§4.3 rule 1).
    private var nonConforming: Set<JID> = []
    /// Our last broadcast available presence, as the application sent it, to send again.
    private var lastBroadcast: Presence?
    /// The last photo each contact advertised, by bare JID.
    private var seen: [JID: VCardUpdate.Photo] = [:]
    /// Bounds what presence from ever-new JIDs can make us store.
    private let seenLimit = 10_000

    public init(downloadsOwnVCard: Bool = true) {
        self.downloadsOwnVCard = downloadsOwnVCard
    }

    /// Every avatar event from now on.
    public nonisolated var events: AsyncStream<Event> { broadcaster.subscribe() }

    public func attach(_ context: ModuleContext) async {
        self.context = context
    }

    public func sessionStarted(resumed: Bool) async {
        guard !resumed, downloadsOwnVCard else { return }
        await downloadOwnVCard()
    }

    public func sessionEnded() async {
        own = .notReady
        nonConforming = []
        lastBroadcast = nil
        seen = [:]
    }

    /// What our presence advertises now: nothing while another resource of ours does not speak
    /// XEP-0153 (§4.3 rule 1), else what our vCard says.
    public var advertised: VCardUpdate.Photo {
        nonConforming.isEmpty ? own : .notReady
    }

    /// How many accounts' photos are remembered (bounded).
    var seenCount: Int { seen.count }

    /// The last photo `jid`'s account advertised, nil when it advertised none yet.
    public func lastSeen(_ jid: JID) -> VCardUpdate.Photo? {
        seen[jid.bare]
    }

    /// §4.1 rule 1: every available presence, directed ones included, carries the update element.
    public func decorate(_ presence: Presence) async -> Presence {
        switch presence.kind {
        case .available:
            var presence = presence
            presence.removePayloads("x", namespace: VCardUpdate.namespace)
            if presence.to == nil { lastBroadcast = presence }
            presence.append(VCardUpdate(photo: advertised).element)
            return presence
        case .unavailable:
            if presence.to == nil { lastBroadcast = nil }
            return presence
        default:
            return presence
        }
    }

    public func handlePresence(_ presence: Presence) async {
        guard let from = presence.from, let ownJID = try? await context.boundJID() else { return }
        if from.bare == ownJID.bare {
            if from != ownJID { await otherResource(from, presence) }
            return
        }
        guard presence.kind == .available,
              let update = presence.element.child("x", namespace: VCardUpdate.namespace).flatMap(VCardUpdate.init(element:)),
              update.photo != .notReady else { return }
        let account = from.bare
        guard seen[account] != update.photo else { return }
        if seen[account] == nil, seen.count >= seenLimit { seen.removeAll(keepingCapacity: true) }
        seen[account] = update.photo
        broadcaster.yield(.avatarChanged(account, hash: update.photo.hash))
    }

    /// Fetches `jid`'s avatar from its vCard (§3.2: from the bare JID) and checks its SHA-1 against
    /// `expectedHash`, or else the hash `jid` last advertised.
    /// - Throws: ``VCardAvatarError`` when there is no image or it does not match; ``VCardError``
    ///   for a PHOTO beyond the vCard module's limits; ``StanzaError`` from the server.
    public func avatar(of jid: JID, expectedHash: String? = nil) async throws -> VCardPhoto {
        let vcard = try await vCardModule().vCard(of: jid.bare)
        guard let photo = vcard.photo, let data = photo.data, !data.isEmpty else { throw VCardAvatarError.noAvatar(jid.bare) }
        let actual = try AvatarHash.sha1Hex(of: data)
        if let expected = expectedHash.flatMap(AvatarHash.normalized) ?? seen[jid.bare]?.hash, expected != actual {
            throw VCardAvatarError.hashMismatch(jid.bare, expected: expected, actual: actual)
        }
        return photo
    }

    // MARK: - Our own avatar

    /// Our vCard as read from the server (§4.2 rule 1: now we may advertise it).
    func ownVCardRetrieved(_ vcard: VCard) async {
        await setOwn(photo(of: vcard))
    }

    /// Our vCard as just stored (§4.2 rule 1: a new image MUST be advertised; no need to read it back).
    func ownVCardStored(_ vcard: VCard) async {
        await setOwn(photo(of: vcard))
    }

    private func photo(of vcard: VCard) -> VCardUpdate.Photo {
        guard let data = vcard.photo?.data, !data.isEmpty else { return .noAvatar }
        do {
            return .hash(try AvatarHash.sha1Hex(of: data))
        } catch {
            context.logger.warning("cannot hash our avatar", metadata: ["xmpp.error": "\(error)"])
            return .notReady
        }
    }

    /// §4.1 rule 3: once the photo we advertise changes, presence goes out again.
    private func setOwn(_ photo: VCardUpdate.Photo) async {
        let before = advertised
        own = photo
        if advertised != before { await resendPresence() }
    }

    private func resendPresence() async {
        guard let lastBroadcast else { return }
        do {
            try await context.send(lastBroadcast)
        } catch {
            context.logger.debug("could not re-send presence with the avatar hash", metadata: ["xmpp.error": "\(error)"])
        }
    }

    private func downloadOwnVCard() async {
        do {
            // The vCard module reports what it read through ownVCardRetrieved.
            _ = try await vCardModule().vCard()
        } catch {
            context.logger.debug("could not read our vCard for the avatar hash", metadata: ["xmpp.error": "\(error)"])
        }
    }

    /// §4.3: presence from another resource of our own account.
    private func otherResource(_ from: JID, _ presence: Presence) async {
        switch presence.kind {
        case .unavailable:
            // §4.3 rule 1: we MAY reset once every non-conforming resource has gone.
            if nonConforming.contains(from) { await conformingAgain(from) }
        case .available:
            guard let update = presence.element.child("x", namespace: VCardUpdate.namespace).flatMap(VCardUpdate.init(element:)) else {
                // Rule 1: that resource may change the vCard behind our back; stop advertising.
                let before = advertised
                nonConforming.insert(from)
                if advertised != before { await resendPresence() }
                return
            }
            if nonConforming.contains(from) {
                await conformingAgain(from)
                return
            }
            switch update.photo {
            case .notReady:
                break
            case .noAvatar:
                // Rule 2: it emptied the photo; read the vCard to see (unless we agree already:
                // two resources without an avatar must not make each other reset forever).
                if own != .noAvatar { await resetHash() }
            case .hash(let hash):
                // Rule 2: a different hash is never fought over; the vCard decides.
                if own != .hash(hash) { await resetHash() }
            }
        default:
            break
        }
    }

    /// `resource` no longer counts as not speaking XEP-0153; when none is left, our hash is reset
    /// (§4.4), its first step (advertising nothing) being what we already do.
    private func conformingAgain(_ resource: JID) async {
        own = .notReady
        nonConforming.remove(resource)
        if nonConforming.isEmpty { await downloadOwnVCard() }
    }

    /// §4.4: advertise nothing at once, read the vCard, advertise what it holds.
    private func resetHash() async {
        await setOwn(.notReady)
        await downloadOwnVCard()
    }

    private func vCardModule() async throws -> VCardModule {
        try await context.require(VCardModule.self, orRegister: VCardModule())
    }
}

extension VCardAvatarModule: ServerFeatureDetecting {
    /// Avatars live in vCards: the server must store them (XEP-0054 §4, `vcard-temp`).
    public func isSupportedByServer() async throws -> Bool {
        try await context.serverSupports(VCard.namespace)
    }
}
