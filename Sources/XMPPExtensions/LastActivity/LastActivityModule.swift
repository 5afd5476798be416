import XMPPClient
import XMPPCore
import XMPPXML

/// Last activity (XEP-0012): asks accounts when they last logged out, clients how long their user
/// has been idle and servers how long they have been up, and answers queries about our own idle
/// time to those ``LastActivityPolicy`` allows.
///
/// Idle time counts from the last ``userActivity()`` the application reports (or the start of
/// the session, before any), on a monotonic clock.
public actor LastActivityModule: XMPPModule {
    /// §6: an entity that answers advertises `jabber:iq:last`.
    public nonisolated let features = [LastActivity.namespace]
    /// Queries, and every presence: a contact cancelling its subscription ends what we may tell it.
    public nonisolated let routes: [StanzaRoute] = [.iq("query", LastActivity.namespace), .anyPresence]

    private var policy: LastActivityPolicy
    private let clock: @Sendable () -> ContinuousClock.Instant
    private var lastUserActivity: ContinuousClock.Instant
    private var context = ModuleContext.unattached
    /// The roster's subscription states, for ``LastActivityPolicy/subscribers``.
    private var subscribers: (jids: Set<JID>, read: ContinuousClock.Instant)?
    private let rosterCacheLifetime: Duration = .seconds(30)

    /// - Parameters:
    ///   - policy: who may learn our idle time (§8); by default our own resources and contacts
    ///     subscribed to our presence.
    ///   - clock: the monotonic time now (tests pass their own).
    public init(policy: LastActivityPolicy = .subscribers,
                clock: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) {
        self.policy = policy
        self.clock = clock
        self.lastUserActivity = clock()
    }

    public func attach(_ context: ModuleContext) async {
        self.context = context
    }

    public func sessionStarted(resumed: Bool) async {
        subscribers = nil
    }

    /// The application reports that its user just did something: idle time starts again (§4).
    public func userActivity() {
        lastUserActivity = clock()
    }

    /// Changes who may learn our idle time; `.nobody` is the switch §8 asks clients to offer.
    public func setPolicy(_ policy: LastActivityPolicy) {
        self.policy = policy
        subscribers = nil
    }

    /// Whole seconds since the last user activity.
    public func idleSeconds() -> UInt64 {
        let idle = clock() - lastUserActivity
        return idle < .zero ? 0 : UInt64(clamping: idle.components.seconds)
    }

    /// Asks `jid` (XEP-0012 §2). What the seconds mean depends on `jid`'s form, ``LastActivity/Meaning``:
    /// an account answers (through its server) when it last logged out, 0 while online (§3); a
    /// full JID its user's idle time (§4); a domain its uptime (§5).
    /// - Throws: ``StanzaError``: `forbidden` when we may not see the account's presence (§3, §4),
    ///   `service-unavailable` from a client that does not answer (§4), `bad-request` for a result
    ///   without a valid `seconds`; ``XMPPClientError`` from the session.
    public func lastActivity(of jid: JID) async throws -> LastActivity {
        let reply = try await context.send(IQ(.get, to: jid, payload: XMLElement("query", namespace: LastActivity.namespace)))
        guard let payload = reply.payload else {
            throw StanzaError(.badRequest, text: "the last-activity result from \(jid) has no <query/> (XEP-0012 §2)")
        }
        return try LastActivity(element: payload)
    }

    /// How long ago `account` logged out, with the status it left (§3); seconds 0 while online.
    public func lastLogout(of account: JID) async throws -> LastActivity {
        try await lastActivity(of: account.bare)
    }

    /// How long the server we are connected to has been running (§5).
    public func serverUptime() async throws -> Duration {
        try await lastActivity(of: JID(context.boundJID().domainpart)).duration
    }

    /// An approval or a cancellation we send changes who may see our presence (RFC 6121 §3.1.5, §3.2).
    public func decorate(_ presence: Presence) async -> Presence {
        if presence.kind == .subscribed || presence.kind == .unsubscribed { subscribers = nil }
        return presence
    }

    /// A contact that unsubscribes from our presence (RFC 6121 §3.3) may no longer learn our idle time.
    public func handlePresence(_ presence: Presence) async {
        if presence.kind == .unsubscribe { subscribers = nil }
    }

    /// §4: answers with our idle time, if the policy allows the asker; else `service-unavailable`.
    public func handleRequest(_ request: IQ) async throws(StanzaError) -> IQ? {
        guard request.kind == .get else {
            throw StanzaError(.badRequest, text: "last-activity queries are IQ get (XEP-0012 §2)")
        }
        guard await mayAnswer(request.from) else { throw StanzaError(.serviceUnavailable) }
        return request.makeResult(payload: LastActivity(seconds: idleSeconds()).element)
    }

    private func mayAnswer(_ asker: JID?) async -> Bool {
        if case .nobody = policy { return false }
        guard let own = try? await context.boundJID() else { return false }
        // RFC 6120 §8.1.2.1: no 'from' is our own account; our server sees our presence anyway.
        guard let asker, asker.bare != own.bare,
              !(asker.localpart == nil && asker.domainpart == own.domainpart) else { return true }
        switch policy {
        case .nobody, .ownAccount: return false
        case .everyone: return true
        case .custom(let allows): return await allows(asker)
        case .subscribers: return await subscriberJIDs().contains(asker.bare)
        }
    }

    /// Contacts with `from` or `both` subscriptions (RFC 6121 §2.1.2.5), from a roster get
    /// (§2.1.3) cached briefly (the roster's pushes go to the roster module, not here), and
    /// forgotten whenever a subscription we can see changes.
    private func subscriberJIDs() async -> Set<JID> {
        let now = clock()
        if let subscribers, now - subscribers.read < rosterCacheLifetime { return subscribers.jids }
        var jids = Set<JID>()
        do {
            let reply = try await context.send(IQ(.get, payload: XMLElement("query", namespace: "jabber:iq:roster")))
            for item in reply.payload?.children("item", namespace: "jabber:iq:roster") ?? [] {
                guard let subscription = item.attribute("subscription"), subscription == "from" || subscription == "both",
                      let jid = item.attribute("jid").flatMap({ try? JID($0) }) else { continue }
                jids.insert(jid.bare)
            }
        } catch {
            // Without the roster nobody is known to be subscribed: refuse (never leak, §8).
            context.logger.debug("cannot read the roster for a last-activity query", metadata: ["xmpp.error": "\(error)"])
            return []
        }
        subscribers = (jids, now)
        return jids
    }
}

extension LastActivityModule: ServerFeatureDetecting {
    /// §6: the server lists `jabber:iq:last` in disco#info.
    public func isSupportedByServer() async throws -> Bool {
        try await context.serverSupports(LastActivity.namespace)
    }
}
