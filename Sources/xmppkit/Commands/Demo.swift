import ArgumentParser
import Foundation
import ProfileSDK

extension XMPPKitCommand {
    /// `xmppkit demo`: two users registered on the local Prosody, walked through the Profile methods.
    struct Demo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register two users on the local Prosody and walk through the ProfileSDK methods between them.",
            discussion: """
                Start the server first (scripts/demo does: scripts/servers start prosody). Each call is printed \
                with its JSON response. Both accounts are deleted at the end. Exit status 0 when every step \
                behaved as documented.
                """
        )

        @Option(help: "Host of the server (default: $PROSODY_HOST, else 127.0.0.1).")
        var host: String?

        @Option(help: "Port (default: $PROSODY_PORT, else 5222).")
        var port: Int?

        @Option(help: "The accounts' domain (default: $PROSODY_DOMAIN, else prosody.test).")
        var domain: String?

        @Option(help: "CA certificates to trust (default: $CA_FILE, else /tmp/xmppkit-servers/ca.pem).")
        var ca: String?

        func run() async throws {
            let environment = ProcessInfo.processInfo.environment
            let configuration = SDKConfiguration(
                domain: domain ?? environment["PROSODY_DOMAIN"] ?? "prosody.test",
                host: host ?? environment["PROSODY_HOST"] ?? "127.0.0.1",
                port: port ?? environment["PROSODY_PORT"].flatMap { Int($0) } ?? 5222,
                caFile: ca ?? environment["CA_FILE"] ?? "/tmp/xmppkit-servers/ca.pem")
            var walk = DemoWalk()
            await walk.run(configuration)
            print(walk.failures.isEmpty ? "\nDemo finished: every step behaved as documented."
                                        : "\nDemo finished with \(walk.failures.count) unexpected result(s): \(walk.failures.joined(separator: ", "))")
            if !walk.failures.isEmpty { throw ExitCode(1) }
        }
    }
}

/// The demo's script: each step prints the call and its JSON response.
struct DemoWalk {
    private(set) var failures: [String] = []

    /// Prints `who: call` and the response; a step whose outcome differs from `expect` is a failure.
    @discardableResult
    private mutating func step<Value: Encodable>(_ who: String, _ call: String, expect: Set<Int> = [200],
                                                 _ body: () async throws -> Value) async -> Value? {
        print("\n\(who) → sdk.\(call)")
        do {
            let value = try await body()
            print("  " + SDKInvocation.json(value))
            if !expect.contains(200) { failures.append("\(who) \(call)") }
            return value
        } catch {
            let sdkError = error as? SDKError ?? SDKError(statusCode: 500, message: "\(error)")
            print("  " + SDKInvocation.json(sdkError))
            if !expect.contains(sdkError.statusCode) { failures.append("\(who) \(call)") }
            return nil
        }
    }

    private func note(_ text: String) { print("  (\(text))") }

