import Foundation
import Testing
import TestSupport
import XMPPClient
import XMPPCore
import XMPPExtensions
import XMPPXML

/// Two users on one server: a fresh XMPPKit account and a fresh account logged in with slixmpp.
struct PeerPair {
    var client: XMPPClient
    var account: TestAccounts.Account
    var peer: SlixmppPeer
    var peerAccount: TestAccounts.Account
    /// The messages the XMPPKit client received (its one `stanzas` sequence, read for the test).
    var inbox: Inbox

    var peerJID: JID { peerAccount.jid }

    /// Runs `body` with a new pair, then quits slixmpp and disconnects, whatever `body` did.
    static func with(on server: ServerEnvironment.Server, modules: [any XMPPModule],
                     _ body: (PeerPair) async throws -> Void) async throws {
        let (client, account) = try await TestAccounts.connectedClient(on: server, modules: modules)
        let inbox = Inbox()
        let reader = Task { [stanzas = client.stanzas] in
            for await stanza in stanzas { await inbox.append(stanza) }
        }
        let peerAccount: TestAccounts.Account
        let peer: SlixmppPeer
        do {
            peerAccount = try await TestAccounts.register(on: server, prefix: "s")
            peer = try await SlixmppPeer.start(peerAccount, on: server)
        } catch {
            reader.cancel()
            await client.disconnect()
            throw error
        }
        let pair = PeerPair(client: client, account: account, peer: peer, peerAccount: peerAccount, inbox: inbox)
        do {
            try await body(pair)
        } catch {
            await peer.quit()
            reader.cancel()
            await client.disconnect()
            throw error
        }
        await peer.quit()
        reader.cancel()
        await client.disconnect()
    }

    /// Mutual presence subscription (RFC 6121 §3): slixmpp approves everything and subscribes back,
    /// `subscriptions` (policy `.approveAll`) approves slixmpp's request. Waits until slixmpp's
    /// roster says `both`.
    func befriend(_ subscriptions: PresenceSubscriptionModule) async throws {
        try await peer.run("approve_all")
        try await subscriptions.subscribe(to: peerJID)
        try await eventually("slixmpp's roster shows \(account.jid) as both") {
            let roster = try await peer.run("get_roster")
            return roster["items"]?[account.jid.description]?["subscription"]?.string == "both"
        }
    }
}

/// Messages and presences a client received, for tests to look through.
actor Inbox {
    private(set) var stanzas: [InboundStanza] = []

    func append(_ stanza: InboundStanza) {
        stanzas.append(stanza)
    }

    var messages: [Message] {
        stanzas.compactMap { if case .message(let message) = $0 { message } else { nil } }
    }

    /// Waits up to `timeout` for a message satisfying `predicate`; nil when none came.
    func message(timeout: Duration = .seconds(20), where predicate: @Sendable (Message) -> Bool) async -> Message? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let found = messages.first(where: predicate) { return found }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return messages.first(where: predicate)
    }
}

/// Polls `condition` until it holds, up to `timeout`.
func eventually(_ what: String, timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(200))
    }
    if try await condition() { return }
    throw SlixmppPeer.Failure(description: "timed out waiting until \(what)")
}

/// The first element of a module's event stream that `match` maps to a value, within `timeout`.
func firstEvent<Element: Sendable, Result: Sendable>(_ stream: AsyncStream<Element>, _ what: String, timeout: Duration = .seconds(20),
                                                     _ match: @escaping @Sendable (Element) -> Result?) async throws -> Result {
    let found = try await withThrowingTaskGroup(of: Result?.self) { group in
        group.addTask {
            for await element in stream { if let result = match(element) { return result } }
            return nil
        }
        group.addTask {
            try await Task.sleep(for: timeout)
            return nil
        }
        let first = try await group.next() ?? nil
        group.cancelAll()
        return first
    }
    guard let found else { throw SlixmppPeer.Failure(description: "timed out waiting for \(what)") }
    return found
}

/// Bytes that stand for an image (the servers do not look inside PHOTO).
func testImage(_ seed: UInt8, count: Int = 2048) -> [UInt8] {
    [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) }
}

extension PeerPair {
    /// Sends our initial presence and waits until the server has processed it: a round trip on the
    /// same stream comes back only after it. Without this, a message the peer sends at once to our
    /// bare JID may reach the server before we are available, and go to offline storage instead.
    func announcePresence() async throws {
        try await client.send(Presence())
        let server = try JID(domainpart: account.jid.domainpart)
        _ = try await client.send(IQ(.get, to: server, payload: XMLElement("ping", namespace: "urn:xmpp:ping")))
    }
}
