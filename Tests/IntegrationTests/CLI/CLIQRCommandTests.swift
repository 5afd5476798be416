import Foundation
import TestSupport
import Testing

/// `xmppkit qr show` and `xmppkit qr scan` (issue 7 §7): QR login between two processes, the code
/// read back from the PNG with zbarimg as a phone's camera would.
@Suite("xmppkit qr show / qr scan between two processes")
struct CLIQRCommandTests {
    /// What `zbarimg --raw -q` reads from `path`; nil while the file is missing or not (yet) a readable code.
    static func decode(_ path: String) throws -> String? {
        guard let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > 0 else { return nil }
        let result = try Subprocess.run(["zbarimg", "--raw", "-q", path])
        guard result.status == 0 else { return nil }
        var text = String(decoding: result.output, as: UTF8.self)
        if text.hasSuffix("\n") { text.removeLast() }
        return text.isEmpty ? nil : text
    }

    @Test("qr show --png in one process, qr scan of the decoded PNG in another: the new profile holds the session",
          arguments: ["prosody", "ejabberd"])
    func showAndScan(serverName: String) async throws {
        let home = CLITests.makeHome()
        defer { try? FileManager.default.removeItem(atPath: home) }
        let user = try await CLITests.register(serverName, home: home)
        try await CLITests.login(user, profile: "phone", server: serverName, home: home)
        let png = home + "/code.png"

        // The new device. Standard output only: it must be exactly the one JSON line.
        let arguments = ["qr", "show", "--png", png, "--signal-server", try CLIQRLoginTests.signalServer(), "--profile", "browser"]
            + (try CLITests.connection(serverName))
        let browser = try Subprocess([CLITests.binary] + arguments, environment: ["XDG_CONFIG_HOME": home],
                                     directory: CLITests.repository.path, mergeErrors: false)
        defer { browser.kill() }
        browser.closeInput()
        var qrString: String?
        let deadline = ContinuousClock.now + .seconds(60)
        while qrString == nil, browser.exitStatusIfExited() == nil, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            qrString = try Self.decode(png)
        }
        let code = try #require(qrString, "no readable code in \(png): \(String(decoding: browser.output, as: UTF8.self))")
        #expect(code.hasPrefix("xmppkit-qr-login:0?"), "\(code)")

        let scan = try await CLITests.run(["qr", "scan", code, "--profile", "phone"], home: home)
        #expect(scan.status == 0 && scan.statusCode == 200, "\(scan.stdout)")
        #expect(scan.stdout.split(separator: "\n").count == 1, "\(scan.stdout)")

        while browser.exitStatusIfExited() == nil, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        let status = try #require(browser.exitStatusIfExited(), "qr show did not end")
        #expect((status >> 8) & 0xff == 0)
        var output = String(decoding: browser.output, as: UTF8.self)
        for _ in 0..<100 where !output.hasSuffix("\n") {
            try await Task.sleep(for: .milliseconds(20))
            output = String(decoding: browser.output, as: UTF8.self)
        }
        #expect(output.split(separator: "\n").count == 1, "qr show printed more than one line on stdout: \(output)")
        let json = try CLITests.Run(status: 0, stdout: output).json
        #expect(json["statusCode"] as? Int == 200, "\(output)")
        #expect(json["username"] as? String == user.username)

        // The browser profile now logs in by itself with the token it received.
        let domain = try Servers.server(serverName).domain
        let jid = try await CLITests.run(["sdk", "getCurrentUserJid", "--profile", "browser"], home: home)
        #expect(jid.status == 0, "\(jid.stdout)")
        #expect(try jid.json["userJid"] as? String == "\(user.username)@\(domain)")

        // The code is used up.
        let replay = try await CLITests.run(["qr", "scan", code, "--profile", "phone"], home: home)
        #expect(replay.status == 1, "\(replay.stdout)")
        #expect(replay.statusCode.map { (400..<600).contains($0) } == true, "\(replay.stdout)")

        let deleted = try await CLITests.run(["sdk", "deleteMyAccount", "--reason", "test", "--profile", "phone"], home: home)
        #expect(deleted.status == 0, "\(deleted.stdout)")
    }

    @Test("qr scan of a string that is no login code: exit 1 and one JSON line, 400 naming qrString",
          arguments: ["prosody", "ejabberd"])
    func badString(serverName: String) async throws {
        let home = CLITests.makeHome()
        defer { try? FileManager.default.removeItem(atPath: home) }
        let user = try await CLITests.register(serverName, home: home)
        try await CLITests.login(user, profile: "phone", server: serverName, home: home)

        for bad in ["not a login code", "xmppkit-qr-login:0?jid=x", "https://example.com/"] {
            let scan = try await CLITests.run(["qr", "scan", bad, "--profile", "phone"], home: home)
            #expect(scan.status == 1, "\(bad): \(scan.stdout)")
            #expect(scan.stdout.split(separator: "\n").count == 1, "\(bad): \(scan.stdout)")
            #expect(scan.statusCode == 400, "\(bad): \(scan.stdout)")
            #expect(try scan.json["parameter"] as? String == "qrString", "\(bad): \(scan.stdout)")
        }
        // Usage errors are not SDK calls: exit 64, nothing on stdout.
        let both = try await CLITests.run(["qr", "show", "--png", home + "/a.png", "--svg", home + "/a.svg", "--profile", "x"], home: home)
        #expect(both.status == 64)
        #expect(both.stdout.isEmpty, "\(both.stdout)")
        let missing = try await CLITests.run(["qr", "scan", "--profile", "phone"], home: home)
        #expect(missing.status == 64)

        let deleted = try await CLITests.run(["sdk", "deleteMyAccount", "--reason", "test", "--profile", "phone"], home: home)
        #expect(deleted.status == 0, "\(deleted.stdout)")
    }
}
