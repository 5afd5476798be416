import XMPPClient
import XMPPCore
import XMPPXML

/// Every stanza one client receives, kept so a test can wait for one without losing the others
/// (`client.stanzas` is a single stream; one task reads it for the whole test).
actor PresencePeerInbox {
    private var received: [InboundStanza] = []
    private var waiters: [(id: Int, match: @Sendable (InboundStanza) -> Bool, continuation: CheckedContinuation<InboundStanza?, Never>)] = []
    private var nextWaiter = 0
    private var reader: Task<Void, Never>?

    init(_ client: XMPPClient) {
        let stanzas = client.stanzas
        Task { await self.start(stanzas) }
    }

    private func start(_ stanzas: AsyncStream<InboundStanza>) {
        reader = Task { [weak self] in
            for await stanza in stanzas { await self?.add(stanza) }
        }
    }

    deinit { reader?.cancel() }

    private func add(_ stanza: InboundStanza) {
        received.append(stanza)
        waiters.removeAll { waiter in
            guard waiter.match(stanza) else { return false }
            waiter.continuation.resume(returning: stanza)
            return true
        }
    }

    /// The first stanza received (already, or within `timeout`) that `match` accepts.
    func first(timeout: Duration = .seconds(20), where match: @escaping @Sendable (InboundStanza) -> Bool) async -> InboundStanza? {
        if let found = received.first(where: match) { return found }
        let id = nextWaiter
        nextWaiter += 1
        let deadline = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            await self?.expire(id)
        }
        defer { deadline.cancel() }
        return await withCheckedContinuation { waiters.append((id, match, $0)) }
    }

    private func expire(_ id: Int) {
        waiters.removeAll { waiter in
            guard waiter.id == id else { return false }
            waiter.continuation.resume(returning: nil)
            return true
        }
    }

    /// The first presence from `from`'s account of `kind` that `match` accepts.
    func presence(from account: JID, _ kind: Presence.Kind, timeout: Duration = .seconds(20),
                  where match: @escaping @Sendable (Presence) -> Bool = { _ in true }) async -> Presence? {
        let stanza = await first(timeout: timeout) { stanza in
            guard case .presence(let presence) = stanza, presence.kind == kind, presence.from?.bare == account.bare else { return false }
            return match(presence)
        }
        guard case .presence(let presence)? = stanza else { return nil }
        return presence
    }
}

/// Presence subscriptions done with raw stanzas (RFC 6121 §3.1), so these tests do not depend on
/// the subscription module another suite tests.
enum PresencePeers {
    struct SubscriptionFailed: Error, CustomStringConvertible {
        var description: String
    }

    /// Makes `watcher` subscribed to `owner`'s presence: the watcher asks (§3.1.1), the owner,
    /// online with an available presence, approves when the request arrives (§3.1.4). Both first
    /// read their rosters, so each is an "interested resource" (RFC 6121 §1.3): Prosody delivers
    /// the approval (§3.1.6) only to those.
    static func subscribe(_ watcher: (client: XMPPClient, jid: JID, inbox: PresencePeerInbox),
                          to owner: (client: XMPPClient, jid: JID, inbox: PresencePeerInbox)) async throws {
        for client in [watcher.client, owner.client] {
            _ = try await client.send(IQ(.get, payload: XMLElement("query", namespace: "jabber:iq:roster")))
        }
        try await watcher.client.send(Presence(.subscribe, to: owner.jid.bare))
        guard await owner.inbox.presence(from: watcher.jid, .subscribe) != nil else {
            throw SubscriptionFailed(description: "\(owner.jid) never received \(watcher.jid)'s subscription request")
        }
        try await owner.client.send(Presence(.subscribed, to: watcher.jid.bare))
        guard await watcher.inbox.presence(from: owner.jid, .subscribed) != nil else {
            throw SubscriptionFailed(description: "\(watcher.jid) never received \(owner.jid)'s approval")
        }
    }
}
