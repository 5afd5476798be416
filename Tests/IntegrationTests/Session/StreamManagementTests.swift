import Testing
import TestSupport
@testable import XMPPClient
import XMPPCore
import XMPPXML

/// XEP-0198 against the real servers: enable, acks, resumption after a real drop, exactly-once.
@Suite struct StreamManagementTests {
    @Test(arguments: ["prosody", "ejabberd"])
    func enablesAndResumesAfterADrop(serverName: String) async throws {
        let server = try Servers.server(serverName)
        let client = XMPPClient(configuration: try Servers.configuration(server, tlsMax: .v1_2))
        let first = try await client.connect()
        guard case .enabled(let state) = first.streamManagement else {
            Issue.record("stream management not enabled: \(first.streamManagement)")
            return
        }
        #expect(state.resumptionID != nil)
        _ = try await Servers.ping(client, domain: server.domain)

        let states = await client.stateUpdates()
        await client.dropConnectionForTesting()
        var sawReconnecting = false
        for await state in states {
            if case .reconnecting = state { sawReconnecting = true }
            if state == .connected && sawReconnecting { break }
        }
        #expect(await client.session?.isResumed == true)
        #expect(await client.session?.boundJID == first.boundJID)
        #expect(try await Servers.ping(client, domain: server.domain).kind == .result)
        await client.disconnect()
    }

    /// 20 forced drops of established sessions in the middle of a 1,000-message exchange: every drop is
    /// resumed (XEP-0198 §5) and every message arrives exactly once.
    @Test(arguments: ["prosody", "ejabberd"])
    func everyMessageArrivesExactlyOnceAcrossTwentyDrops(serverName: String) async throws {
        try await ExclusiveLoad.shared.run { try await exchange(serverName: serverName) }
    }

    private func exchange(serverName: String) async throws {
        let server = try Servers.server(serverName)
        let sender = XMPPClient(configuration: try Servers.configuration(server, tlsMax: .v1_2))
        let receiver = XMPPClient(configuration: try Servers.configuration(server, jid: server.user2JID, password: server.password2, tlsMax: .v1_2))
        try await sender.connect()
        let receiverJID = try await receiver.connect().boundJID

        let total = 1000
        let collector = Task { () -> [String: Int] in
            var seen: [String: Int] = [:]
            for await stanza in receiver.stanzas {
                guard case .message(let message) = stanza, let body = message.body, body.hasPrefix("sm-") else { continue }
                seen[body, default: 0] += 1
                if seen.count == total { break }
            }
            return seen
        }
        let senderJID = try #require(await sender.boundJID)
        var dropped: Set<String> = []
        for index in 0..<total {
            if index % 50 == 25 {
                // Alternate which side drops: the receiver's queue and the sender's replay both get tested.
                let (name, client, jid) = (index / 50) % 2 == 0 ? ("receiver", receiver, receiverJID) : ("sender", sender, senderJID)
                // Each drop ends an established session, never a reconnection still being negotiated:
                // a drop during the TLS/SASL/<resume/> exchange only restarts it after a longer backoff,
                // and stacked outages let the sender overflow the receiver's hibernated queue (Prosody
                // 0.12 keeps 500 stanzas, smacks_max_queue_size, and then refuses the <resume/> with
                // <failed/>, which XEP-0198 §5 allows; mod_smacks hands the queued chat messages to
                // offline storage, as RFC 6121 §8.5.2.2.1 permits, and the receiver binds a new
                // resource). The sender does not wait: up to ~100 messages queue up while the receiver
                // is away, and the sender replays what it sent while its own stream was down.
                try await waitUntilConnected(client, name)
                if dropped.contains(name) {
                    // XEP-0198 §5: the previous drop was resumed, not replaced by a fresh session.
                    #expect(await client.session?.isResumed == true, "\(name) did not resume before the drop at \(index)")
                    #expect(await client.boundJID == jid, "\(name) came back as another resource before the drop at \(index)")
                }
                dropped.insert(name)
                await client.dropConnectionForTesting()
            }
            let message = Message(.chat, to: receiverJID, body: "sm-\(index)")
            while true {
                do {
                    try await sender.send(message)
                    break
                } catch {
                    try await Task.sleep(for: .milliseconds(20))  // reconnecting: send once connected again
                }
            }
        }
        let timeout = Task {
            try await Task.sleep(for: .seconds(60))
            collector.cancel()
        }
        let seen = await collector.value
        timeout.cancel()
        for (name, client, jid) in [("receiver", receiver, receiverJID), ("sender", sender, senderJID)] {
            try await waitUntilConnected(client, name)
            #expect(await client.session?.isResumed == true, "\(name)'s last drop was not resumed")
            #expect(await client.boundJID == jid, "\(name) came back as another resource")
        }
        #expect(seen.count == total, "\(total - seen.count) messages never arrived")
        #expect(seen.values.allSatisfy { $0 == 1 }, "duplicates: \(seen.filter { $0.value > 1 }.keys.sorted().prefix(10))")
        await sender.disconnect()
        await receiver.disconnect()
    }

    /// Waits until `client` is connected (again); fails the test after 30 s.
    private func waitUntilConnected(_ client: XMPPClient, _ name: String) async throws {
        for _ in 0..<3000 {
            if await client.state == .connected { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        let state = await client.state
        Issue.record("\(name) did not reconnect within 30 s: \(state)")
    }
}
