import ProfileSDK
import TestSupport
import Testing
import XMPPCore
import XMPPExtensions

/// Profile images from files (XEP-0363 upload, libgd thumbnail in the vCard PHOTO), media
/// encryption (XEP-0454 links), and reportUserOrGroup (XEP-0157 abuse address), on both servers.
@Suite("ProfileSDK media and reports against the real servers")
struct ProfileSDKMediaIntegrationTests {
    typealias Support = ProfileSDKIntegrationTests

    static func imagePath(_ name: String) -> String { Fixtures.url("images/\(name)").path }

    /// The bytes of a `data:<type>;base64,…` URI, and its type.
    static func decodeDataURI(_ uri: String) throws -> (type: String, bytes: [UInt8]) {
        let parts = uri.split(separator: ",", maxSplits: 1)
        try #require(parts.count == 2 && parts[0].hasPrefix("data:") && parts[0].hasSuffix(";base64"), "\(uri.prefix(40))")
        let type = String(parts[0].dropFirst(5).dropLast(7))
        return (type, try #require(Base64.decode(parts[1])))
    }

    @Test("A's image file: B sees image + thumbImage, the URL downloads to the same bytes; encrypted too; small images byte for byte",
          arguments: ["prosody", "ejabberd"])
    func imageFiles(serverName: String) async throws {
        let server = try Servers.server(serverName)
        let alice = try await Support.initialized(server), bob = try await Support.initialized(server)
        let aliceName = Support.username()
        _ = try await alice.register(userIdentifier: aliceName, autoLogin: true)
        _ = try await bob.register(userIdentifier: Support.username(), autoLogin: true)
        let aliceJID = "\(aliceName)@\(server.domain)"
        let large = try Fixtures.bytes("images/large-640x480.png")
        let download = HTTPUploadModule()

        // Plain upload: a scaled JPEG thumbnail, the URL holds the original.
        let stored = try #require(try await alice.setUserProfile(name: "Alice", image: .file(Self.imagePath("large-640x480.png")),
                                                                 status: "pictured", mobileNumber: "", email: "").data)
        #expect(stored.image.hasPrefix("http://"))
        let seen = try #require(try await bob.getUserProfile(toUserJid: aliceJID).data)
        #expect(seen.nickName == "Alice")
        #expect(seen.image == stored.image)
        #expect(seen.thumbImage == stored.thumbImage)
        let thumb = try Self.decodeDataURI(seen.thumbImage)
        #expect(thumb.type == "image/jpeg")
        #expect(thumb.bytes.count <= 65_536)
        let decoded = try ProfileImageFile.decodedSize(of: thumb.bytes)
        #expect(decoded.format == .jpeg && decoded.size == ImageSize(width: 256, height: 192))
        #expect(try await download.download(seen.image) == large)

