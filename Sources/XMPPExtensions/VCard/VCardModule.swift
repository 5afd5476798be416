import XMPPClient
import XMPPCore
import XMPPXML

/// vcard-temp (XEP-0054): reads our own and others' vCards and stores ours.
///
/// The server answers for its accounts (§3.3: requests go to the bare JID and are never forwarded
/// to a client), so this module consumes nothing inbound and advertises no feature. When a
/// ``VCardAvatarModule`` is registered, storing or reading our own vCard tells it the avatar
/// hash (XEP-0153 §4.2).
public actor VCardModule: XMPPModule {
    public nonisolated let features: [String] = []
    public nonisolated let routes: [StanzaRoute] = []
    /// Bounds on what a received vCard may make us decode.
    public nonisolated let limits: VCard.Limits
    private var context = ModuleContext.unattached
    /// Counts our stores, so a read of our vCard that a store overtook does not report old data.
    private var stores = 0

    public init(limits: VCard.Limits = VCard.Limits()) {
        self.limits = limits
    }

    public func attach(_ context: ModuleContext) async {
        self.context = context
    }

    /// The vCard of `jid`, or ours when `jid` is nil (XEP-0054 §3.1, §3.3). Our own vCard reads as
    /// empty when the server says there is none (§3.1: `item-not-found` or an empty `<vCard/>`).
    /// For another user with no vCard (or no account) §3.3 asks the server for `service-unavailable`
    /// (`item-not-found` before version 1.3), thrown as it comes; Prosody 0.12 and ejabberd 23.01
    /// answer an empty vCard instead, which reads as empty.
    /// - Throws: ``StanzaError`` from the server; ``VCardError`` for a PHOTO beyond ``limits`` or not
    ///   base64, or an answer that is not a vCard; ``XMPPClientError`` from the session.
    public func vCard(of jid: JID? = nil) async throws -> VCard {
        let own = try await isOwn(jid)
        let storesBefore = stores
        let vcard: VCard
        do {
            let reply = try await context.send(IQ(.get, to: jid, payload: XMLElement("vCard", namespace: VCard.namespace)))
            // §3.1 allows an empty vCard for none; a result with no payload at all says the same.
            vcard = try reply.payload.map { payload throws(VCardError) in try VCard(element: payload, limits: limits) } ?? VCard()
        } catch let error as StanzaError where own && error.condition == .itemNotFound {
            vcard = VCard()
        }
        if own, stores == storesBefore { await avatarModule()?.ownVCardRetrieved(vcard) }
        return vcard
    }

    /// Stores `vcard` as ours, replacing the whole vCard (XEP-0054 §3.2: there are no partial
    /// updates, so read, modify and store). A registered ``VCardAvatarModule`` then advertises the
    /// new PHOTO's hash and re-sends our presence (XEP-0153 §3.1, §4.2).
    /// - Throws: ``StanzaError`` from the server (e.g. `not-acceptable` for a vCard it finds too large).
    public func setVCard(_ vcard: VCard) async throws {
        stores += 1
        _ = try await context.send(IQ(.set, payload: vcard.element))
        await avatarModule()?.ownVCardStored(vcard)
    }

    private func isOwn(_ jid: JID?) async throws -> Bool {
        guard let jid else { return true }
        return jid == (try await context.boundJID()).bare
    }

    private func avatarModule() async -> VCardAvatarModule? {
        await context.module(VCardAvatarModule.self)
    }
}

extension VCardModule: ServerFeatureDetecting {
    /// XEP-0054 §4: the server lists `vcard-temp` in disco#info.
    public func isSupportedByServer() async throws -> Bool {
        try await context.serverSupports(VCard.namespace)
    }
}
