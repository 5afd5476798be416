import ProfileSDK
import Synchronization
import TestSupport
import Testing
import XMPPCore
import XMPPExtensions

/// The facade against the real servers: every implemented method's success and documented error
/// paths (Specs/sdk/profile.json), with fresh accounts made by the SDK's own `register`.
@Suite("ProfileSDK against the real servers")
struct ProfileSDKIntegrationTests {
    static func configuration(_ server: ServerEnvironment.Server, listeners: SDKListeners = SDKListeners()) throws -> SDKConfiguration {
        SDKConfiguration(domain: server.domain, host: server.host, port: server.port,
                         caFile: try Servers.environment.get().caFile, listeners: listeners)
    }

    static func initialized(_ server: ServerEnvironment.Server, listeners: SDKListeners = SDKListeners()) async throws -> SDK {
        let sdk = SDK()
        try await sdk.initialize(configuration: configuration(server, listeners: listeners))
        return sdk
    }

    static func expectError(_ status: Int, _ message: String? = nil, _ body: () async throws -> Void,
                            sourceLocation: SourceLocation = #_sourceLocation) async {
        do {
            try await body()
            Issue.record("expected \(status), got success", sourceLocation: sourceLocation)
        } catch let error as SDKError {
            #expect(error.statusCode == status, "\(error)", sourceLocation: sourceLocation)
            if let message { #expect(error.message == message, sourceLocation: sourceLocation) }
        } catch {
            Issue.record("expected SDKError \(status), got \(error)", sourceLocation: sourceLocation)
        }
    }

    static func username() -> String { "sdk\(StanzaID.make().lowercased().prefix(10))" }

    @Test("Before initialize every call is 405; bad configuration and parameters are 400 before any traffic")
    func orderOfChecks() async throws {
        let sdk = SDK()
        await Self.expectError(405, "SDK Not Initialized") { try await sdk.login(username: "a", password: "b") }
        await Self.expectError(400) { try await sdk.initialize(configuration: SDKConfiguration(domain: "bad domain")) }
        try await sdk.initialize(configuration: SDKConfiguration(domain: "example.invalid"))
        await Self.expectError(400, "Invalid parameter username: must not be empty") { try await sdk.login(username: " ", password: "x") }
        await Self.expectError(400) { _ = try await sdk.getLastSeen(toUserJid: "a@b@c") }
        await Self.expectError(405, "Not Logged In") { _ = try await sdk.getCurrentUserJid() }
        await Self.expectError(405, "Not Logged In") { try await sdk.logout() }
        await Self.expectError(400) { try await sdk.setUserToken(token: "not a token") }
    }

    @Test("register, 409 for an existing user, wrong password 401, login, getCurrentUserJid, logout", arguments: ["prosody", "ejabberd"])
    func accountLifecycle(serverName: String) async throws {
        let server = try Servers.server(serverName)
        let sdk = try await Self.initialized(server)
        let name = Self.username()
        let registered = try #require(try await sdk.register(userIdentifier: name).data)
        #expect(registered.username == name)
        #expect(registered.userJid == "\(name)@\(server.domain)")
        #expect(registered.password.count == 32)
        await Self.expectError(409, "User Already Exists") { _ = try await sdk.register(userIdentifier: name) }
        await Self.expectError(401, "Authentication Failed") { try await sdk.login(username: name, password: "wrong") }
        #expect(try await sdk.login(username: name, password: registered.password).message == "Login Success")
        await Self.expectError(405, "Already Logged In") { try await sdk.login(username: name, password: registered.password) }
        #expect(try await sdk.getCurrentUserJid().userJid == registered.userJid)
        try await sdk.logout()
        await Self.expectError(405, "Not Logged In") { _ = try await sdk.getCurrentUserJid() }
    }

    @Test("register with autoLogin logs in; a token logs in without the password and never contains it", arguments: ["prosody", "ejabberd"])
    func tokens(serverName: String) async throws {
        let server = try Servers.server(serverName)
        let sdk = try await Self.initialized(server)
        let name = Self.username()
        let registered = try await sdk.register(userIdentifier: name, autoLogin: true)
        #expect(registered.message == "Login Success")
        let password = try #require(registered.data?.password)
        #expect(try await sdk.getCurrentUserJid().userJid == "\(name)@\(server.domain)")
        try await sdk.logout()

        let token = try await sdk.getUserToken(username: name, password: password).userToken
        #expect(token.hasPrefix("XKT1."))
        #expect(!token.contains(password))
        let other = try await Self.initialized(server)
        try await other.setUserToken(token: token)
        #expect(try await other.login(username: name, password: "").message == "Login Success")
        // Deleting the account: the token is refused from then on.
        try await other.deleteMyAccount(reason: "test over")
        let third = try await Self.initialized(server)
        try await third.setUserToken(token: token)
        await Self.expectError(401, "Token Expired") { try await third.login(username: name, password: "") }
        await Self.expectError(401, "Authentication Failed") { try await third.login(username: name, password: password) }
    }

    @Test("A blocks B: A's list has B, B hears it and lists A; unblock reverses both", arguments: ["prosody", "ejabberd"])
    func blocking(serverName: String) async throws {
        let server = try Servers.server(serverName)
        // What B's getUsersWhoBlockedMe returned, called from within each listener's handler.
        let fromCallback = BlockedMeRecorder()
        let bobBox = Mutex<SDK?>(nil)
        let alice = try await Self.initialized(server)
        let bob = try await Self.initialized(server, listeners: SDKListeners(userBlockedMeListener: { jid, blocked in
            guard let bob = bobBox.withLock({ $0 }) else { return }
            Task {
                fromCallback.append(jid, blocked, try? await bob.getUsersWhoBlockedMe().data)
            }
        }))
        bobBox.withLock { $0 = bob }
        let aliceName = Self.username(), bobName = Self.username()
        _ = try await alice.register(userIdentifier: aliceName, autoLogin: true)
        _ = try await bob.register(userIdentifier: bobName, autoLogin: true)
        let aliceJID = "\(aliceName)@\(server.domain)", bobJID = "\(bobName)@\(server.domain)"

        // The stream's handler: each userBlockedMe event, then getUsersWhoBlockedMe right away.
        let fromStream = BlockedMeRecorder()
        let events = bob.events
        let handler = Task {
            for await event in events {
                guard case .userBlockedMe(let jid, let blocked) = event else { continue }
                fromStream.append(jid, blocked, try? await bob.getUsersWhoBlockedMe().data)
            }
        }
        defer { handler.cancel() }
        /// Waits (at most 30 s, against hangs) until both handlers have handled `count` events.
        func handled(_ count: Int) async throws {
            for _ in 0..<300 where fromStream.count < count || fromCallback.count < count {
                try await Task.sleep(for: .milliseconds(100))
            }
        }

        try await alice.blockUser(toUserJid: bobJID)
        #expect(try await alice.getUsersIBlocked().data == [BlockedUser(jid: bobJID)])
        try await handled(1)
        try await alice.unblockUser(toUserJid: bobName)  // a bare username means the same domain
        #expect(try await alice.getUsersIBlocked().data == [])
        try await handled(2)

        let seen = fromStream.records
        #expect(seen.count == 2, "\(seen)")
        #expect(seen.first.map { $0.0 == aliceJID && $0.1 } == true)
        #expect(seen.first?.2 == [BlockedUser(jid: aliceJID)], "getUsersWhoBlockedMe in the blocked event's handler")
        #expect(seen.last.map { $0.0 == aliceJID && !$0.1 } == true)
        #expect(seen.last?.2 == [], "getUsersWhoBlockedMe in the unblocked event's handler")
        #expect(try await bob.getUsersWhoBlockedMe().data == [])
        // The callback form: the same, from a task started in the callback.
        let called = fromCallback.records
        #expect(called.first.map { $0.0 == aliceJID && $0.1 && $0.2 == [BlockedUser(jid: aliceJID)] } == true, "\(called)")
        #expect(called.last.map { $0.0 == aliceJID && !$0.1 && $0.2 == [] } == true, "\(called)")
        try await alice.deleteMyAccount(reason: "test over")
        try await bob.deleteMyAccount(reason: "test over")
    }

    @Test("getLastSeen of a stranger is 403, of an unknown user 403 or 404; sendFeedback reaches the XEP-0157 address", arguments: ["prosody", "ejabberd"])
    func lastSeenAndFeedback(serverName: String) async throws {
        let server = try Servers.server(serverName)
        let sdk = try await Self.initialized(server)
        _ = try await sdk.register(userIdentifier: Self.username(), autoLogin: true)
        await Self.expectError(403, "Not Permitted: no presence subscription") {
            _ = try await sdk.getLastSeen(toUserJid: server.user2JID)
        }
        await Self.expectError(400, "Invalid parameter title: must not be empty") { try await sdk.sendFeedback(title: "", description: "x") }
        #expect(try await sdk.sendFeedback(title: "Hello", description: "from the integration tests").statusCode == 200)
        try await sdk.deleteMyAccount(reason: "test over", feedback: "bye")
        await Self.expectError(405, "Not Logged In") { _ = try await sdk.getCurrentUserJid() }
    }

    @Test("setUserProfile stores the fields; another user's getUserProfile and the listener show them; getFriendsList joins roster and vCards",
          arguments: ["prosody", "ejabberd"])
    func profiles(serverName: String) async throws {
        let server = try Servers.server(serverName)
        let profilesHeard = Mutex<[UserProfile]>([])
        let friendsHeard = Mutex<[[FriendProfile]]>([])
        let alice = try await Self.initialized(server, listeners: SDKListeners(friendsListListener: { list in
            friendsHeard.withLock { $0.append(list) }
        }))
        let bob = try await Self.initialized(server, listeners: SDKListeners(userProfileListener: { profile in
            profilesHeard.withLock { $0.append(profile) }
        }))
        let aliceData = try #require(try await alice.register(userIdentifier: Self.username(), autoLogin: true).data)
        let bobData = try #require(try await bob.register(userIdentifier: Self.username(), autoLogin: true).data)

        await Self.expectError(400, "Invalid parameter name: must not be empty") { _ = try await alice.setUserProfile(name: " ", image: .none, status: "", mobileNumber: "", email: "") }
        await Self.expectError(400, "Invalid parameter image: must be an http(s) URL") {
            _ = try await alice.setUserProfile(name: "Alice", image: .url("ftp://example.com/a.png"), status: "", mobileNumber: "", email: "")
        }
        // An image URL is fetched for its thumbnail: a PNG on the server's upload service.
        let imageURL = try await ProfileImageURLTests.servedImageURL(on: server)
        let stored = try #require(try await alice.setUserProfile(
            name: "Alice", image: .url(imageURL), status: "Busy", mobileNumber: "+1 555 0100",
            email: "alice@example.com").data)
        #expect(stored.nickName == "Alice")

