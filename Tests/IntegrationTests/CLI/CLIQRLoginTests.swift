import Foundation
import TestSupport
import Testing

/// QR login between two `xmppkit sdk` processes: one shows a code, another profile's session scans it.
@Suite("xmppkit sdk QR login between two processes")
struct CLIQRLoginTests {
    /// The local Prosody's anonymous WebSocket host (Specs/qr-login.md §2).
    static func signalServer() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        let url = try Servers.server("prosody").webSocketURL
        return url + "?domain=" + (environment["PROSODY_ANON_DOMAIN"] ?? "anon.prosody.test")
    }

    @Test("generateQrCode in one process, loginWebChatViaQRCode in another: the new profile holds the session",
          arguments: ["prosody", "ejabberd"])
    func qrLogin(serverName: String) async throws {
        let home = CLITests.makeHome()
        defer { try? FileManager.default.removeItem(atPath: home) }
        let user = try await CLITests.register(serverName, home: home)
        try await CLITests.login(user, profile: "phone", server: serverName, home: home)
        let svg = home + "/code.svg"

        // The new device: standard error (the QR string) merged in, to read the code as a user would.
        let arguments = ["sdk", "generateQrCode", "--signal-server", try Self.signalServer(), "--output", svg, "--profile", "browser"]
            + (try CLITests.connection(serverName))
        let browser = try Subprocess([CLITests.binary] + arguments, environment: ["XDG_CONFIG_HOME": home],
                                     directory: CLITests.repository.path, mergeErrors: true)
        defer { browser.kill() }
        browser.closeInput()
        var qrString: String?
        let deadline = ContinuousClock.now + .seconds(60)
        while qrString == nil, browser.exitStatusIfExited() == nil, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            let output = String(decoding: browser.output, as: UTF8.self)
            qrString = output.split(separator: "\n").first { $0.hasPrefix("QR string: ") }.map { String($0.dropFirst("QR string: ".count)) }
        }
        let code = try #require(qrString, "no QR string: \(String(decoding: browser.output, as: UTF8.self))")
        #expect(FileManager.default.fileExists(atPath: svg))

        let scan = try await CLITests.run(["sdk", "loginWebChatViaQRCode", "--qr-string", code, "--profile", "phone"], home: home)
        #expect(scan.status == 0 && scan.statusCode == 200, "\(scan.stdout)")

        while browser.exitStatusIfExited() == nil, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        let status = try #require(browser.exitStatusIfExited(), "generateQrCode did not end")
        #expect((status >> 8) & 0xff == 0)
        var output = String(decoding: browser.output, as: UTF8.self)
        for _ in 0..<100 where !output.hasSuffix("\n") {
            try await Task.sleep(for: .milliseconds(20))
            output = String(decoding: browser.output, as: UTF8.self)
        }
        let result = CLITests.Run(status: 0, stdout: output)
        let json = try result.json
        #expect(json["statusCode"] as? Int == 200, "\(output)")
        #expect(json["username"] as? String == user.username)

        // The browser profile now logs in by itself with the token it received.
        let domain = try Servers.server(serverName).domain
        let jid = try await CLITests.run(["sdk", "getCurrentUserJid", "--profile", "browser"], home: home)
        #expect(jid.status == 0, "\(jid.stdout)")
        #expect(try jid.json["userJid"] as? String == "\(user.username)@\(domain)")

        // A replayed code is refused.
        let replay = try await CLITests.run(["sdk", "loginWebChatViaQRCode", "--qr-string", code, "--profile", "phone"], home: home)
        #expect(replay.status == 1, "\(replay.stdout)")

        let deleted = try await CLITests.run(["sdk", "deleteMyAccount", "--reason", "test", "--profile", "phone"], home: home)
        #expect(deleted.status == 0, "\(deleted.stdout)")
    }
}
