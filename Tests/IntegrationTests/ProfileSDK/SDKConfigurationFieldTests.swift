import Foundation
@testable import ProfileSDK
import TestSupport
import Testing
import XMPPClient
import XMPPCore
import XMPPExtensions

/// The configuration fields `resource`, `reconnect`, `mediaEncryption` and `maxImageBytes`
/// (Specs/sdk/profile.json `initialize.fields`): their defaults, initialize's 400s for invalid
/// values, and each field's effect on a real session.
@Suite("ProfileSDK configuration fields: resource, reconnect, mediaEncryption, maxImageBytes")
struct SDKConfigurationFieldTests {
    typealias Support = ProfileSDKIntegrationTests

    @Test("Defaults as documented; a nil resource becomes xmppkit- and 8 base32 characters, fresh each time")
    func defaults() async throws {
        let configuration = SDKConfiguration(domain: "example.com")
        #expect(configuration.resource == nil)
        #expect(configuration.reconnect)
        #expect(!configuration.mediaEncryption)
        #expect(configuration.maxImageBytes == 10_485_760)
        let resources = try (0..<20).map { _ in try SDK.makeResource() }
        for resource in resources {
            #expect(resource.hasPrefix("xmppkit-") && resource.count == 16, "\(resource)")
            #expect(resource.dropFirst(8).allSatisfy { "abcdefghijklmnopqrstuvwxyz234567".contains($0) }, "\(resource)")
        }
        #expect(Set(resources).count == resources.count)

        let sdk = SDK()
        try await sdk.initialize(configuration: configuration)
        let jid = try JID("alice@example.com")
        let client = try await sdk.clientConfiguration(jid: jid, credential: .password("x"))
        #expect(client.jid.bare == jid)
        #expect(client.jid.resourcepart?.hasPrefix("xmppkit-") == true)
        #expect(client.reconnect == ReconnectPolicy())
        #expect(await sdk.mediaEncryption == false)
    }

    @Test("The fields given reach the client configuration and the media-encryption state; initialize again replaces them")
    func fieldsReachTheSession() async throws {
        let sdk = SDK()
        try await sdk.initialize(configuration: SDKConfiguration(domain: "example.com", resource: "phone", reconnect: false,
                                                                 mediaEncryption: true, maxImageBytes: 1000))
        let client = try await sdk.clientConfiguration(jid: try JID("alice@example.com"), credential: .password("x"))
        #expect(client.jid.description == "alice@example.com/phone")
        #expect(client.reconnect == nil)
        #expect(await sdk.mediaEncryption)
        #expect(await sdk.imageByteLimit == 1000)
        try await sdk.initialize(configuration: SDKConfiguration(domain: "example.com"))
        #expect(await sdk.mediaEncryption == false)
        #expect(await sdk.imageByteLimit == 10_485_760)
    }

    @Test("Invalid fields are 400 from initialize naming configuration.<field>; isSandbox and isTrialLicenseKey may differ")
    func invalidFields() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sdkconf-\(StanzaID.make())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let notPEM = directory.appendingPathComponent("not.pem")
        try Data("hello".utf8).write(to: notPEM)

        let cases: [(String, SDKConfiguration)] = [
            ("domain", SDKConfiguration(domain: "")),
            ("host", SDKConfiguration(domain: "example.com", host: "bad host/x")),
            ("host", SDKConfiguration(domain: "example.com", host: "")),
            ("port", SDKConfiguration(domain: "example.com", port: 0)),
            ("caFile", SDKConfiguration(domain: "example.com", caFile: directory.appendingPathComponent("missing.pem").path)),
            ("caFile", SDKConfiguration(domain: "example.com", caFile: notPEM.path)),
            ("sandboxDomain", SDKConfiguration(domain: "example.com", sandboxDomain: "a b")),
            ("requestTimeout", SDKConfiguration(domain: "example.com", requestTimeout: .zero)),
            ("trustedSignalServers", SDKConfiguration(domain: "example.com", trustedSignalServers: ["https://x.example"])),
            ("resource", SDKConfiguration(domain: "example.com", resource: "")),
            ("resource", SDKConfiguration(domain: "example.com", resource: "bell\u{07}")),
            ("resource", SDKConfiguration(domain: "example.com", resource: String(repeating: "r", count: 1024))),
            ("maxImageBytes", SDKConfiguration(domain: "example.com", maxImageBytes: 0)),
            ("maxImageBytes", SDKConfiguration(domain: "example.com", maxImageBytes: -5)),
        ]
        for (field, configuration) in cases {
            let sdk = SDK()
            await Support.expectError(400) { try await sdk.initialize(configuration: configuration) }
            do { try await sdk.initialize(configuration: configuration) } catch let error as SDKError {
                #expect(error.parameter == "configuration.\(field)", "\(error)")
                #expect(error.message.hasPrefix("Invalid parameter configuration.\(field): "), "\(error)")
            }
            // Nothing was stored: the SDK is still uninitialized.
            await Support.expectError(405, "SDK Not Initialized") { try await sdk.setMediaEncryption(enabled: true) }
        }

