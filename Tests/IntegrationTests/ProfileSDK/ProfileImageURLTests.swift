import ProfileSDK
import TestSupport
import Testing
import XMPPClient
import XMPPCore
import XMPPExtensions

/// setUserProfile with an http(s) image URL (Specs/sdk/profile.json `setUserProfile` `image`): the
/// SDK fetches it once, checks it by content like a file, and puts its libgd thumbnail in PHOTO.
@Suite("ProfileSDK: thumbnails of profile images given as URLs")
struct ProfileImageURLTests {
    typealias Support = ProfileSDKIntegrationTests

    /// Files on the server's upload service (XEP-0363), uploaded from a helper account: plain-http
    /// URLs on loopback that serve the bytes given.
    static func served(_ files: [(name: String, bytes: [UInt8], type: String)], on server: ServerEnvironment.Server) async throws -> [String] {
        let (client, _) = try await TestAccounts.connectedClient(on: server, modules: [HTTPUploadModule()])
        defer { Task { await client.disconnect() } }
        let upload = try #require(await client.module(HTTPUploadModule.self))
        var urls: [String] = []
        for file in files { urls.append(try await upload.upload(file.bytes, filename: file.name, contentType: file.type)) }
        return urls
    }

    /// A served small PNG, usable wherever a test needs a real image URL.
    static func servedImageURL(on server: ServerEnvironment.Server) async throws -> String {
        try await served([("small.png", try Fixtures.bytes("images/small-64x64.png"), "image/png")], on: server)[0]
    }

    @Test("An image URL gets a thumbnail (B sees it); a URL that is no image is 400, a missing one 404, an unreachable one 500",
          arguments: ["prosody", "ejabberd"])
    func imageURLs(serverName: String) async throws {
        let server = try Servers.server(serverName)
        let small = try Fixtures.bytes("images/small-64x64.png")
        let urls = try await Self.served([("small.png", small, "image/png"),
                                          ("large.png", try Fixtures.bytes("images/large-640x480.png"), "image/png"),
                                          ("text.png", try Fixtures.bytes("images/not-an-image.png"), "image/png")], on: server)
        let alice = try await Support.initialized(server), bob = try await Support.initialized(server)
        let aliceData = try #require(try await alice.register(userIdentifier: Support.username(), autoLogin: true).data)
        _ = try await bob.register(userIdentifier: Support.username(), autoLogin: true)

        // A small image is its own thumbnail, byte for byte; the URL is stored as given.
        let stored = try #require(try await alice.setUserProfile(name: "Alice", image: .url(urls[0]), status: "", mobileNumber: "", email: "").data)
        #expect(stored.image == urls[0])
        let thumb = try ProfileSDKMediaIntegrationTests.decodeDataURI(stored.thumbImage)
        #expect(thumb.type == "image/png" && thumb.bytes == small)
        let seen = try #require(try await bob.getUserProfile(toUserJid: aliceData.userJid).data)
        #expect(seen.image == urls[0] && seen.thumbImage == stored.thumbImage)

        // A large one is scaled to 256 px with libgd.
        let large = try #require(try await alice.setUserProfile(name: "Alice", image: .url(urls[1]), status: "", mobileNumber: "", email: "").data)
        let scaled = try ProfileSDKMediaIntegrationTests.decodeDataURI(large.thumbImage)
        #expect(scaled.type == "image/jpeg" && scaled.bytes.count <= 65_536)
        let decoded = try ProfileImageFile.decodedSize(of: scaled.bytes)
        #expect(decoded.size == ImageSize(width: 256, height: 192))
        print("[image URL] \(serverName): \(urls[1]) → \(scaled.type) \(decoded.size) \(scaled.bytes.count) bytes")

        // Refusals leave the stored profile alone.
        await Support.expectError(400) { _ = try await alice.setUserProfile(name: "Alice", image: .url(urls[2]), status: "", mobileNumber: "", email: "") }
        // The slot's directory replaced: no such file on the service.
        var parts = urls[0].split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        parts[parts.count - 2] = "xmppkit-missing-\(Support.username())"
        let missing = parts.joined(separator: "/")
        await Support.expectError(404, "Image Not Found") { _ = try await alice.setUserProfile(name: "Alice", image: .url(missing), status: "", mobileNumber: "", email: "") }
        await Support.expectError(500) { _ = try await alice.setUserProfile(name: "Alice", image: .url("http://127.0.0.1:9/nothing.png"), status: "", mobileNumber: "", email: "") }
        #expect(try await bob.getUserProfile(toUserJid: aliceData.userJid).data?.thumbImage == large.thumbImage)

        try await alice.deleteMyAccount(reason: "test over")
        try await bob.deleteMyAccount(reason: "test over")
    }
}
