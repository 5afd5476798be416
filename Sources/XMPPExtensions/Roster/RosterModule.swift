import XMPPClient
import XMPPCore
import XMPPXML

/// The roster (RFC 6121 §2) with versioning (RFC 6121 §2.6, formerly XEP-0237): fetches the roster
/// when a session starts, keeps a local copy up to date from the server's pushes, and adds, updates
/// and removes items.
///
/// ```swift
/// let roster = await client.register(RosterModule(snapshot: savedSnapshot))
/// try await client.connect()            // the roster is fetched as the session starts
/// try await roster.add(jid: try JID("romeo@example.net"), name: "Romeo", groups: ["Friends"])
/// save(await roster.snapshot())         // the next login asks only for changes
/// ```
///
/// The local copy changes only from what the server says (results and pushes, §2.1.4, §2.1.6), never
/// from our own requests: after ``set(_:)`` returns, the change shows once its push has arrived.
public actor RosterModule: XMPPModule {
    /// A client advertises nothing for the roster: it is a service the server offers (§2.1).
    public nonisolated let features: [String] = []
    /// Roster pushes (§2.1.6).
    public nonisolated let routes: [StanzaRoute] = [.iq("query", RosterItem.namespace)]
    /// The most items kept: a result's extra items are left out and a push adding one more is
    /// answered `resource-constraint` (RFC 6120 §8.3.3.18), so no server can grow us without bound.
    public nonisolated let maximumItems: Int
    /// Whether to ask for changes only when the server offers versioning (§2.6).
    public nonisolated let usesVersioning: Bool

    private let broadcaster = EventBroadcaster<RosterEvent>()
    private var context = ModuleContext.unattached
    private var entries: [JID: RosterItem] = [:]
    /// The version of ``items`` the server last gave (§2.6.3), nil when it gave none.
    public private(set) var version: String?
    /// Whether the roster was fetched in this session.
    public private(set) var isLoaded = false
    /// Pushes that arrived while a fetch was waiting for its result: applied after it, in order,
    /// so a result never overwrites a newer push.
    private var heldPushes: [RosterQuery] = []
    private var fetchesInFlight = 0

    /// - Parameters:
    ///   - snapshot: a roster stored from an earlier session (its version is sent on the next fetch).
    ///   - maximumItems: the most items kept.
    ///   - usesVersioning: send the stored version when the server offers versioning (§2.6.2).
    public init(snapshot: RosterSnapshot? = nil, maximumItems: Int = 50_000, usesVersioning: Bool = true) {
        self.maximumItems = max(0, maximumItems)
        self.usesVersioning = usesVersioning
        if let snapshot {
            (entries, version) = Self.entries(from: snapshot, limit: self.maximumItems)
        }
    }

    /// Every roster event from now on.
    public nonisolated var events: AsyncStream<RosterEvent> { broadcaster.subscribe() }

    public func attach(_ context: ModuleContext) async {
        self.context = context
    }

    /// §2.2: a client SHOULD request the roster once the session starts. A resumed session
    /// (XEP-0198) kept our roster interest on the server, and the pushes were part of the stream.
    public func sessionStarted(resumed: Bool) async {
        guard !resumed else { return }
        isLoaded = false
        do {
            try await fetch()
        } catch {
            context.logger.info("roster fetch failed", metadata: ["xmpp.error": "\(error)"])
            broadcaster.yield(.fetchFailed(reason: "\(error)"))
        }
    }

    public func sessionEnded() async {
        isLoaded = false
    }

    // MARK: - Reading the local copy

    /// Every item, ordered by JID.
    public var items: [RosterItem] {
        entries.values.sorted { $0.jid.description < $1.jid.description }
    }

    /// The item for `jid`, or for its bare JID (a full JID's contact is the account).
    public func item(for jid: JID) -> RosterItem? {
        entries[jid] ?? entries[jid.bare]
    }

    /// The roster and its version, to store and hand back to ``init(snapshot:maximumItems:usesVersioning:)``
    /// or ``restore(_:)`` next time (§2.6).
    public func snapshot() -> RosterSnapshot {
        RosterSnapshot(version: version, items: items)
    }

    /// Replaces the local copy with a stored one; the next fetch sends its version (§2.6.2).
    public func restore(_ snapshot: RosterSnapshot) {
        (entries, version) = Self.entries(from: snapshot, limit: maximumItems)
    }

    private static func entries(from snapshot: RosterSnapshot, limit: Int) -> ([JID: RosterItem], String?) {
        var entries: [JID: RosterItem] = [:]
        for item in snapshot.items where item.subscription != .remove {
            guard entries.count < limit || entries[item.jid] != nil else { return (entries, nil) }
            entries[item.jid] = item
        }
        return (entries, snapshot.version)
    }

    // MARK: - Requests

    /// Whether the server offers roster versioning: `<ver xmlns='urn:xmpp:features:rosterver'/>` in
    /// its stream features (§2.6.1).
    public func isVersioningSupported() async -> Bool {
        RosterVersioning.isAdvertised(in: await context.streamFeatures())
    }

    /// Fetches the roster (§2.1.3) and replaces the local copy with it.
    ///
    /// When the server offers versioning (§2.6.1), the get carries the stored version, or `""`
    /// without one (§2.6.2). An empty result then means the stored roster is current and any
    /// changes follow as pushes (§2.6.3); a result with a `<query/>` is the whole roster.
    /// - Returns: the items after the result.
    /// - Throws: ``StanzaError`` on an error reply or a result that is not a roster;
    ///   ``XMPPClientError`` when not connected.
    @discardableResult
    public func fetch() async throws -> [RosterItem] {
        var query = XMLElement("query", namespace: RosterItem.namespace)
        let versioning = await isVersioningSupported()
        let sentVersion = usesVersioning && versioning ? (version ?? "") : nil
        query.setAttribute("ver", to: sentVersion)
        fetchesInFlight += 1
        let reply: IQ
        do {
            reply = try await context.send(IQ(.get, payload: query))
        } catch {
            fetchesInFlight -= 1
            releaseHeldPushes()
            throw error
        }
        fetchesInFlight -= 1
        do {
            try apply(result: reply, sentVersion: sentVersion)
        } catch {
            releaseHeldPushes()
            throw error
        }
        releaseHeldPushes()
        return items
    }

    private func apply(result reply: IQ, sentVersion: String?) throws(StanzaError) {
        guard let payload = reply.payload else {
            // §2.6.3: an empty result (not an empty <query/>) says the version we sent is current.
            // With no version sent, or "" (no cache), nothing cached is vouched for: start empty and
            // let the pushes that follow fill it.
            let unchanged = sentVersion.map { !$0.isEmpty } ?? false
            if !unchanged {
                entries = [:]
                version = nil
            }
            isLoaded = true
            broadcaster.yield(.loaded(items: items, version: version, unchanged: unchanged))
            return
        }
        let result = try RosterQuery.result(payload, limit: maximumItems)
        if result.invalid > 0 || result.overLimit > 0 {
            context.logger.info("roster result items left out", metadata: [
                "xmpp.roster.invalid": "\(result.invalid)", "xmpp.roster.over_limit": "\(result.overLimit)",
            ])
        }
        entries = Dictionary(result.query.items.map { ($0.jid, $0) }, uniquingKeysWith: { _, last in last })
        version = result.query.version
        isLoaded = true
        broadcaster.yield(.loaded(items: items, version: version, unchanged: false))
    }

    /// Adds or updates an item (§2.3, §2.4): its name and groups; `subscription`, `ask` and
    /// `approved` are the server's to set (§2.1.2) and are not sent. An item whose subscription is
    /// `remove` removes it (§2.5).
    /// - Throws: ``StanzaError``: `bad-request` or `not-acceptable` for groups §2.3.3 forbids (checked
    ///   before sending), or the server's error reply.
    public func set(_ item: RosterItem) async throws {
        try RosterItem.validate(groups: item.groups)
        var query = XMLElement("query", namespace: RosterItem.namespace)
        query.append(item.requestElement)
        _ = try await context.send(IQ(.set, payload: query))
    }

    /// Adds `jid` to the roster, or updates its name and groups (§2.3.1).
    public func add(jid: JID, name: String? = nil, groups: [String] = []) async throws {
        try await set(RosterItem(jid: jid, name: name, groups: groups))
    }

    /// Removes `jid` from the roster (§2.5.1); the server also cancels the subscriptions both ways
    /// (§2.5.2). Throws `item-not-found` when it is not there (§2.5.3).
    public func remove(_ jid: JID) async throws {
        try await set(RosterItem(jid: jid, subscription: .remove))
    }

    // MARK: - Pushes

    /// Answers a roster push (§2.1.6).
    ///
    /// Rule 2 of §2.1.6: a client MUST ignore a push unless it has no `from` or comes from the
    /// user's bare JID. Ignoring it changes nothing; the reply is still owed (RFC 6120 §8.2.3: a get
    /// or set is always answered) and is `service-unavailable`, the answer RFC 6120 §8.4 gives to a
    /// request nobody here serves, so a stranger learns nothing about our roster handling.
    public func handleRequest(_ request: IQ) async throws(StanzaError) -> IQ? {
        guard await isFromOurAccount(request) else {
            context.logger.info("ignored a roster push from another entity (RFC 6121 §2.1.6)",
                                metadata: ["xmpp.from": "\(request.element.attribute("from") ?? "")"])
            throw StanzaError(.serviceUnavailable)
        }
        // The server never asks a client for its roster.
        guard request.kind == .set, let payload = request.payload else { throw StanzaError(.serviceUnavailable) }
        let push = try RosterQuery.push(payload)
        if fetchesInFlight > 0 {
            guard heldPushes.count < maximumItems else { throw StanzaError(.resourceConstraint) }
            heldPushes.append(push)
        } else {
            try apply(push: push)
        }
        return request.makeResult()
    }

    private func isFromOurAccount(_ request: IQ) async -> Bool {
        guard request.element.attribute("from") != nil else { return true }
        guard let from = request.from, let bound = try? await context.boundJID() else { return false }
        return from == bound.bare
    }

    private func releaseHeldPushes() {
        guard fetchesInFlight == 0 else { return }
        let pushes = heldPushes
        heldPushes = []
        for push in pushes { try? apply(push: push) }
    }

    private func apply(push: RosterQuery) throws(StanzaError) {
        guard let item = push.items.first else { return }
        if item.subscription == .remove {
            if let old = entries.removeValue(forKey: item.jid) { broadcaster.yield(.itemRemoved(old)) }
        } else {
            let old = entries[item.jid]
            if old == nil && entries.count >= maximumItems {
                // Our copy no longer matches any version the server knows.
                version = nil
                throw StanzaError(.resourceConstraint, text: "the roster holds \(maximumItems) items already")
            }
            entries[item.jid] = item
            if old != item { broadcaster.yield(.itemChanged(old: old, new: item)) }
        }
        // §2.6.3: each push carries the new version; a push without one leaves our copy at no
        // version the server can match, so the next fetch asks for everything.
        version = push.version
    }
}

extension RosterModule: ServerFeatureDetecting {
    /// Whether the server keeps rosters (RFC 6121 §2): a roster fetched this session, the versioning
    /// stream feature (§2.6.1), `jabber:iq:roster` in its disco#info, or else a roster get that is
    /// not refused with `service-unavailable` / `feature-not-implemented`.
    public func isSupportedByServer() async throws -> Bool {
        _ = try await context.boundJID()
        if isLoaded { return true }
        if await isVersioningSupported() { return true }
        if (try? await context.serverSupports(RosterItem.namespace)) == true { return true }
        do {
            try await fetch()
            return true
        } catch let error as StanzaError where error.condition == .serviceUnavailable || error.condition == .featureNotImplemented {
            return false
        }
    }
}