        // Media encryption: an aesgcm link; the stored file is ciphertext; the link decrypts.
        try await alice.setMediaEncryption(enabled: true)
        let encrypted = try #require(try await alice.setUserProfile(name: "Alice", image: .file(Self.imagePath("large-640x480.png")),
                                                                    status: "", mobileNumber: "", email: "").data)
        #expect(encrypted.image.hasPrefix("aesgcm+http://"))
        let seenEncrypted = try #require(try await bob.getUserProfile(toUserJid: aliceJID).data)
        #expect(seenEncrypted.image == encrypted.image)
        #expect(try Self.decodeDataURI(seenEncrypted.thumbImage).type == "image/jpeg")
        let link = try AESGCMURL(seenEncrypted.image)
        let onServer = try await HTTPClient().get(link.transportURL.withoutFragment).body
        #expect(onServer.count == large.count + 16)
        #expect(onServer != large && !onServer.starts(with: large.prefix(8)))
        #expect(try await download.download(seenEncrypted.image) == large)
        // Passing the aesgcm link back keeps image and thumbnail.
        let kept = try #require(try await alice.setUserProfile(name: "Alice", image: .url(encrypted.image),
                                                               status: "", mobileNumber: "", email: "").data)
        #expect(kept.image == encrypted.image && kept.thumbImage == encrypted.thumbImage)

        // A small image is its own thumbnail, byte for byte.
        try await alice.setMediaEncryption(enabled: false)
        let small = try Fixtures.bytes("images/small-64x64.png")
        _ = try await alice.setUserProfile(name: "Alice", image: .file(Self.imagePath("small-64x64.png")),
                                           status: "", mobileNumber: "", email: "")
        let seenSmall = try #require(try await bob.getUserProfile(toUserJid: aliceJID).data)
        let smallThumb = try Self.decodeDataURI(seenSmall.thumbImage)
        #expect(smallThumb.type == "image/png")
        #expect(smallThumb.bytes == small)
        #expect(try await download.download(seenSmall.image) == small)

        // Not an image, unreadable, a directory: 400 naming image, before any upload.
        for path in [Self.imagePath("not-an-image.png"), "/nonexistent/xmppkit.png", Fixtures.url("images").path, "/dev/zero"] {
            do {
                _ = try await alice.setUserProfile(name: "Alice", image: .file(path), status: "", mobileNumber: "", email: "")
                Issue.record("\(path) was accepted")
            } catch let error as SDKError {
                #expect(error.statusCode == 400 && error.parameter == "image", "\(error)")
            }
        }
        // Removing the image clears URL and PHOTO.
        let cleared = try #require(try await alice.setUserProfile(name: "Alice", image: .none, status: "", mobileNumber: "", email: "").data)
        #expect(cleared.image.isEmpty && cleared.thumbImage.isEmpty)
        try await alice.deleteMyAccount(reason: "test over")
        try await bob.deleteMyAccount(reason: "test over")
    }

    @Test("reportUserOrGroup goes to the XEP-0157 abuse address (no XEP-0377), blocks nobody; bad input is 400",
          arguments: ["prosody", "ejabberd"])
    func report(serverName: String) async throws {
        let server = try Servers.server(serverName)
        let sdk = try await Support.initialized(server)
        let name = Support.username()
        await Support.expectError(405, "Not Logged In") {
            try await sdk.reportUserOrGroup(toUserJid: server.user2JID, chatType: "chat", messageData: ReportMessageData())
        }
        _ = try await sdk.register(userIdentifier: name, autoLogin: true)
        let data = ReportMessageData(reason: "spam", text: "unwanted", messages: [
            ReportedMessage(msgId: "stanza-1", from: server.user2JID, message: "buy now", timestamp: "1700000000000"),
        ])
        #expect(try await sdk.reportUserOrGroup(toUserJid: server.user2JID, chatType: "User", messageData: data).statusCode == 200)
        #expect(try await sdk.reportUserOrGroup(toUserJid: server.user2JID, chatType: "chat", messageData: ReportMessageData()).statusCode == 200)
        // The abuse-address route does not block (the XEP-0377 route would).
        #expect(try await sdk.getUsersIBlocked().data == [])

        await Support.expectError(400, "Invalid parameter chatType: must be chat (user) or groupchat (group)") {
            try await sdk.reportUserOrGroup(toUserJid: server.user2JID, chatType: "channel", messageData: data)
        }
        await Support.expectError(400, "Invalid parameter toUserJid: must not be your own JID") {
            try await sdk.reportUserOrGroup(toUserJid: name, chatType: "chat", messageData: data)
        }
        await Support.expectError(400) {
            try await sdk.reportUserOrGroup(toUserJid: "a@b@c", chatType: "chat", messageData: data)
        }
        await Support.expectError(400, "Invalid parameter messageData: reason must be spam or abuse") {
            try await sdk.reportUserOrGroup(toUserJid: server.user2JID, chatType: "chat", messageData: ReportMessageData(reason: "boring"))
        }
        await Support.expectError(400, "Invalid parameter messageData: a message needs a msgId") {
            try await sdk.reportUserOrGroup(toUserJid: server.user2JID, chatType: "chat",
                                            messageData: ReportMessageData(messages: [ReportedMessage(msgId: "")]))
        }
        try await sdk.deleteMyAccount(reason: "test over")
    }
}
