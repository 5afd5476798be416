import XMPPClient
import XMPPCore
import XMPPXML

/// The blocking command (XEP-0191): reads the blocklist, blocks and unblocks JIDs, follows the
/// server's pushes, and reports messages the server refused because we blocked their recipient.
///
/// The blocklist is cached for the session: fetched on first use, kept up to date by our own
/// requests and the server's pushes, and dropped when a new (not resumed) session starts, since
/// another client may have changed it meanwhile (cf. Smack's `BlockingCommandManager`).
///
/// Blocking through this module is silent ("polite blocking", XEP-0191 §4). To tell an XMPPKit
/// user they were blocked, block through ``BlockedNoticeModule`` (Specs/blocked-notice.md).
public actor BlockingModule: XMPPModule {
    public nonisolated let features: [String] = []
    public nonisolated let routes: [StanzaRoute] = [
        .iq("block", BlockingCommand.namespace),
        .iq("unblock", BlockingCommand.namespace),
        // §3.3: a message bounced because we blocked its recipient carries the condition inside <error/>.
        .message("error", XMPPNamespace.client),
    ]

    /// What changed in the blocklist, as the server pushed it (XEP-0191 §3.3–§3.5), and refusals.
    public enum Event: Sendable, Hashable {
        /// These JIDs were blocked, by this resource or another of the account.
        case blocked([JID])
        /// These JIDs were unblocked.
        case unblocked([JID])
        /// Every JID was unblocked (§3.5).
        case unblockedAll
        /// The server refused to route a message of ours to `to` because we blocked it (§3.3);
        /// `id` is the refused message's id.
        case outboundBlocked(to: JID?, id: String?)
    }

    /// Items a blocklist result or push may carry; more is refused with `resource-constraint`.
    public nonisolated let itemLimit: Int
    private let broadcaster = EventBroadcaster<Event>()
    private var context = ModuleContext.unattached
    private var cache: [JID]?
    private var sessionActive = false

    /// - Parameter itemLimit: the most items accepted in a blocklist result or a push; the default
    ///   is the XML parser's child limit, so anything the stream can deliver fits.
    public init(itemLimit: Int = BlockingCommand.defaultItemLimit) {
        self.itemLimit = itemLimit
    }

    /// Every blocking event from now on.
    public nonisolated var events: AsyncStream<Event> { broadcaster.subscribe() }

    public func attach(_ context: ModuleContext) async {
        self.context = context
    }

    public func sessionStarted(resumed: Bool) async {
        // A new session: another client may have changed the list, and the server pushes only to
        // resources that asked for it in this session (§3.3), so the cache cannot be trusted. The
        // cache was dropped when the last session ended; a new start without an end (a failed
        // resumption) drops it here. A list fetched in this session before this call reached us
        // (the call travels through the module's mailbox) is kept.
        if !resumed, sessionActive { cache = nil }
        sessionActive = true
    }

    public func sessionEnded() async {
        sessionActive = false
        cache = nil
    }

    /// The blocklist as last fetched or pushed, nil when not fetched in this session.
    public var cachedBlocklist: [JID]? { cache }

    /// Our blocked JIDs (XEP-0191 §3.2), from the cache unless `refresh` or not fetched yet.
    /// Fetching also subscribes this resource to pushes (§3.3).
    /// - Throws: ``StanzaError`` from the server (`resource-constraint` for a list over
    ///   ``itemLimit``, `bad-request` for a malformed one); ``XMPPClientError`` from the session.
    public func blocklist(refresh: Bool = false) async throws -> [JID] {
        if !refresh, let cache { return cache }
        let reply = try await context.send(IQ(.get, payload: BlockingCommand.blocklist([]).element))
        guard let payload = reply.payload else {
            throw StanzaError(.badRequest, text: "a blocklist result must carry <blocklist/> (XEP-0191 §3.2)")
        }
        guard payload.name == "blocklist", case .blocklist(let items) = try BlockingCommand(element: payload, itemLimit: itemLimit) else {
            throw StanzaError(.badRequest, text: "expected <blocklist/> in the result, got <\(payload.name)/>")
        }
        var seen = Set<JID>()
        let jids = items.map(\.jid).filter { seen.insert($0).inserted }
        cache = jids
        return jids
    }

    /// Blocks `jids` (XEP-0191 §3.3). Throws `StanzaError` on an error reply.
    public func block(_ jids: [JID]) async throws {
        try await block(jids.map { BlockItem($0) })
    }

    /// Blocks the items' JIDs, each with its payloads (e.g. a XEP-0377 report) (XEP-0191 §3.3).
    /// Fetches the blocklist first when this session has not (§3.2: a client SHOULD, and only
    /// resources that did receive pushes).
    /// - Throws: `bad-request` locally for an empty list; ``StanzaError`` on an error reply.
    public func block(_ items: [BlockItem]) async throws {
        guard !items.isEmpty else { throw StanzaError(.badRequest, text: "nothing to block: a <block/> needs an item (XEP-0191 §3.3)") }
        if cache == nil { _ = try await blocklist() }
        _ = try await context.send(IQ(.set, payload: BlockingCommand.block(items).element))
        apply(.block(items))
    }

    /// Unblocks `jids` (XEP-0191 §3.4).
    /// - Throws: `bad-request` locally for an empty list (an empty `<unblock/>` would unblock
    ///   everyone, §3.5: use ``unblockAll()``); ``StanzaError`` on an error reply.
    public func unblock(_ jids: [JID]) async throws {
        guard !jids.isEmpty else {
            throw StanzaError(.badRequest, text: "nothing to unblock; an empty <unblock/> means everyone (XEP-0191 §3.5), use unblockAll()")
        }
        if cache == nil { _ = try await blocklist() }
        let command = BlockingCommand.unblock(jids.map { BlockItem($0) })
        _ = try await context.send(IQ(.set, payload: command.element))
        apply(command)
    }

    /// Unblocks every JID (XEP-0191 §3.5).
    public func unblockAll() async throws {
        if cache == nil { _ = try await blocklist() }
        _ = try await context.send(IQ(.set, payload: BlockingCommand.unblock([]).element))
        apply(.unblock([]))
    }

    /// §3.3–§3.5 pushes: accepted only from our own account (no `from`, or our bare JID, as
    /// RFC 6121 §2.1.6 requires of roster pushes); from anyone else the push is answered
    /// `service-unavailable`, as if we did not know the protocol, and changes nothing.
    public func handleRequest(_ request: IQ) async throws(StanzaError) -> IQ? {
        if let from = request.from {
            guard let me = try? await context.boundJID(), from == me.bare else { return nil }
        }
        guard request.kind == .set, let payload = request.payload else {
            throw StanzaError(.badRequest, text: "blocking pushes are IQ set (XEP-0191 §3.3)")
        }
        let command: BlockingCommand
        do {
            command = try BlockingCommand(element: payload, itemLimit: itemLimit)
        } catch {
            // A push we cannot read leaves the cache unknown: fetch afresh next time.
            cache = nil
            throw error
        }
        switch command {
        case .blocklist: throw StanzaError(.badRequest, text: "a <blocklist/> is not a push")
        case .block(let items): broadcaster.yield(.blocked(items.map(\.jid)))
        case .unblock(let items) where items.isEmpty: broadcaster.yield(.unblockedAll)
        case .unblock(let items): broadcaster.yield(.unblocked(items.map(\.jid)))
        }
        apply(command)
        return request.makeResult()
    }

    /// §3.3: a message of ours bounced with `not-acceptable` and `<blocked
    /// xmlns='urn:xmpp:blocking:errors'/>`. ejabberd 23.01 sends `not-acceptable` without the
    /// `<blocked/>` condition (its privacy-list text instead), so a `not-acceptable` from a JID in
    /// our cached blocklist counts too.
    public func handleMessage(_ message: Message) async {
        guard message.kind == .error, let error = message.error else { return }
        let fromBlocked = message.from.map { from in cache?.contains { $0 == from || $0 == from.bare || $0 == from.domain } ?? false } ?? false
        guard error.isBlockedByUs || (error.condition == .notAcceptable && fromBlocked) else { return }
        broadcaster.yield(.outboundBlocked(to: message.from, id: message.id))
    }

    private func apply(_ command: BlockingCommand) {
        guard var list = cache else { return }
        switch command {
        case .blocklist(let items):
            list = items.map(\.jid)
        case .block(let items):
            var present = Set(list)
            for item in items where present.insert(item.jid).inserted { list.append(item.jid) }
        case .unblock(let items) where items.isEmpty:
            list = []
        case .unblock(let items):
            let removed = Set(items.map(\.jid))
            list.removeAll { removed.contains($0) }
        }
        cache = list
    }
}

extension BlockingModule: ServerFeatureDetecting {
    /// XEP-0191 §3.1: the server advertises `urn:xmpp:blocking`.
    public func isSupportedByServer() async throws -> Bool {
        try await context.serverSupports(BlockingCommand.namespace)
    }
}
