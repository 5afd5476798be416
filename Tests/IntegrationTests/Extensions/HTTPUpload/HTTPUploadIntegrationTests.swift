import Testing
import XMPPClient
import XMPPCore
import XMPPExtensions

/// HTTP file upload (XEP-0363) and XEP-0454 encryption against Prosody's `http_file_share` and
/// ejabberd's `mod_http_upload`, both serving plain http on loopback (Fixtures/servers/).
@Suite("HTTP upload against the real servers", .serialized)
struct HTTPUploadIntegrationTests {
    /// Both test servers are configured with a 16 MiB limit.
    static let configuredLimit = 16 * 1024 * 1024
    static let fiveMegabytes = 5 * 1024 * 1024

    private static func sample(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
    }

    @Test("§3: the upload service is found, with the configured max-file-size", arguments: ["prosody", "ejabberd"])
    func discovery(serverName: String) async throws {
        let server = try Servers.server(serverName)
        let (client, _) = try await TestAccounts.connectedClient(on: server, modules: [HTTPUploadModule()])
        let upload = try #require(await client.module(HTTPUploadModule.self))
        #expect(try await upload.isSupportedByServer())
        let service = try #require(try await upload.service())
        #expect(service.jid.description == "upload.\(server.domain)")
        #expect(service.maxFileSize == Self.configuredLimit)
        await client.disconnect()
    }

    @Test("A 5 MB file goes up and comes down byte for byte", arguments: ["prosody", "ejabberd"])
    func plainRoundTrip(serverName: String) async throws {
        let server = try Servers.server(serverName)
        let (client, _) = try await TestAccounts.connectedClient(on: server, modules: [HTTPUploadModule()])
        let upload = try #require(await client.module(HTTPUploadModule.self))
        let data = Self.sample(Self.fiveMegabytes, seed: 1)
        let url = try await upload.upload(data, filename: "five megabytes.bin", contentType: "application/octet-stream")
        #expect(url.hasPrefix("http://127.0.0.1:"))
        #expect(try await upload.download(url) == data)
        await client.disconnect()
    }

    @Test("A 5 MB file encrypted (XEP-0454): the service holds ciphertext and tag; the link decrypts to the original",
          arguments: ["prosody", "ejabberd"])
    func encryptedRoundTrip(serverName: String) async throws {
        let server = try Servers.server(serverName)
        let (client, _) = try await TestAccounts.connectedClient(on: server, modules: [HTTPUploadModule()])
        let upload = try #require(await client.module(HTTPUploadModule.self))
        let data = Self.sample(Self.fiveMegabytes, seed: 2)
        let link = try await upload.upload(data, filename: "secret.jpg", contentType: "image/jpeg", encrypted: true)
        // The servers hand out http URLs: XEP-0454 §3 keeps aesgcm:// for https, so XMPPKit's own scheme.
        #expect(link.hasPrefix("aesgcm+http://127.0.0.1:"))
        let parsed = try AESGCMURL(link)
        let stored = try await upload.httpClient.get(parsed.transportURL).body
        #expect(stored.count == data.count + 16)
        #expect(stored.prefix(4096) != data.prefix(4096))
        #expect(try await upload.download(link) == data)
        await client.disconnect()
    }

    @Test("A ciphertext with one byte flipped, and a link with a wrong key, are rejected", arguments: ["prosody", "ejabberd"])
    func tamperedAndWrongKey(serverName: String) async throws {
        let server = try Servers.server(serverName)
        let (client, _) = try await TestAccounts.connectedClient(on: server, modules: [HTTPUploadModule()])
        let upload = try #require(await client.module(HTTPUploadModule.self))
        let data = Self.sample(200_000, seed: 3)
        let link = try AESGCMURL(try await upload.upload(data, filename: "t.bin", encrypted: true))
        // The server's copy cannot be changed from here: download it, flip a byte, decrypt.
        var ciphertext = try await upload.httpClient.get(link.transportURL).body
        #expect(try MediaEncryption.decrypt(ciphertext, key: link.key, iv: link.iv) == data)
        ciphertext[ciphertext.count / 2] ^= 0x01
        #expect(throws: MediaEncryptionError.authenticationFailed) {
            try MediaEncryption.decrypt(ciphertext, key: link.key, iv: link.iv)
        }
        var key = link.key
        key[7] ^= 0x20
        let wrongKey = try AESGCMURL(transportURL: link.transportURL, iv: link.iv, key: key)
        await #expect(throws: MediaEncryptionError.authenticationFailed) {
            _ = try await upload.download(wrongKey.absoluteString)
        }
        var iv = link.iv
        iv[0] ^= 0x01
        let wrongIV = try AESGCMURL(transportURL: link.transportURL, iv: iv, key: link.key)
        await #expect(throws: MediaEncryptionError.authenticationFailed) {
            _ = try await upload.download(wrongIV.absoluteString)
        }
        await client.disconnect()
    }

    @Test("§5: a slot over the limit is file-too-large with the server's maximum; upload refuses it without asking",
          arguments: ["prosody", "ejabberd"])
    func fileTooLarge(serverName: String) async throws {
        let server = try Servers.server(serverName)
        let (client, _) = try await TestAccounts.connectedClient(on: server, modules: [HTTPUploadModule()])
        let upload = try #require(await client.module(HTTPUploadModule.self))
        let size = Self.configuredLimit + 1
        do {
            _ = try await upload.requestSlot(filename: "huge.bin", size: size, contentType: "application/octet-stream")
            Issue.record("\(serverName) gave a slot for \(size) bytes")
        } catch let error as HTTPUploadError {
            #expect(error == .fileTooLarge(size: size, maxFileSize: Self.configuredLimit), "\(serverName): \(error)")
        }
        await #expect(throws: HTTPUploadError.fileTooLarge(size: size, maxFileSize: Self.configuredLimit)) {
            _ = try await upload.upload([UInt8](repeating: 0, count: size), filename: "huge.bin")
        }
        await client.disconnect()
    }

    @Test("The HTTP service refuses a PUT whose length differs from the slot's (§6)", arguments: ["prosody", "ejabberd"])
    func lengthMismatch(serverName: String) async throws {
        let server = try Servers.server(serverName)
        let (client, _) = try await TestAccounts.connectedClient(on: server, modules: [HTTPUploadModule()])
        let upload = try #require(await client.module(HTTPUploadModule.self))
        let slot = try await upload.requestSlot(filename: "short.bin", size: 1000)
        let error = await #expect(throws: HTTPClientError.self) {
            _ = try await upload.httpClient.put(slot.putURL, headers: slot.putHeaders, body: .bytes([UInt8](repeating: 1, count: 999)))
        }
        #expect(error?.kind == .status, "\(serverName): \(String(describing: error))")
        await client.disconnect()
    }
}
