import Foundation
import TestSupport
import Testing

/// `xmppkit sdk`'s `--resource` and `--max-image-bytes` (Specs/sdk/profile.json `cli.globalFlags`):
/// kept in the --profile, handed to `initialize`, invalid values its 400.
@Suite("xmppkit sdk --resource and --max-image-bytes")
struct CLIConfigurationFlagsTests {
    typealias CLI = CLITests

    /// The stored profile's JSON object.
    static func stored(_ path: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    }

    @Test("--max-image-bytes/--resource are kept in the profile; below the 64x64 PNG's size setUserProfile --image is 400 naming image; bad values are 400",
          arguments: ["prosody", "ejabberd"])
    func flags(serverName: String) async throws {
        let home = CLI.makeHome()
        defer { try? FileManager.default.removeItem(atPath: home) }
        let user = try await CLI.register(serverName, home: home)
        try await CLI.login(user, profile: "alice", server: serverName, home: home)
        let size = try Fixtures.bytes("images/small-64x64.png").count

        // A call that succeeds keeps the flags in the profile; later calls use them.
        let stored = try await CLI.run(["sdk", "getCurrentUserJid", "--profile", "alice",
                                        "--max-image-bytes", "\(size - 1)", "--resource", "cli-phone"], home: home)
        #expect(stored.status == 0 && stored.statusCode == 200, "\(stored.stdout)")
        let profilePath = home + "/xmppkit/profiles/alice.json"
        let profile = try Self.stored(profilePath)
        #expect(profile["resource"] as? String == "cli-phone" && profile["maxImageBytes"] as? Int == size - 1, "\(profile)")
        let refused = try await CLI.run(["sdk", "setUserProfile", "--name", "Alice", "--image", "Fixtures/images/small-64x64.png",
                                         "--profile", "alice"], home: home)
        #expect(refused.status == 1 && refused.statusCode == 400, "\(refused.stdout)")
        #expect(refused.stdout.contains("Invalid parameter image: ") && refused.stdout.contains("limit of \(size - 1)"), "\(refused.stdout)")
        let accepted = try await CLI.run(["sdk", "setUserProfile", "--name", "Alice", "--image", "Fixtures/images/small-64x64.png",
                                          "--profile", "alice", "--max-image-bytes", "\(size)"], home: home)
        #expect(accepted.status == 0 && accepted.statusCode == 200, "\(accepted.stdout)")

        for (flag, value, field) in [("--max-image-bytes", "0", "maxImageBytes"), ("--resource", "", "resource")] {
            let bad = try await CLI.run(["sdk", "getCurrentUserJid", "--profile", "alice", flag, value], home: home)
            #expect(bad.status == 1 && bad.statusCode == 400, "\(bad.stdout)")
            #expect(bad.stdout.contains("Invalid parameter configuration.\(field): "), "\(bad.stdout)")
        }
        // Refused values are not stored.
        let after = try Self.stored(profilePath)
        #expect(after["resource"] as? String == "cli-phone" && after["maxImageBytes"] as? Int == size, "\(after)")
        _ = try await CLI.run(["sdk", "deleteMyAccount", "--reason", "test", "--profile", "alice"], home: home)
    }
}