    mutating func run(_ configuration: SDKConfiguration) async {
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        let aliceName = "alice-\(suffix)", bobName = "bob-\(suffix)"
        let aliceJid = "\(aliceName)@\(configuration.domain)", bobJid = "\(bobName)@\(configuration.domain)"
        print("XMPPKit ProfileSDK demo against \(configuration.host ?? configuration.domain):\(configuration.port ?? 5222) (\(configuration.domain))")
        let alice = SDK(), bob = SDK()
        await step("Alice", "initialize(configuration: domain \(configuration.domain))") { try await alice.initialize(configuration: configuration) }
        await step("Bob", "initialize(configuration: domain \(configuration.domain))") { try await bob.initialize(configuration: configuration) }

        guard let aliceAccount = await step("Alice", "register(userIdentifier: \"\(aliceName)\")", { try await alice.register(userIdentifier: aliceName) })?.data
        else {
            print("\nCannot register on the server. Is Prosody running? From the repository: scripts/servers start prosody (or run scripts/demo).")
            return
        }
        guard let bobAccount = await step("Bob", "register(userIdentifier: \"\(bobName)\")", { try await bob.register(userIdentifier: bobName) })?.data
        else { return }
        await step("Alice", "register(userIdentifier: \"\(aliceName)\") again", expect: [409]) { try await alice.register(userIdentifier: aliceName) }
        await step("Alice", "getCurrentUserJid() before login", expect: [405]) { try await alice.getCurrentUserJid() }
        guard await step("Alice", "login(username: \"\(aliceName)\", password: …)", { try await alice.login(username: aliceName, password: aliceAccount.password) }) != nil,
              await step("Bob", "connect(username: \"\(bobName)\", password: …)", { try await bob.connect(username: bobName, password: bobAccount.password) }) != nil
        else { return }
        await step("Alice", "getCurrentUserJid()") { try await alice.getCurrentUserJid() }

        // From the repository, Alice's photo is a real file: uploaded (XEP-0363), its thumbnail in her vCard.
        let photo = "Fixtures/images/small-64x64.png"
        let image: ProfileImage = FileManager.default.fileExists(atPath: photo)
            ? .file(FileManager.default.currentDirectoryPath + "/" + photo) : .none
        let imageText = if case .file = image { "file \(photo)" } else { "none" }
        await step("Alice", "setUserProfile(name: \"Alice\", image: \(imageText), status: \"In Wonderland\", mobileNumber: \"+44 20 7946 0000\", email: \"alice@example.com\")") {
            try await alice.setUserProfile(name: "Alice", image: image, status: "In Wonderland",
                                           mobileNumber: "+44 20 7946 0000", email: "alice@example.com")
        }
        await step("Bob", "setUserProfile(name: \"Bob\", image: none, status: \"Building\", mobileNumber: \"\", email: \"\")") {
            try await bob.setUserProfile(name: "Bob", image: .none, status: "Building", mobileNumber: "", email: "")
        }
        await step("Bob", "getUserProfile(toUserJid: \"\(aliceJid)\")") { try await bob.getUserProfile(toUserJid: aliceJid) }
        await step("Alice", "getUserProfile(toUserJid: \"\(bobJid)\")") { try await alice.getUserProfile(toUserJid: bobJid) }
        await step("Alice", "getUserProfile(toUserJid: \"not a jid@@\")", expect: [400]) { try await alice.getUserProfile(toUserJid: "not a jid@@") }
        await step("Alice", "getFriendsList()") { try await alice.getFriendsList() }

        let blockedNotice = Self.firstUserBlockedMe(bob, blocked: true)
        await step("Alice", "blockUser(toUserJid: \"\(bobJid)\")") { try await alice.blockUser(toUserJid: bobJid) }
        await step("Alice", "getUsersIBlocked()") { try await alice.getUsersIBlocked() }
        if let jid = await blockedNotice.value { note("Bob's userBlockedMeListener: \(jid) blocked me") } else { note("Bob got no blocked notice within 10 s") }
        await step("Bob", "getUsersWhoBlockedMe()") { try await bob.getUsersWhoBlockedMe() }
        let unblockedNotice = Self.firstUserBlockedMe(bob, blocked: false)
        await step("Alice", "unblockUser(toUserJid: \"\(bobJid)\")") { try await alice.unblockUser(toUserJid: bobJid) }
        if let jid = await unblockedNotice.value { note("Bob's userBlockedMeListener: \(jid) unblocked me") } else { note("Bob got no unblocked notice within 10 s") }
        await step("Alice", "getUsersIBlocked()") { try await alice.getUsersIBlocked() }
        await step("Bob", "getUsersWhoBlockedMe()") { try await bob.getUsersWhoBlockedMe() }

        note("last activity of a non-contact: servers may refuse it (Prosody: forbidden → 403)")
        await step("Alice", "getLastSeen(toUserJid: \"\(bobJid)\")", expect: [200, 403, 404]) { try await alice.getLastSeen(toUserJid: bobJid) }
        note("feedback goes to the server's XEP-0157 feedback address; 403/404 when it publishes none")
        await step("Alice", "sendFeedback(title: \"Demo\", description: \"Hello from xmppkit demo\")", expect: [200, 403, 404]) {
            try await alice.sendFeedback(title: "Demo", description: "Hello from xmppkit demo")
        }

        guard let token = await step("Alice", "getUserToken(username: \"\(aliceName)\", password: …)", {
            try await alice.getUserToken(username: aliceName, password: aliceAccount.password)
        })?.userToken else { return }
        await step("Alice", "logout()") { try await alice.logout() }
        await step("Alice", "setUserToken(token: \"\(token.prefix(16))…\")") { try await alice.setUserToken(token: token) }
        await step("Alice", "login(username: \"\(aliceName)\", password: \"\") (with the token)") { try await alice.login(username: aliceName, password: "") }
        await step("Alice", "getCurrentUserJid()") { try await alice.getCurrentUserJid() }

        await step("Alice", "deleteMyAccount(reason: \"demo over\")") { try await alice.deleteMyAccount(reason: "demo over") }
        await step("Bob", "deleteMyAccount(reason: \"demo over\")") { try await bob.deleteMyAccount(reason: "demo over") }
        await step("Alice", "setUserToken(token: …) and login(username: \"\(aliceName)\", password: \"\") after deletion", expect: [401]) {
            try await alice.setUserToken(token: token)
            return try await alice.login(username: aliceName, password: "")
        }
    }

    /// The JID of the first `userBlockedMeListener` event with `blocked`, or nil after 10 s.
    private static func firstUserBlockedMe(_ sdk: SDK, blocked: Bool) -> Task<String?, Never> {
        let events = sdk.events
        return Task {
            await withTaskGroup(of: String?.self) { group in
                group.addTask {
                    for await event in events {
                        if case .userBlockedMe(let jid, blocked) = event { return jid }
                    }
                    return nil
                }
                group.addTask {
                    try? await Task.sleep(for: .seconds(10))
                    return nil
                }
                let first = await group.next() ?? nil
                group.cancelAll()
                return first
            }
        }
    }
}
