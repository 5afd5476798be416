import Foundation
import TestSupport
import XMPPCore

/// slixmpp (PyPI), a third-party XMPP client, logged in as a test account and driven through
/// `Tests/Peers/slixmpp_peer.py`: one JSON command per line on its standard input, one JSON event
/// or result per line on its standard output. Started with ``Subprocess`` (posix_spawn), never
/// Foundation's `Process`.
///
/// The Python comes from the venv `scripts/bootstrap` makes (`$XMPPKIT_VENV`, default
/// /opt/xmppkit-venv); without it the test fails and says to run the bootstrap.
actor SlixmppPeer {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The bound full JID slixmpp logged in with.
    let jid: JID
    let logFile: String
    private let child: Subprocess
    private var consumed = 0
    private var results: [Int: JSONValue] = [:]
    private(set) var events: [JSONValue] = []
    private var nextID = 1

    static var python: String {
        let venv = ProcessInfo.processInfo.environment["XMPPKIT_VENV"] ?? "/opt/xmppkit-venv"
        return venv + "/bin/python"
    }

    static var script: String {
        Fixtures.root.deletingLastPathComponent().appendingPathComponent("Tests/Peers/slixmpp_peer.py").path
    }

    /// Logs `account` in on `server` with slixmpp, as resource `resource`, and waits until it has
    /// sent its initial presence.
    static func start(_ account: TestAccounts.Account, on server: ServerEnvironment.Server,
                      resource: String = "slixmpp") async throws -> SlixmppPeer {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw Failure(description: "no Python venv with slixmpp at \(python): run scripts/bootstrap")
        }
        let caFile = try Servers.environment.get().caFile
        let jid = "\(account.jid.bare)/\(resource)"
        let logFile = NSTemporaryDirectory() + "xmppkit-slixmpp-\(account.jid.localpart ?? "peer").log"
        let child = try Subprocess([python, script, "--jid", jid, "--password", account.password, "--host", server.host,
                                    "--port", String(server.port), "--ca", caFile, "--log", logFile], mergeErrors: false)
        let peer = SlixmppPeer(child: child, jid: try JID(jid), logFile: logFile)
        do {
            let ready = try await peer.waitForEvent(timeout: .seconds(45)) { $0["event"]?.string == "ready" || $0["event"]?.string == "error" }
            guard ready["event"]?.string == "ready" else { throw Failure(description: "slixmpp did not log in: \(ready)") }
        } catch {
            await peer.quit()
            throw error
        }
        return peer
    }

    private init(child: Subprocess, jid: JID, logFile: String) {
        self.child = child
        self.jid = jid
        self.logFile = logFile
    }

    /// Runs one command and returns its `result`.
    /// - Throws: ``Failure`` with the peer's error (a stanza error condition, `timeout`, …).
    @discardableResult
    func run(_ command: String, _ arguments: [String: JSONValue] = [:], timeout: Duration = .seconds(40)) async throws -> JSONValue {
        let id = nextID
        nextID += 1
        var object = arguments
        object["id"] = .number(Double(id))
        object["cmd"] = .string(command)
        child.write(Data((JSONValue.object(object).line + "\n").utf8))
        let deadline = ContinuousClock.now + timeout
        while true {
            pump()
            if let result = results.removeValue(forKey: id) {
                guard result["ok"]?.bool == true else {
                    throw Failure(description: "slixmpp \(command) failed: \(result["error"]?.string ?? "\(result)")")
                }
                return result["result"] ?? .null
            }
            try checkAlive(doing: command, until: deadline)
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Asks the peer to wait for an event whose fields match `fields` (a bare `from` matches any
    /// resource), seen since event number `since`, and returns it.
    func waitFor(_ event: String, _ fields: [String: JSONValue] = [:], since: Int = 0, timeout: Int = 20) async throws -> JSONValue {
        var arguments = fields
        arguments["event"] = .string(event)
        arguments["since"] = .number(Double(since))
        arguments["timeout"] = .number(Double(timeout))
        let result = try await run("wait_for", arguments, timeout: .seconds(timeout + 20))
        return result["event"] ?? .null
    }

    /// The number of the last event seen so far, for ``waitFor(_:_:since:timeout:)``.
    func lastEventNumber() -> Int {
        pump()
        return events.last?["seq"]?.int ?? 0
    }

    /// The events seen so far that satisfy `predicate`.
    func events(where predicate: (JSONValue) -> Bool) -> [JSONValue] {
        pump()
        return events.filter(predicate)
    }

    /// Waits (here, not in the peer) for an event satisfying `predicate`.
    func waitForEvent(timeout: Duration = .seconds(20), _ predicate: (JSONValue) -> Bool) async throws -> JSONValue {
        let deadline = ContinuousClock.now + timeout
        var checked = 0
        while true {
            pump()
            if let found = events[checked...].first(where: predicate) { return found }
            checked = events.count
            try checkAlive(doing: "waiting for an event", until: deadline)
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Disconnects slixmpp and ends the program (SIGTERM, then SIGKILL, if it does not quit).
    func quit() async {
        if child.exitStatusIfExited() == nil {
            _ = try? await run("quit", timeout: .seconds(10))
        }
        let deadline = ContinuousClock.now + .seconds(10)
        while child.exitStatusIfExited() == nil && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        child.closeInput()
        await child.stop()
    }

    private func checkAlive(doing what: String, until deadline: ContinuousClock.Instant) throws {
        if let status = child.exitStatusIfExited() {
            pump()
            throw Failure(description: "slixmpp exited (status \(status)) while \(what); its log: \(logFile); events: \(events)")
        }
        if ContinuousClock.now >= deadline {
            throw Failure(description: "slixmpp gave no answer in time while \(what); its log: \(logFile)")
        }
    }

    /// Reads the complete lines the peer wrote since last time: results by id, events in order.
    private func pump() {
        let output = child.output
        var start = output.startIndex + consumed
        while start < output.endIndex, let newline = output[start...].firstIndex(of: UInt8(ascii: "\n")) {
            let line = String(decoding: output[start..<newline], as: UTF8.self)
            start = newline + 1
            guard let value = JSONValue(line: line) else { continue }
            if let id = value["id"]?.int {
                results[id] = value
            } else if value["event"] != nil {
                events.append(value)
            }
        }
        consumed = start - output.startIndex
    }
}
