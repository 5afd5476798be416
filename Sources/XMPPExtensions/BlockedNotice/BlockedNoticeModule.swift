import XMPPClient
import XMPPCore
import XMPPXML

/// XMPPKit's blocked-notice protocol (Specs/blocked-notice.md): tells an XMPPKit user that we
/// blocked or unblocked them, and remembers who told us, in private XML storage (XEP-0049) so the
/// set survives restarts and is shared by the account's devices.
///
/// **Works only between XMPPKit users**: other clients neither send notices nor understand them.
///
/// Sending side: ``block(_:)``, ``unblock(_:)`` and ``unblockAll()`` drive ``BlockingModule`` in
/// the order the spec requires (§3): the notice before a block (after it the server refuses to
/// route anything to the blocked user, XEP-0191 §3.3), the notice after an unblock.
///
/// Receiving side: notices from other accounts raise ``Event/blockedMe(_:)`` /
/// ``Event/unblockedMe(_:)`` and update the stored set; ``usersWhoBlockedMe()`` answers from it.
public actor BlockedNoticeModule: XMPPModule {
    public nonisolated let features = [BlockedNotice.namespace]
    public nonisolated let routes: [StanzaRoute] = BlockedNotice.allCases.map { .message($0.rawValue, BlockedNotice.namespace) }

    public enum Event: Sendable, Hashable {
        /// This account (a bare JID) says it blocked us.
        case blockedMe(JID)
        /// This account says it unblocked us.
        case unblockedMe(JID)
    }

    /// The most accounts remembered (spec §4.4); notices beyond are dropped.
    public nonisolated let limit: Int
    /// The most `unblocked` notices ``unblockAll()`` sends (spec §3 step 3).
    public nonisolated let unblockAllNoticeLimit: Int
    private let broadcaster = EventBroadcaster<Event>()
    private var context = ModuleContext.unattached
    private var known = BlockedByStorage()
    /// The read of the stored set for this session, once started; nil before, and after the session ends.
    private var loading: Task<Bool, Never>?
    /// Accepted notices being applied (§4.2), and who waits for none to be.
    private var applying = 0
    private var settledWaiters: [CheckedContinuation<Void, Never>] = []

    public init(limit: Int = 5_000, unblockAllNoticeLimit: Int = 500) {
        self.limit = limit
        self.unblockAllNoticeLimit = unblockAllNoticeLimit
    }

    /// Every blocked-notice event from now on.
    public nonisolated var events: AsyncStream<Event> { broadcaster.subscribe() }

    public func attach(_ context: ModuleContext) async {
        self.context = context
    }

    /// Spec §4.3: every new session reads the stored set (another device may have changed it).
    /// The first of this call and any use of the set in the session does the reading.
    public func sessionStarted(resumed: Bool) async {
        guard !resumed else { return }
        await ensureLoaded()
    }

    public func sessionEnded() async {
        loading = nil
    }

    /// Reads the stored set once per session; a failed read is tried again on the next use.
    private func ensureLoaded() async {
        while true {
            if let current = loading {
                if await current.value { return }
                // Another caller may have started a new read meanwhile: wait for that one.
                if loading != current { continue }
            }
            let task = Task { await self.reload() }
            loading = task
            _ = await task.value
            return
        }
    }

    // MARK: - Receiving

    /// The accounts that told us they blocked us (spec §4.3), bare JIDs in the order we learnt them.
    public func usersWhoBlockedMe() async -> [JID] {
        await ensureLoaded()
        return known.jids
    }

    /// Reads the stored set again (spec §4.3), e.g. after another device changed it. A notice
    /// being applied when this is called is finished first, so the answer includes every notice
    /// this module has begun to handle.
    @discardableResult
    public func refresh() async throws -> [JID] {
        await ensureLoaded()
        await settled()
        known = try await readStorage()
        return known.jids
    }

    /// Returns once no accepted notice is being applied (its storage write answered or failed).
    public func settled() async {
        guard applying > 0 else { return }
        await withCheckedContinuation { settledWaiters.append($0) }
    }

    /// Spec §4.1–§4.2: accept a notice only from another account's user, update the in-memory
    /// set and the stored one, then raise an event if the set changed. The event comes after the
    /// write's result, so ``refresh()`` (and the SDK's `getUsersWhoBlockedMe`) called from an
    /// event handler already reads the change.
    public func handleMessage(_ message: Message) async {
        guard let notice = BlockedNotice(in: message) else { return }
        applying += 1
        defer {
            applying -= 1
            if applying == 0 {
                let waiters = settledWaiters
                settledWaiters = []
                for waiter in waiters { waiter.resume() }
            }
        }
        guard let from = Self.acceptedSender(of: message, me: try? await context.boundJID()) else { return }
        await ensureLoaded()
        let blocker = from.bare
        if notice == .blocked, !known.contains(blocker), known.jids.count >= limit {
            context.logger.info("blocked notice dropped: the set is full", metadata: ["xmpp.from": "\(blocker)", "xmppkit.limit": "\(limit)"])
            return
        }
        let changed = known.apply(notice, from: blocker)
        await persist(notice, from: blocker)
        if changed {
            broadcaster.yield(notice == .blocked ? .blockedMe(blocker) : .unblockedMe(blocker))
        }
    }

    /// Spec §4.1: the sender of a notice we accept, or nil.
    static func acceptedSender(of message: Message, me: JID?) -> JID? {
        guard message.kind != .groupchat, message.kind != .error, let from = message.from, from.localpart != nil else { return nil }
        if let me, from.bare == me.bare { return nil }
        if message.element.child("x", namespace: "http://jabber.org/protocol/muc#user") != nil { return nil }
        return from
    }

    private func reload() async -> Bool {
        do {
            known = try await readStorage()
            return true
        } catch {
            context.logger.info("blocked-by storage could not be read", metadata: ["xmpp.error": "\(error)"])
            return false
        }
    }

    private func readStorage() async throws -> BlockedByStorage {
        let stored = try await storage().retrieve(BlockedByStorage.elementName, namespace: BlockedNotice.namespace)
        return stored.map { BlockedByStorage(element: $0, limit: limit) } ?? BlockedByStorage()
    }

    /// Spec §4.2 step 2: read again right before writing, so other devices' changes survive. A
    /// failure is logged; the in-memory set keeps the change.
    private func persist(_ notice: BlockedNotice, from blocker: JID) async {
        do {
            var stored = try await readStorage()
            if stored.apply(notice, from: blocker) {
                try await storage().store(stored.element)
            }
            known = stored
        } catch {
            context.logger.info("blocked-by storage could not be updated", metadata: ["xmpp.error": "\(error)"])
        }
    }

    private func storage() async throws -> PrivateStorageModule {
        try await context.require(PrivateStorageModule.self, orRegister: PrivateStorageModule())
    }

    // MARK: - Sending

    /// Blocks `jids`, first telling each blocked account (spec §3 step 1).
    public func block(_ jids: [JID]) async throws {
        try await block(jids.map { BlockItem($0) })
    }

    /// Blocks the items' JIDs (with their payloads, e.g. a XEP-0377 report), first sending a
    /// `blocked` notice to each bare account JID not already blocked (spec §3 steps 1 and 4). The
    /// notices and the block go out on one stream in that order, which the server keeps (RFC 6120
    /// §10.1); a notice that fails to send never stops the block.
    public func block(_ items: [BlockItem]) async throws {
        let blocking = try await blockingModule()
        let already = Set(try await blocking.blocklist())
        let me = try? await context.boundJID().bare
        for jid in noticeTargets(items.map(\.jid), me: me) where !already.contains(jid) {
            try? await context.send(BlockedNotice.blocked.message(to: jid))
        }
        try await blocking.block(items)
    }

    /// Unblocks `jids`, then tells each unblocked account (spec §3 step 2).
    public func unblock(_ jids: [JID]) async throws {
        let blocking = try await blockingModule()
        try await blocking.unblock(jids)
        let me = try? await context.boundJID().bare
        for jid in noticeTargets(jids, me: me) {
            try? await context.send(BlockedNotice.unblocked.message(to: jid))
        }
    }

    /// Unblocks everyone, then tells up to ``unblockAllNoticeLimit`` formerly blocked accounts
    /// (spec §3 step 3).
    public func unblockAll() async throws {
        let blocking = try await blockingModule()
        let previous = try await blocking.blocklist(refresh: true)
        try await blocking.unblockAll()
        let me = try? await context.boundJID().bare
        for jid in noticeTargets(previous, me: me).prefix(unblockAllNoticeLimit) {
            try? await context.send(BlockedNotice.unblocked.message(to: jid))
        }
    }

    /// Spec §3 step 4: notices go to bare account JIDs only, once each, never to ourselves.
    private func noticeTargets(_ jids: [JID], me: JID?) -> [JID] {
        var seen = Set<JID>()
        return jids.filter { $0.isBare && $0.localpart != nil && $0 != me && seen.insert($0).inserted }
    }

    private func blockingModule() async throws -> BlockingModule {
        try await context.require(BlockingModule.self, orRegister: BlockingModule())
    }
}

extension BlockedNoticeModule: ServerFeatureDetecting {
    /// The protocol needs nothing of the server but blocking (XEP-0191) to block and private
    /// storage (XEP-0049) to remember; this reports whether it offers both.
    public func isSupportedByServer() async throws -> Bool {
        let blocking = try await context.require(BlockingModule.self, orRegister: BlockingModule())
        guard try await blocking.isSupportedByServer() else { return false }
        return try await storage().isSupportedByServer()
    }
}
