import Foundation
import TestSupport
import Testing

/// `xmppkit sdk` and `xmppkit demo` as a user runs them: the built binary, against the real servers.
@Suite("xmppkit sdk and demo command lines")
struct CLITests {
    // MARK: - Running the binary

    struct Run {
        var status: Int32
        var stdout: String

        /// The one JSON line the command printed.
        var json: [String: Any] {
            get throws {
                let line = stdout.split(separator: "\n").last.map(String.init) ?? ""
                return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not a JSON object: \(stdout)")
            }
        }

        var statusCode: Int? { (try? json)?["statusCode"] as? Int }
    }

    struct Timeout: Error, CustomStringConvertible {
        var description: String
    }

    static let repository = Fixtures.root.deletingLastPathComponent()
    static let binary = repository.appendingPathComponent(".build/x86_64-unknown-linux-gnu/debug/xmppkit").path

    /// Runs `xmppkit arguments…` with its own config home; standard output only.
    static func run(_ arguments: [String], home: String, input: String? = nil, environment: [String: String] = [:],
                    timeout: Duration = .seconds(90)) async throws -> Run {
        let child = try Subprocess([binary] + arguments, environment: environment.merging(["XDG_CONFIG_HOME": home]) { $1 },
                                   directory: repository.path, mergeErrors: false)
        if let input { child.write(Data(input.utf8)) }
        child.closeInput()
        let deadline = ContinuousClock.now + timeout
        while child.exitStatusIfExited() == nil {
            guard ContinuousClock.now < deadline else {
                child.kill()
                throw Timeout(description: "xmppkit \(arguments.joined(separator: " ")) did not end in \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        let raw = child.exitStatusIfExited() ?? -1
        // The reader thread reaches EOF right after the child ends.
        var output = child.output
        for _ in 0..<100 where output.last != UInt8(ascii: "\n") {
            try await Task.sleep(for: .milliseconds(20))
            output = child.output
        }
        return Run(status: (raw >> 8) & 0xff, stdout: String(decoding: output, as: UTF8.self))
    }

    /// A fresh XDG_CONFIG_HOME, removed by the caller.
    static func makeHome() -> String {
        let path = NSTemporaryDirectory() + "xmppkit-cli-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func connection(_ serverName: String) throws -> [String] {
        let server = try Servers.server(serverName)
        let flags = ["--host", server.host, "--port", "\(server.port)", "--domain", server.domain, "--ca", try Servers.environment.get().caFile]
        guard serverName != "prosody" else { return flags }
        // QR login's signal server is Prosody's anonymous host, trusted by default only for prosody.test (Specs/qr-login.md §2.2).
        let anon = ProcessInfo.processInfo.environment["PROSODY_ANON_DOMAIN"] ?? "anon.prosody.test"
        return flags + ["--trusted-signal-servers", "\(server.domain),\(anon)"]
    }

    static func username() -> String { "cli\(UUID().uuidString.lowercased().prefix(8))" }

    /// Registers a user; returns username and password.
    static func register(_ serverName: String, home: String) async throws -> (username: String, password: String) {
        let name = username()
        let run = try await run(["sdk", "register", "--user-identifier", name] + connection(serverName), home: home)
        #expect(run.status == 0, "\(run.stdout)")
        let data = try #require(try run.json["data"] as? [String: Any])
        return (name, try #require(data["password"] as? String))
    }

    /// Logs `user` in under `profile` (the password read from standard input).
    static func login(_ user: (username: String, password: String), profile: String, server: String, home: String) async throws {
        let run = try await run(["sdk", "login", "--username", user.username, "--password", "-", "--profile", profile] + connection(server),
                                home: home, input: user.password + "\n")
        #expect(run.status == 0 && run.statusCode == 200, "\(run.stdout)")
    }

    // MARK: - Tests

    @Test("register prints one JSON line with statusCode 200 and data.username", arguments: ["prosody", "ejabberd"])
    func register(serverName: String) async throws {
        let home = Self.makeHome()
        defer { try? FileManager.default.removeItem(atPath: home) }
        let name = Self.username()
        let run = try await Self.run(["sdk", "register", "--user-identifier", name] + Self.connection(serverName), home: home)
        #expect(run.status == 0)
        #expect(run.stdout.split(separator: "\n").count == 1, "\(run.stdout)")
        let json = try run.json
        #expect(json["statusCode"] as? Int == 200)
        let data = try #require(json["data"] as? [String: Any])
        #expect(data["username"] as? String == name)
        let again = try await Self.run(["sdk", "register", "--user-identifier", name] + Self.connection(serverName), home: home)
        #expect(again.status == 1)
        #expect(again.statusCode == 409, "\(again.stdout)")
        let user = (name, try #require(data["password"] as? String))
        try await Self.login(user, profile: "cleanup", server: serverName, home: home)
        _ = try await Self.run(["sdk", "deleteMyAccount", "--reason", "test", "--profile", "cleanup"], home: home)
    }

    @Test("login stores a 0600 profile without the password; later calls use its token; a refused token is 401",
          arguments: ["prosody", "ejabberd"])
    func storedSession(serverName: String) async throws {
        let home = Self.makeHome()
        defer { try? FileManager.default.removeItem(atPath: home) }
        let user = try await Self.register(serverName, home: home)
        try await Self.login(user, profile: "a", server: serverName, home: home)

        let file = home + "/xmppkit/profiles/a.json"
        let attributes = try FileManager.default.attributesOfItem(atPath: file)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let folder = try FileManager.default.attributesOfItem(atPath: home + "/xmppkit/profiles")
        #expect((folder[.posixPermissions] as? NSNumber)?.intValue == 0o700)
        let stored = try String(contentsOfFile: file, encoding: .utf8)
        #expect(!stored.contains(user.password))
        #expect(stored.contains("XKT1."))

        // No connection flags: everything comes from the stored profile.
        let jid = try await Self.run(["sdk", "getCurrentUserJid", "--profile", "a"], home: home)
        #expect(jid.status == 0, "\(jid.stdout)")
        let server = try Servers.server(serverName)
        #expect(try jid.json["userJid"] as? String == "\(user.username)@\(server.domain)")
        // Another profile has no session.
        let other = try await Self.run(["sdk", "getCurrentUserJid", "--profile", "b"] + Self.connection(serverName), home: home)
        #expect(other.status == 1)
        #expect(other.statusCode == 405, "\(other.stdout)")

        // A copy of the session outlives the account: its token is refused.
        try FileManager.default.copyItem(atPath: file, toPath: home + "/xmppkit/profiles/copy.json")
        let deleted = try await Self.run(["sdk", "deleteMyAccount", "--reason", "test", "--profile", "a"], home: home)
        #expect(deleted.status == 0, "\(deleted.stdout)")
        #expect(!FileManager.default.fileExists(atPath: file))
        let expired = try await Self.run(["sdk", "getCurrentUserJid", "--profile", "copy"], home: home)
        #expect(expired.status == 1)
        #expect(expired.statusCode == 401, "\(expired.stdout)")
        #expect(try expired.json["message"] as? String == "Token Expired")
    }

    @Test("two profiles: A blocks B, both sides see it; unblock reverses it", arguments: ["prosody", "ejabberd"])
    func blockBetweenProfiles(serverName: String) async throws {
        let home = Self.makeHome()
        defer { try? FileManager.default.removeItem(atPath: home) }
        let alice = try await Self.register(serverName, home: home)
        let bob = try await Self.register(serverName, home: home)
        try await Self.login(alice, profile: "alice", server: serverName, home: home)
        try await Self.login(bob, profile: "bob", server: serverName, home: home)
        let domain = try Servers.server(serverName).domain
        let aliceJid = "\(alice.username)@\(domain)", bobJid = "\(bob.username)@\(domain)"

        func jids(_ method: String, _ profile: String) async throws -> [String] {
            let run = try await Self.run(["sdk", method, "--profile", profile], home: home)
            #expect(run.status == 0, "\(method): \(run.stdout)")
            return (try run.json["data"] as? [[String: Any]] ?? []).compactMap { $0["jid"] as? String }
        }

        let block = try await Self.run(["sdk", "blockUser", "--to-user-jid", bobJid, "--profile", "alice"], home: home)
        #expect(block.status == 0 && block.statusCode == 200, "\(block.stdout)")
        #expect(try await jids("getUsersIBlocked", "alice") == [bobJid])
        // Bob was offline: the notice waits on the server and is applied at Bob's next login.
        #expect(try await jids("getUsersWhoBlockedMe", "bob") == [aliceJid])

        let unblock = try await Self.run(["sdk", "unblockUser", "--to-user-jid", bob.username, "--profile", "alice"], home: home)
        #expect(unblock.status == 0 && unblock.statusCode == 200, "\(unblock.stdout)")
        #expect(try await jids("getUsersIBlocked", "alice") == [])
        #expect(try await jids("getUsersWhoBlockedMe", "bob") == [])

        for profile in ["alice", "bob"] {
            let run = try await Self.run(["sdk", "deleteMyAccount", "--reason", "test", "--profile", profile], home: home)
            #expect(run.status == 0, "\(run.stdout)")
        }
    }

    @Test("setUserProfile --image with a file uploads it; the other profile's getUserProfile shows it; other schemes are 400",
          arguments: ["prosody", "ejabberd"])
    func profileImage(serverName: String) async throws {
        let home = Self.makeHome()
        defer { try? FileManager.default.removeItem(atPath: home) }
        let alice = try await Self.register(serverName, home: home)
        let bob = try await Self.register(serverName, home: home)
        try await Self.login(alice, profile: "alice", server: serverName, home: home)
        try await Self.login(bob, profile: "bob", server: serverName, home: home)
        // A relative path, as a user types it in the repository.
        let set = try await Self.run(["sdk", "setUserProfile", "--name", "Alice", "--image", "Fixtures/images/small-64x64.png",
                                      "--status", "here", "--profile", "alice"], home: home)
        #expect(set.status == 0 && set.statusCode == 200, "\(set.stdout)")
        let seen = try await Self.run(["sdk", "getUserProfile", "--to-user-jid", alice.username, "--profile", "bob"], home: home)
        #expect(seen.status == 0, "\(seen.stdout)")
        let data = try #require(try seen.json["data"] as? [String: Any])
        #expect(data["nickName"] as? String == "Alice")
        #expect((data["image"] as? String)?.hasPrefix("http") == true, "\(seen.stdout)")
        #expect((data["thumbImage"] as? String)?.isEmpty == false, "\(seen.stdout)")
        let scheme = try await Self.run(["sdk", "setUserProfile", "--name", "Alice", "--image", "file:///etc/passwd", "--profile", "alice"], home: home)
        #expect(scheme.status == 1)
        #expect(scheme.statusCode == 400, "\(scheme.stdout)")
        let notImage = try await Self.run(["sdk", "setUserProfile", "--name", "Alice", "--image", "Fixtures/images/not-an-image.png",
                                           "--profile", "alice"], home: home)
        #expect(notImage.status == 1)
        #expect(notImage.statusCode == 400, "\(notImage.stdout)")
        for profile in ["alice", "bob"] {
            _ = try await Self.run(["sdk", "deleteMyAccount", "--reason", "test", "--profile", profile], home: home)
        }
    }

    @Test("a malformed --to-user-jid is exit 1 with statusCode 400 naming the parameter; bad booleans are 400; unknown methods are usage errors",
          arguments: ["prosody", "ejabberd"])
    func badInput(serverName: String) async throws {
        let home = Self.makeHome()
        defer { try? FileManager.default.removeItem(atPath: home) }
        let run = try await Self.run(["sdk", "blockUser", "--to-user-jid", "a@b@c"] + Self.connection(serverName), home: home)
        #expect(run.status == 1)
        #expect(run.statusCode == 400, "\(run.stdout)")
        #expect(try run.json["parameter"] as? String == "toUserJid")
        let profile = try await Self.run(["sdk", "getUserProfile", "--to-user-jid", "not a jid@"] + Self.connection(serverName), home: home)
        #expect(profile.status == 1)
        #expect(profile.statusCode == 400, "\(profile.stdout)")
        let flag = try await Self.run(["sdk", "register", "--user-identifier", "x", "--auto-login", "yes"] + Self.connection(serverName), home: home)
        #expect(flag.status == 1)
        #expect(flag.statusCode == 400, "\(flag.stdout)")
        let unknown = try await Self.run(["sdk", "noSuchMethod"], home: home)
        #expect(unknown.status == 64)
        #expect(unknown.stdout.isEmpty)
    }

    @Test("sdk --help lists every method, and every method the SDK implements has its documented flags (Specs/sdk/profile.json)")
    func helpMatchesSpec() async throws {
        let home = Self.makeHome()
        defer { try? FileManager.default.removeItem(atPath: home) }
        let spec = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.repository.appendingPathComponent("Specs/sdk/profile.json")))
        let methods = try #require((spec as? [String: Any])?["methods"] as? [[String: Any]])
        // What the SDK implements now: the public methods in Sources/ProfileSDK.
        let sources = try FileManager.default.contentsOfDirectory(atPath: Self.repository.appendingPathComponent("Sources/ProfileSDK").path)
            .filter { $0.hasSuffix(".swift") }
            .map { try String(contentsOf: Self.repository.appendingPathComponent("Sources/ProfileSDK/\($0)"), encoding: .utf8) }
            .joined()
        let help = try await Self.run(["sdk", "--help"], home: home)
        #expect(help.status == 0)
        let subcommands = help.stdout.components(separatedBy: "SUBCOMMANDS:").last?.components(separatedBy: "\n\n").first ?? ""
        let listed = Set(subcommands.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("  "), !line.hasPrefix("   ") else { return nil }
            return line.split(whereSeparator: { $0 == " " || $0 == "," }).first.map(String.init)
        })
        var missing: [String] = []
        for method in methods {
            let name = try #require(method["name"] as? String)
            guard name != "initialize" else { continue }  // implicit in every call
            guard sources.contains("public func \(name)(") else {
                missing.append(name)
                continue
            }
            #expect(listed.contains(name), "xmppkit sdk --help does not list \(name)")
            let methodHelp = try await Self.run(["sdk", name, "--help"], home: home)
            #expect(methodHelp.status == 0, "xmppkit sdk \(name) --help: \(methodHelp.stdout)")
            for parameter in method["parameters"] as? [[String: Any]] ?? [] {
                guard let flag = parameter["cliFlag"] as? String else { continue }
                #expect(methodHelp.stdout.contains("\(flag) <"), "xmppkit sdk \(name) lacks \(flag)")
            }
            for flag in ["--host", "--port", "--domain", "--ca", "--sandbox", "--profile"] {
                #expect(methodHelp.stdout.contains("\(flag) <"), "xmppkit sdk \(name) lacks \(flag)")
            }
        }
        // The other way: nothing in the CLI that the contract does not document.
        let documented = Set(methods.compactMap { $0["name"] as? String })
        for name in listed where name != "-h" && name != "help" {
            #expect(documented.contains(name), "xmppkit sdk lists \(name), which Specs/sdk/profile.json does not document")
        }
        if !missing.isEmpty {
            print("Not implemented by the SDK yet, so not in the CLI: \(missing.joined(separator: ", "))")
        }
    }

    @Test("xmppkit demo walks through the methods against the local Prosody and exits 0")
    func demo() async throws {
        let home = Self.makeHome()
        defer { try? FileManager.default.removeItem(atPath: home) }
        let run = try await Self.run(["demo"] + Self.connection("prosody"), home: home, timeout: .seconds(180))
        #expect(run.status == 0, "\(run.stdout)")
        for method in ["register", "login", "setUserProfile", "getUserProfile", "getFriendsList", "blockUser", "getUsersIBlocked",
                       "getUsersWhoBlockedMe", "unblockUser", "getLastSeen", "sendFeedback", "getUserToken", "setUserToken",
                       "deleteMyAccount"] {
            #expect(run.stdout.contains("sdk.\(method)("), "the demo does not call \(method)")
        }
        #expect(run.stdout.contains("every step behaved as documented"), "\(run.stdout)")
        // Bob's first getUsersWhoBlockedMe (after Alice's block) lists Alice.
        let lines = run.stdout.components(separatedBy: "\n")
        let call = try #require(lines.firstIndex { $0.contains("sdk.getUsersWhoBlockedMe()") })
        #expect(call + 1 < lines.count && lines[call + 1].contains("\"jid\":\"alice-"), "\(run.stdout)")
    }
}
