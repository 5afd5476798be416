import ProfileSDK
import Synchronization
import TestSupport
import Testing
import XMPPClient
import XMPPCore
import XMPPExtensions

/// `userProfileListener` for contacts (issue 7 §3): A's setUserProfile reaches B through the
/// XEP-0153 hash in A's presence; B's SDK reads A's vCard by itself and reports it.
@Suite("ProfileSDK: contacts' userProfileListener through XEP-0153 presence")
struct ContactProfileListenerTests {
    typealias Support = ProfileSDKIntegrationTests

    /// Makes the two accounts mutual contacts (RFC 6121 §3.1, both ways) from helper resources, which
    /// then go offline so that only the SDK sessions speak for the accounts.
    static func befriend(_ a: TestAccounts.Account, _ b: TestAccounts.Account, on server: ServerEnvironment.Server) async throws {
        let aClient = try await TestAccounts.connect(a, on: server, resource: "befriend")
        let bClient = try await TestAccounts.connect(b, on: server, resource: "befriend")
        let aPeer = (client: aClient, jid: a.jid, inbox: PresencePeerInbox(aClient))
        let bPeer = (client: bClient, jid: b.jid, inbox: PresencePeerInbox(bClient))
        try await aClient.send(Presence())
        try await bClient.send(Presence())
        try await PresencePeers.subscribe(aPeer, to: bPeer)
        try await PresencePeers.subscribe(bPeer, to: aPeer)
        await aClient.disconnect()
        await bClient.disconnect()
    }

    @Test("A sets a profile with an image file: B's listener (callback and stream) gets A's profile and thumbnail without asking",
          arguments: ["prosody", "ejabberd"])
    func contactHearsProfile(serverName: String) async throws {
        let server = try Servers.server(serverName)
        let heard = Mutex<[UserProfile]>([])
        let alice = try await Support.initialized(server)
        let bob = try await Support.initialized(server, listeners: SDKListeners(userProfileListener: { profile in
            heard.withLock { $0.append(profile) }
        }))
        let aliceData = try #require(try await alice.register(userIdentifier: Support.username()).data)
        let bobData = try #require(try await bob.register(userIdentifier: Support.username()).data)
        let aliceAccount = TestAccounts.Account(jid: try JID(aliceData.userJid), password: aliceData.password)
        let bobAccount = TestAccounts.Account(jid: try JID(bobData.userJid), password: bobData.password)
        try await Self.befriend(aliceAccount, bobAccount, on: server)

        let events = bob.events
        let streamed = Task { () -> UserProfile? in
            for await event in events {
                if case .userProfile(let profile) = event, profile.userJid == aliceData.userJid, !profile.thumbImage.isEmpty { return profile }
            }
            return nil
        }
        let deadline = Task {
            try await Task.sleep(for: .seconds(30))
            streamed.cancel()
        }
        defer { deadline.cancel() }
        try await bob.login(username: bobData.username, password: bobData.password)
        try await alice.login(username: aliceData.username, password: aliceData.password)
        // A's first presence says "no photo": nothing to report yet.
        let stored = try #require(try await alice.setUserProfile(
            name: "Alice", image: .file(ProfileSDKMediaIntegrationTests.imagePath("small-64x64.png")), status: "pictured", mobileNumber: "", email: "").data)
        #expect(!stored.thumbImage.isEmpty)

        let fromStream = try #require(await streamed.value, "B's event stream got no profile of A with a thumbnail")
        print("[contact profile] \(serverName): B heard \(fromStream.userJid) nickName=\(fromStream.nickName) thumbImage=\(fromStream.thumbImage.prefix(30))… image=\(fromStream.image)")
        #expect(fromStream == stored)
        #expect(fromStream.nickName == "Alice")
        #expect(fromStream.status == "pictured")
        let thumb = try ProfileSDKMediaIntegrationTests.decodeDataURI(fromStream.thumbImage)
        #expect(thumb.type == "image/png")
        #expect(thumb.bytes == (try Fixtures.bytes("images/small-64x64.png")))
        let fromCallback = heard.withLock { $0 }
        #expect(fromCallback.filter { $0.userJid == aliceData.userJid } == [fromStream], "the callback heard A once, as the stream did")
        // The same data shape getUserProfile returns.
        #expect(try await bob.getUserProfile(toUserJid: aliceData.userJid).data == fromStream)

        try await alice.deleteMyAccount(reason: "test over")
        try await bob.deleteMyAccount(reason: "test over")
    }
}
