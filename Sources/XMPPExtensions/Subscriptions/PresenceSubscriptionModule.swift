import XMPPClient
import XMPPCore
import XMPPXML

/// Presence subscriptions (RFC 6121 §3): asks for and answers subscriptions, pre-approves them
/// where the server allows (§3.4), reports the requests others send, and keeps the last
/// availability presence of every full JID in a ``PresenceBook``.
///
/// ```swift
/// let subscriptions = await client.register(PresenceSubscriptionModule())
/// try await subscriptions.subscribe(to: try JID("romeo@example.net"))
/// for await case .subscriptionRequest(let from) in subscriptions.events {
///     try await subscriptions.approve(from)
/// }
/// ```
///
/// The subscription states themselves live in the roster (§3, Appendix A): watch
/// ``RosterModule/events`` to see an item become `to`, `from` or `both`.
public actor PresenceSubscriptionModule: XMPPModule {
    public nonisolated let features: [String] = []
    /// Subscription presences carry no payload, so every presence comes here.
    public nonisolated let routes: [StanzaRoute] = [.anyPresence]
    /// RFC 6121 §3.4.1: the stream feature announcing subscription pre-approval.
    public static let preApprovalNamespace = "urn:xmpp:features:pre-approval"

    private let broadcaster = EventBroadcaster<SubscriptionEvent>()
    private var context = ModuleContext.unattached
    /// What happens to incoming requests.
    public private(set) var policy: SubscriptionApprovalPolicy
    /// Availability presences received this session.
    public private(set) var book: PresenceBook
    /// Requests received this session and not yet approved or denied through this module.
    public private(set) var pendingRequests: Set<JID> = []
    private let maximumPendingRequests: Int

    public init(policy: SubscriptionApprovalPolicy = .manual, book: PresenceBook = PresenceBook(),
                maximumPendingRequests: Int = 10_000) {
        self.policy = policy
        self.book = book
        self.maximumPendingRequests = max(0, maximumPendingRequests)
    }

    /// Every subscription and availability event from now on.
    public nonisolated var events: AsyncStream<SubscriptionEvent> { broadcaster.subscribe() }

    public func attach(_ context: ModuleContext) async {
        self.context = context
    }

    /// A new session starts with no presence known (the server sends current presence after our
    /// initial presence, §4.2.2); a resumed one (XEP-0198) missed nothing.
    public func sessionStarted(resumed: Bool) async {
        guard !resumed else { return }
        book.removeAll()
        pendingRequests = []
    }

    public func sessionEnded() async {
        book.removeAll()
    }

    public func setPolicy(_ policy: SubscriptionApprovalPolicy) {
        self.policy = policy
    }

    // MARK: - Presence book

    /// The last presence from each resource of `jid`'s account, newest first.
    public func presences(of jid: JID) -> [Presence] {
        book.presences(of: jid)
    }

    /// The available presence with the highest priority of `jid`'s account (RFC 6121 §4.7.2.3).
    public func bestPresence(of jid: JID) -> Presence? {
        book.bestPresence(of: jid)
    }

    // MARK: - Outbound

    /// Asks to see `jid`'s presence (§3.1.1), addressed to its bare JID as §3.1.1 requires.
    public func subscribe(to jid: JID, status: String? = nil) async throws {
        try await sendSubscription(.subscribe, to: jid, status: status)
    }

    /// Stops seeing `jid`'s presence (§3.3.1).
    public func unsubscribe(from jid: JID) async throws {
        try await sendSubscription(.unsubscribe, to: jid)
    }

    /// Lets `jid` see our presence: approves its request (§3.1.5).
    public func approve(_ jid: JID) async throws {
        pendingRequests.remove(jid.bare)
        try await sendSubscription(.subscribed, to: jid)
    }

    /// Refuses `jid`'s request (§3.1.5), or cancels a subscription it has to our presence (§3.2.1).
    public func deny(_ jid: JID) async throws {
        pendingRequests.remove(jid.bare)
        try await sendSubscription(.unsubscribed, to: jid)
    }

    /// Whether the server supports pre-approval: `<sub xmlns='urn:xmpp:features:pre-approval'/>`
    /// in its stream features (§3.4.1).
    public func isPreApprovalSupported() async -> Bool {
        await context.streamFeatures()?.element.child("sub", namespace: Self.preApprovalNamespace) != nil
    }

    /// Approves `jid`'s subscription before it asks (§3.4.1); the roster item then shows
    /// `approved='true'` (§2.1.2.1).
    /// - Throws: `feature-not-implemented` when the server does not advertise pre-approval: §3.4.1
    ///   says a client MUST NOT attempt it then.
    public func preApprove(_ jid: JID) async throws {
        guard await isPreApprovalSupported() else {
            throw StanzaError(.featureNotImplemented, text: "the server does not advertise pre-approval (RFC 6121 §3.4.1)")
        }
        try await sendSubscription(.subscribed, to: jid)
    }

    private func sendSubscription(_ kind: Presence.Kind, to jid: JID, status: String? = nil) async throws {
        // §3.1.1: to the bare JID; an 'id' lets errors be matched to the request.
        var element = Presence(kind, to: jid.bare, status: status).element
        element.setAttribute("id", to: StanzaID.make())
        let presence = (try? Presence(element: element)) ?? Presence(kind, to: jid.bare, status: status)
        try await context.send(presence)
    }

    // MARK: - Inbound

    public func handlePresence(_ presence: Presence) async {
        guard let from = presence.from else { return }
        let contact = from.bare
        switch presence.kind {
        case .subscribe:
            await receivedRequest(from: contact)
        case .subscribed:
            broadcaster.yield(.subscribed(by: contact))
        case .unsubscribed:
            broadcaster.yield(.unsubscribed(by: contact))
        case .unsubscribe:
            pendingRequests.remove(contact)
            broadcaster.yield(.unsubscribe(from: contact))
        case .available, .unavailable, .error:
            if book.record(presence) { broadcaster.yield(.presenceChanged(presence)) }
        case .probe:
            break  // §4.3: probes are the server's business
        }
    }

    /// §3.1.4: the client presents the request to the user, or answers it by policy.
    private func receivedRequest(from contact: JID) async {
        let approve: Bool
        switch policy {
        case .manual: approve = false
        case .approveAll: approve = true
        case .approveWhen(let decide): approve = await decide(contact)
        }
        if approve {
            do {
                try await sendSubscription(.subscribed, to: contact)
                pendingRequests.remove(contact)
                broadcaster.yield(.autoApproved(from: contact))
                return
            } catch {
                context.logger.info("could not approve a subscription request", metadata: ["xmpp.error": "\(error)"])
            }
        }
        if pendingRequests.count < maximumPendingRequests { pendingRequests.insert(contact) }
        broadcaster.yield(.subscriptionRequest(from: contact))
    }
}

extension PresenceSubscriptionModule: ServerFeatureDetecting {
    /// Subscriptions are managed through the roster (RFC 6121 §3), so the server supports them when
    /// it keeps rosters: see ``RosterModule/isSupportedByServer()``. Without a registered roster
    /// module: the versioning or pre-approval stream features, `jabber:iq:roster` in disco#info, or a
    /// roster get the server does not refuse.
    public func isSupportedByServer() async throws -> Bool {
        _ = try await context.boundJID()
        if let roster = await context.module(RosterModule.self) { return try await roster.isSupportedByServer() }
        let preApproval = await isPreApprovalSupported()
        let features = await context.streamFeatures()
        if preApproval || RosterVersioning.isAdvertised(in: features) { return true }
        if (try? await context.serverSupports(RosterItem.namespace)) == true { return true }
        do {
            _ = try await context.send(IQ(.get, payload: XMLElement("query", namespace: RosterItem.namespace)))
            return true
        } catch let error as StanzaError where error.condition == .serviceUnavailable || error.condition == .featureNotImplemented {
            return false
        }
    }
}
