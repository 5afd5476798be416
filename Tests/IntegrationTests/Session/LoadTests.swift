import Foundation
import Testing
import TestSupport
@testable import XMPPClient
import XMPPCore

/// Load: 200 concurrent sessions in one process, 50 messages each, against Prosody. None may be
/// lost; memory per session is reported (not asserted: machines differ).
@Suite struct LoadTests {
    static func residentBytes() -> Int {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
              let pages = statm.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    @Test func twoHundredSessionsFiftyMessagesEach() async throws {
        try await ExclusiveLoad.shared.run {
            try await run(sessions: Int(ProcessInfo.processInfo.environment["XMPPKIT_LOAD_SESSIONS"] ?? "200") ?? 200)
        }
    }

    func run(sessions: Int) async throws {
        let server = try Servers.server("prosody")
        let perSession = 50
        let before = Self.residentBytes()
        let start = ContinuousClock.now

        // Log in once with the password, then reuse the derived SCRAM credentials (RFC 5802 §5.1), as an
        // app restoring 200 sessions would; each session binds its own resource.
        let first = XMPPClient(configuration: try Servers.configuration(server, jid: server.userJID + "/load-0", tlsMax: .v1_3))
        let credentials = try #require(try await first.connect().scramCredentials)
        var clients = [first]
        try await withThrowingTaskGroup(of: XMPPClient.self) { group in
            for index in 1..<sessions {
                group.addTask {
                    var configuration = try Servers.configuration(server, jid: server.userJID + "/load-\(index)", tlsMax: .v1_3)
                    configuration.credential = .scram(credentials)
                    let client = XMPPClient(configuration: configuration)
                    try await client.connect()
                    return client
                }
            }
            for try await client in group { clients.append(client) }
        }
        let connected = ContinuousClock.now
        let afterLogin = Self.residentBytes()

        // Each session sends 50 messages to itself through the server and counts what comes back.
        let received = try await withThrowingTaskGroup(of: Int.self) { group in
            for client in clients {
                group.addTask {
                    guard let jid = await client.session?.boundJID else { return 0 }
                    let counter = Task { () -> Int in
                        var count = 0
                        for await stanza in client.stanzas {
                            if case .message(let message) = stanza, message.body?.hasPrefix("load-") == true {
                                count += 1
                                if count == perSession { break }
                            }
                        }
                        return count
                    }
                    for index in 0..<perSession {
                        try await client.send(Message(.chat, to: jid, body: "load-\(index)"))
                    }
                    let watchdog = Task {
                        try await Task.sleep(for: .seconds(60))
                        counter.cancel()
                    }
                    let count = await counter.value
                    watchdog.cancel()
                    return count
                }
            }
            var total = 0
            var short: [Int] = []
            for try await count in group {
                total += count
                if count < perSession { short.append(count) }
            }
            if !short.isEmpty { print("load: \(short.count) sessions short: \(short.sorted().prefix(20))") }
            return total
        }
        let done = ContinuousClock.now
        await withTaskGroup(of: Void.self) { group in
            for client in clients { group.addTask { await client.disconnect() } }
        }
        let closed = ContinuousClock.now

        #expect(clients.count == sessions)
        #expect(received == sessions * perSession, "\(sessions * perSession - received) messages lost")
        let perSessionKB = (afterLogin - before) / sessions / 1024
        print("load: \(sessions) sessions logged in in \(connected - start), \(received) messages round-tripped in \(done - connected), closed in \(closed - done); resident memory +\(perSessionKB) KB per session")
    }
}
