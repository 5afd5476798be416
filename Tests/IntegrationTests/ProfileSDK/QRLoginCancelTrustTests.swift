import Foundation
@testable import ProfileSDK
import TestSupport
import Testing
import XMPPCore

/// QR login (Specs/qr-login.md): a waiting code is cancelled by logout and initialize (§8.1), and
/// the scanner sends its token only through a trusted signal server (§10).
@Suite("QR login: cancellation and trusted signal servers")
struct QRLoginCancelTrustTests {
    typealias QR = QRLoginTests

    @Test("§10 default: the configured domain and its subdomains; the WebSocket host must match too, or be the configured host")
    func defaultTrust() {
        let configuration = SDKConfiguration(domain: "prosody.test", host: "127.0.0.1")
        #expect(configuration.trustsSignalServer(domain: "anon.prosody.test", webSocketHost: "127.0.0.1"))
        #expect(configuration.trustsSignalServer(domain: "anon.prosody.test", webSocketHost: "ws.prosody.test"))
        #expect(configuration.trustsSignalServer(domain: "prosody.test", webSocketHost: "PROSODY.test"))
        #expect(configuration.trustsSignalServer(domain: "ANON.Prosody.Test", webSocketHost: "127.0.0.1"))
        // Another domain, a look-alike suffix, a foreign WebSocket host.
        #expect(!configuration.trustsSignalServer(domain: "anon.evil.example", webSocketHost: "127.0.0.1"))
        #expect(!configuration.trustsSignalServer(domain: "anonprosody.test", webSocketHost: "127.0.0.1"))
        #expect(!configuration.trustsSignalServer(domain: "prosody.test.evil.example", webSocketHost: "127.0.0.1"))
        #expect(!configuration.trustsSignalServer(domain: "anon.prosody.test", webSocketHost: "evil.example"))
        #expect(!configuration.trustsSignalServer(domain: "anon.prosody.test", webSocketHost: ""))
        // Without a configured host only the domains count.
        let noHost = SDKConfiguration(domain: "prosody.test")
        #expect(!noHost.trustsSignalServer(domain: "anon.prosody.test", webSocketHost: "127.0.0.1"))
        #expect(noHost.trustsSignalServer(domain: "anon.prosody.test", webSocketHost: "xmpp.prosody.test"))
        // The sandbox domain is trusted when selected.
        let sandbox = SDKConfiguration(domain: "example.com", isSandbox: true, sandboxDomain: "trial.example.net")
        #expect(sandbox.trustsSignalServer(domain: "anon.trial.example.net", webSocketHost: "trial.example.net"))
        #expect(sandbox.trustsSignalServer(domain: "anon.example.com", webSocketHost: "example.com"))
    }

    @Test("§10 explicit trustedSignalServers replace the default; [] trusts none; initialize refuses an entry that is not a domain (400)")
    func explicitTrust() async throws {
        var configuration = SDKConfiguration(domain: "ejabberd.test", host: "127.0.0.1", trustedSignalServers: ["anon.prosody.test"])
        #expect(configuration.trustsSignalServer(domain: "anon.prosody.test", webSocketHost: "127.0.0.1"))
        #expect(!configuration.trustsSignalServer(domain: "anon.ejabberd.test", webSocketHost: "127.0.0.1"))
        configuration.trustedSignalServers = []
        #expect(!configuration.trustsSignalServer(domain: "ejabberd.test", webSocketHost: "ejabberd.test"))
        let sdk = SDK()
        for bad in ["ws://anon.prosody.test/ws", "a b", "", "anon.prosody.test/x"] {
            await ProfileSDKIntegrationTests.expectError(400) {
                try await sdk.initialize(configuration: SDKConfiguration(domain: "ejabberd.test", trustedSignalServers: [bad]))
            }
        }
        try await sdk.initialize(configuration: SDKConfiguration(domain: "ejabberd.test", trustedSignalServers: ["anon.prosody.test", "127.0.0.1"]))
    }

    @Test("An untrusted signal server is refused 403 before any traffic, and the code stays valid for a trusting scanner",
          arguments: ["prosody", "ejabberd"])
    func untrustedRefused(serverName: String) async throws {
        // The code itself, from a new device on Prosody's anonymous host.
        let (prosodyScanner, newDevice, _, code, collected) = try await QR.setUp(on: "prosody")
        let server = try Servers.server(serverName)
        let scanner = try await ProfileSDKIntegrationTests.initialized(server)
        let name = ProfileSDKIntegrationTests.username()
        _ = try await scanner.register(userIdentifier: name, autoLogin: true)
        let payload = try QRLoginPayload(parsing: code.qrString, now: SDK.now())
        let nonce = Base64URL.encode(payload.nonce), key = Base64URL.encode(payload.key)
        // Same code, other JID domain or other WebSocket host: never trusted by default.
        let foreignDomain = "xmppkit-qr-login:0?jid=\(payload.jid.localpart ?? "x")@anon.evil.example/qr1&key=\(key)&nonce=\(nonce)&exp=\(payload.exp)&ws=\(payload.ws)"
        let foreignHost = "xmppkit-qr-login:0?jid=\(payload.jid)&key=\(key)&nonce=\(nonce)&exp=\(payload.exp)&ws=ws://evil.example:5280/xmpp-websocket"
        for qr in [foreignDomain, foreignHost] {
            await ProfileSDKIntegrationTests.expectError(403, "Signal Server Not Trusted") { _ = try await scanner.loginWebChatViaQRCode(qrString: qr) }
        }
        if serverName == "ejabberd" {
            // An ejabberd.test account does not trust prosody.test's anonymous host unless told to.
            await ProfileSDKIntegrationTests.expectError(403, "Signal Server Not Trusted") {
                _ = try await scanner.loginWebChatViaQRCode(qrString: code.qrString)
            }
        }
        // Nothing was sent: the code still works for the Prosody account that trusts it.
        #expect(try await prosodyScanner.loginWebChatViaQRCode(qrString: code.qrString).statusCode == 200)
        #expect(try await collected.wait().first?.statusCode == 200)
        for sdk in [scanner, prosodyScanner] { try await sdk.deleteMyAccount(reason: "test over") }
        _ = try? await newDevice.logout()
    }

    @Test("§8.1: logout and initialize cancel a waiting code: 405 QR Code Cancelled once (callback and listener), its anonymous session closed (a scan gets 404)",
          arguments: ["logout", "initialize"])
    func cancelled(by call: String) async throws {
        let (scanner, newDevice, _, code, collected) = try await QR.setUp(on: "prosody")
        let server = try Servers.server("prosody")
        switch call {
        case "logout":
            // Not logged in, but a code was waiting: logout cancels it and succeeds.
            #expect(try await newDevice.logout().statusCode == 200)
            await ProfileSDKIntegrationTests.expectError(405, "Not Logged In") { try await newDevice.logout() }
        default:
            try await newDevice.initialize(configuration: ProfileSDKIntegrationTests.configuration(server))
        }
        // The callback has run before the call returned.
        let results = collected.results.withLock { $0 }
        #expect(results.count == 1)
        #expect(results.first?.statusCode == 405 && results.first?.message == "QR Code Cancelled" && results.first?.event == "failed")
        #expect(collected.listened.withLock { $0 } == results)
        // The anonymous JID is gone: the signal server answers for it.
        await ProfileSDKIntegrationTests.expectError(404, "QR Code Not Found") {
            _ = try await scanner.loginWebChatViaQRCode(qrString: code.qrString)
        }
        #expect(collected.results.withLock { $0 }.count == 1, "exactly one callback")
        try await scanner.deleteMyAccount(reason: "test over")
    }
}
