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

    /// 20 forced drops in the middle of a 1,000-message exchange: every message arrives exactly once.
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
        for index in 0..<total {
            if index % 50 == 25 {
                // Alternate which side drops: the receiver's queue and the sender's replay both get tested.
                if (index / 50) % 2 == 0 { await receiver.dropConnectionForTesting() } else { await sender.dropConnectionForTesting() }
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
        #expect(seen.count == total, "\(total - seen.count) messages never arrived")
        #expect(seen.values.allSatisfy { $0 == 1 }, "duplicates: \(seen.filter { $0.value > 1 }.keys.sorted().prefix(10))")
        await sender.disconnect()
        await receiver.disconnect()
    }
}
