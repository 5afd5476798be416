import TestSupport
import Testing
import XMPPClient
import XMPPCore
import XMPPXML
import XMPPExtensions

@Suite("vCard-based avatars against the real servers (XEP-0153)")
struct VCardAvatarIntegrationTests {
    @Test("A stores a PHOTO; B, subscribed to A, sees the new hash in A's presence and fetches the matching image",
          arguments: ["prosody", "ejabberd"])
    func contactSeesNewHash(serverName: String) async throws {
        let server = try Servers.server(serverName)
        let (aClient, aAccount) = try await TestAccounts.connectedClient(on: server, modules: [VCardModule(), VCardAvatarModule()], prefix: "av")
        let (bClient, bAccount) = try await TestAccounts.connectedClient(on: server, modules: [VCardModule(), VCardAvatarModule()], prefix: "bv")
        let aInbox = PresencePeerInbox(aClient)
        let bInbox = PresencePeerInbox(bClient)
        let aAvatar = try #require(await aClient.module(VCardAvatarModule.self))
        let bAvatar = try #require(await bClient.module(VCardAvatarModule.self))
        #expect(try await aAvatar.isSupportedByServer())
        let bEvents = bAvatar.events
        try await aClient.send(Presence())
        try await bClient.send(Presence())
        try await PresencePeers.subscribe((bClient, bAccount.jid, bInbox), to: (aClient, aAccount.jid, aInbox))

        // Before A has a photo: what B sees of A's avatar in presence.
        let before = await bInbox.presence(from: aAccount.jid, .available)
        let beforeX = before?.element.child("x", namespace: VCardUpdate.namespace)
        print("[avatar] \(serverName): A's presence before any photo carries \(beforeX.map { "\($0)" } ?? "no update element")")

        let (image, sha1) = (try Fixtures.bytes("vectors/avatar/avatar-64x64.png"), "906543b861aba09867863fbd4ac088dcd9147b0a")
        try await #require(aClient.module(VCardModule.self)).setVCard(VCard(nickname: "A", photo: VCardPhoto(type: "image/png", data: image)))
        #expect(await aAvatar.advertised == .hash(sha1))

        let seen = await firstEvent(bEvents, timeout: .seconds(20)) { event in
            if case .avatarChanged(let jid, let hash) = event, jid == aAccount.jid.bare, hash == sha1 { return true }
            return false
        }
        #expect(seen, "B never saw A's new avatar hash")
        let raw = await bInbox.presence(from: aAccount.jid, .available) { presence in
            presence.element.child("x", namespace: VCardUpdate.namespace)?.childText("photo", namespace: VCardUpdate.namespace) == sha1
        }
        print("[avatar] \(serverName): B got A's presence with the hash: \(raw.map { "\($0.element)" } ?? "none")")
        let photo = try await bAvatar.avatar(of: aAccount.jid)
        #expect(photo.data == image)
        await aClient.disconnect()
        await bClient.disconnect()
    }

    private func firstEvent(_ events: AsyncStream<VCardAvatarModule.Event>, timeout: Duration,
                            where match: @escaping @Sendable (VCardAvatarModule.Event) -> Bool) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                for await event in events where match(event) { return true }
                return false
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }
}