        let seen = try #require(try await bob.getUserProfile(toUserJid: aliceData.userJid).data)
        #expect(seen.userJid == aliceData.userJid)
        #expect(seen.userId == aliceData.username)
        #expect(seen.nickName == "Alice")
        #expect(seen.status == "Busy")  // Prosody returns DESC as NOTE; the SDK reads either
        #expect(seen.mobileNumber == "+1 555 0100")  // Prosody drops the CELL flag; the SDK falls back
        #expect(seen.email == "alice@example.com")
        #expect(seen.image == imageURL)
        #expect(seen.thumbImage == stored.thumbImage && !seen.thumbImage.isEmpty)
        #expect(seen.fromUser == aliceData.userJid)
        #expect(profilesHeard.withLock { $0.contains(seen) })
        let unknown = try #require(try await bob.getUserProfile(toUserJid: "nobody-\(Self.username())@\(server.domain)").data)
        #expect(unknown.nickName.isEmpty)

        // Friends: Alice's other resource puts Bob in her roster (the SDK itself has no "add" method).
        let aliceAccount = TestAccounts.Account(jid: try JID(aliceData.userJid), password: aliceData.password)
        let second = try await TestAccounts.connect(aliceAccount, on: server, modules: [RosterModule()], resource: "roster")
        let roster = try #require(await second.module(RosterModule.self))
        try await roster.add(jid: try JID(bobData.userJid), name: "Bobby", groups: [])
        await second.disconnect()
        let friends = try #require(try await alice.getFriendsList().data)
        #expect(friends.map(\.userJid) == [bobData.userJid])
        #expect(friends.first?.name == "Bobby")
        #expect(friends.first?.userId == bobData.username)
        #expect(friendsHeard.withLock { $0.last } == friends)

        try await alice.deleteMyAccount(reason: "test over")
        try await bob.deleteMyAccount(reason: "test over")
    }
}

/// What a userBlockedMe handler saw: the event's JID and direction, and the getUsersWhoBlockedMe
/// list it read right away.
final class BlockedMeRecorder: Sendable {
    private let box = Mutex<[(String, Bool, [BlockedUser]?)]>([])

    func append(_ jid: String, _ blocked: Bool, _ list: [BlockedUser]?) { box.withLock { $0.append((jid, blocked, list)) } }
    var records: [(String, Bool, [BlockedUser]?)] { box.withLock { $0 } }
    var count: Int { box.withLock { $0.count } }
}