        // Valid edge values, and the two sandbox spellings disagreeing (either one selects the sandbox).
        for configuration in [
            SDKConfiguration(domain: "Example.COM", host: "127.0.0.1", port: 65535, resource: "tablet ☕", maxImageBytes: 1),
            SDKConfiguration(domain: "example.com", host: "::1", maxImageBytes: Int.max),
            SDKConfiguration(domain: "example.com", host: "[::1]", isSandbox: true, isTrialLicenseKey: false),
            SDKConfiguration(domain: "example.com", isSandbox: false, isTrialLicenseKey: true),
        ] {
            let sdk = SDK()
            #expect(try await sdk.initialize(configuration: configuration).statusCode == 200)
        }
        let sdk = SDK()
        try await sdk.initialize(configuration: SDKConfiguration(domain: "Example.COM", isSandbox: false, isTrialLicenseKey: true))
        #expect(try await sdk.accountJID("bob", parameter: "username", configuration: sdk.requireConfiguration()).description
            == "bob@sandbox.example.com")
    }

    @Test("resource is the bound JID's resource; getCurrentUserJid stays bare", arguments: ["prosody", "ejabberd"])
    func resourceIsBound(serverName: String) async throws {
        let server = try Servers.server(serverName)
        let resource = "conf-\(StanzaID.make().prefix(8))"
        var configuration = try Support.configuration(server)
        configuration.resource = resource
        let sdk = SDK()
        try await sdk.initialize(configuration: configuration)
        let name = Support.username()
        _ = try await sdk.register(userIdentifier: name, autoLogin: true)
        let bound = try #require(await sdk.client?.boundJID)
        #expect(bound.description == "\(name)@\(server.domain)/\(resource)")
        #expect(try await sdk.getCurrentUserJid().userJid == "\(name)@\(server.domain)")
        #expect(await sdk.client?.configuration.reconnect == ReconnectPolicy())

        // Without one, the login binds a generated xmppkit-XXXXXXXX resource.
        let other = try await Support.initialized(server)
        _ = try await other.register(userIdentifier: Support.username(), autoLogin: true)
        let generated = try #require(await other.client?.boundJID?.resourcepart)
        #expect(generated.hasPrefix("xmppkit-") && generated.count == 16, "\(generated)")
        try await sdk.deleteMyAccount(reason: "test over")
        try await other.deleteMyAccount(reason: "test over")
    }

    @Test("reconnect false: the logged-in client has no reconnect policy", arguments: ["prosody", "ejabberd"])
    func reconnectOff(serverName: String) async throws {
        let server = try Servers.server(serverName)
        var configuration = try Support.configuration(server)
        configuration.reconnect = false
        let sdk = SDK()
        try await sdk.initialize(configuration: configuration)
        _ = try await sdk.register(userIdentifier: Support.username(), autoLogin: true)
        let client = try #require(await sdk.client)
        #expect(client.configuration.reconnect == nil)
        try await sdk.deleteMyAccount(reason: "test over")
    }

    @Test("maxImageBytes below the 64x64 PNG's size: the file and the same image as a URL are 400 naming image",
          arguments: ["prosody", "ejabberd"])
    func imageLimit(serverName: String) async throws {
        let server = try Servers.server(serverName)
        let small = try Fixtures.bytes("images/small-64x64.png")
        let url = try await ProfileImageURLTests.servedImageURL(on: server)
        var configuration = try Support.configuration(server)
        configuration.maxImageBytes = small.count - 1
        let sdk = SDK()
        try await sdk.initialize(configuration: configuration)
        _ = try await sdk.register(userIdentifier: Support.username(), autoLogin: true)
        let path = ProfileSDKMediaIntegrationTests.imagePath("small-64x64.png")
        for image in [ProfileImage.file(path), .url(url)] {
            do {
                _ = try await sdk.setUserProfile(name: "Alice", image: image, status: "", mobileNumber: "", email: "")
                Issue.record("\(image): expected 400")
            } catch let error as SDKError {
                #expect(error.statusCode == 400 && error.parameter == "image", "\(error)")
                #expect(error.message.contains("limit of \(small.count - 1)"), "\(error)")
            }
        }
        // At exactly its size it is accepted.
        configuration.maxImageBytes = small.count
        try await sdk.logout()
        try await sdk.initialize(configuration: configuration)
        let token = try #require(await sdk.storedToken)
        try await sdk.login(username: try #require(try JID(token.jid).localpart), password: "")
        let stored = try #require(try await sdk.setUserProfile(name: "Alice", image: .file(path), status: "", mobileNumber: "", email: "").data)
        #expect(stored.image.hasPrefix("http"))
        try await sdk.deleteMyAccount(reason: "test over")
    }

    @Test("mediaEncryption true: an uploaded image's URL is an aesgcm link from the first call", arguments: ["prosody", "ejabberd"])
    func mediaEncryptionOn(serverName: String) async throws {
        let server = try Servers.server(serverName)
        var configuration = try Support.configuration(server)
        configuration.mediaEncryption = true
        let sdk = SDK()
        try await sdk.initialize(configuration: configuration)
        _ = try await sdk.register(userIdentifier: Support.username(), autoLogin: true)
        let path = ProfileSDKMediaIntegrationTests.imagePath("small-64x64.png")
        let stored = try #require(try await sdk.setUserProfile(name: "Alice", image: .file(path), status: "", mobileNumber: "", email: "").data)
        #expect(stored.image.hasPrefix("aesgcm+http://") || stored.image.hasPrefix("aesgcm://"), "\(stored.image)")
        #expect(try await HTTPUploadModule().download(stored.image) == (try Fixtures.bytes("images/small-64x64.png")))
        try await sdk.deleteMyAccount(reason: "test over")
    }
}
