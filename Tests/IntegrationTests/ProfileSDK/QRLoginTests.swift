import Foundation
@testable import ProfileSDK
import Synchronization
import TestSupport
import Testing
import XMPPClient
import XMPPCore
import XMPPCrypto

/// QR login (Specs/qr-login.md): the §7.4 vector, the §4 grammar, and full logins between two
/// SDK instances over the local Prosody's anonymous host (WebSocket), with the §8.1 refusals.
@Suite("QR login")
struct QRLoginTests {
    static func hex(_ text: String) -> [UInt8] {
        let digits = Array(text.filter { !$0.isWhitespace })
        return stride(from: 0, to: digits.count, by: 2).compactMap { UInt8(String(digits[$0..<($0 + 2)]), radix: 16) }
    }

    static let q = hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb")
    static let e = hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
    static let nonce = hex("000102030405060708090a0b0c0d0e0f")
    static let exp = 1767225720
    static let jNew = "9b2f6c1e-4d3a-4f8b-a5e7-0c1d2e3f4a5b@anon.localhost/qr1"
    static let jScan = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d@anon.localhost/scan1"
    static let combined = hex("""
        b13b70cdef03139aa6925a3b0e21592820d1d074a69416c510342c672e3600b76bf4429083f124c5
        bf480b045d25e5a1b13dc0dc6cd14dc781100f770a41c785e873f970cf19c11b770b72814989a96153
        b901beb18156b5eff466bc56678eded5a5e4ae54538553902b5e8fc0ac8389
        """)
    static let plaintext = #"{"v":0,"username":"alice","userJid":"alice@localhost","userToken":"XKT1.eyJleGFtcGxlIjp0cnVlfQ"}"#

    @Test("§7.4 test vector: Z, K, AAD and C ‖ T reproduced; the negative checks fail the tag")
    func vector() throws {
        let newDevice = try X25519.PrivateKey(rawRepresentation: Self.q)
        let scanner = try X25519.PrivateKey(rawRepresentation: Self.e)
        #expect(Base64URL.encode(newDevice.publicKey.rawRepresentation) == "3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08")
        #expect(Base64URL.encode(scanner.publicKey.rawRepresentation) == "hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo")
        let z = try #require(QRLoginCrypto.sharedSecret(scanner, newDevice.publicKey.rawRepresentation))
        #expect(z == Self.hex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"))
        #expect(QRLoginCrypto.sharedSecret(newDevice, scanner.publicKey.rawRepresentation) == z)
        let key = try QRLoginCrypto.key(sharedSecret: z, nonce: Self.nonce, scannerKey: scanner.publicKey.rawRepresentation,
                                        newDeviceKey: newDevice.publicKey.rawRepresentation)
        #expect(key == Self.hex("6c35c33883cf71baff395ed28e6bb47d687dbdf7d584e5a2ece70c1d52d6dd4d"))
        let aad = QRLoginCrypto.aad(newDevice: try JID(Self.jNew), scanner: try JID(Self.jScan), nonce: Self.nonce, exp: Self.exp)
        #expect(aad.count == 180)
        #expect(aad == Self.hex("""
            00000016 75726e3a786d70706b69743a71722d6c6f67696e3a30
            00000037 39623266366331652d346433612d346638622d613565372d3063316432653366346135624061
                     6e6f6e2e6c6f63616c686f73742f717231
            00000039 31613262336334642d356536662d346137622d386339642d3065316632613362346335644061
                     6e6f6e2e6c6f63616c686f73742f7363616e31
            00000010 000102030405060708090a0b0c0d0e0f
            0000000a 31373637323235373230
            """))
        let iv = Self.hex("000102030405060708090a0b")
        let sealed = try AESGCM.seal(Array(Self.plaintext.utf8), key: key, nonce: iv, authenticating: aad)
        #expect(sealed.combined == Self.combined)
        #expect(Base64URL.encode(sealed.combined) == "sTtwze8DE5qmklo7DiFZKCDR0HSmlBbFEDQsZy42ALdr9EKQg_Ekxb9ICwRdJeWhsT3A3GzRTceBEA93CkHHhehz-XDPGcEbdwtygUmJqWFTuQG-sYFWte_0ZrxWZ47e1aXkrlRThVOQK16PwKyDiQ")
        #expect(try AESGCM.open(combined: Self.combined, key: key, nonce: iv, authenticating: aad) == Array(Self.plaintext.utf8))
        // Negative checks: scan2 in the AAD, any flipped bit, exp + 1.
        let scan2 = QRLoginCrypto.aad(newDevice: try JID(Self.jNew), scanner: try JID(String(Self.jScan.dropLast()) + "2"), nonce: Self.nonce, exp: Self.exp)
        #expect(throws: (any Error).self) { try AESGCM.open(combined: Self.combined, key: key, nonce: iv, authenticating: scan2) }
        let later = QRLoginCrypto.aad(newDevice: try JID(Self.jNew), scanner: try JID(Self.jScan), nonce: Self.nonce, exp: Self.exp + 1)
        #expect(throws: (any Error).self) { try AESGCM.open(combined: Self.combined, key: key, nonce: iv, authenticating: later) }
        for bit in stride(from: 0, to: Self.combined.count * 8, by: 37) {
            var flipped = Self.combined
            flipped[bit / 8] ^= 1 << (bit % 8)
            #expect(throws: (any Error).self) { try AESGCM.open(combined: flipped, key: key, nonce: iv, authenticating: aad) }
        }
        // A low-order Q (RFC 7748 §6.1: the all-zero shared secret) is refused.
        for point in [[UInt8](repeating: 0, count: 32), [1] + [UInt8](repeating: 0, count: 31)] {
            #expect(QRLoginCrypto.sharedSecret(scanner, point) == nil)
        }
    }

    static let example = "xmppkit-qr-login:0?jid=9b2f6c1e-4d3a-4f8b-a5e7-0c1d2e3f4a5b@anon.localhost/qr1&key=3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08&nonce=AAECAwQFBgcICQoLDA0ODw&exp=1767225720&ws=ws://127.0.0.1:5280/xmpp-websocket"

    @Test("§4: the example round-trips; each row of the §4.2 table is refused with its message")
    func grammar() throws {
        let now = Self.exp - 60
        let parsed = try QRLoginPayload(parsing: Self.example, now: now)
        #expect(parsed.string == Self.example)
        #expect(parsed.jid.description == Self.jNew && parsed.exp == Self.exp && parsed.nonce == Self.nonce)
        let odd = QRLoginPayload(jid: try JID("ü+x@anon.localhost/r 1"), key: parsed.key, nonce: parsed.nonce, exp: Self.exp, ws: "wss://h/x?a=b")
        #expect(odd.string.utf8.allSatisfy { $0 < 0x80 })
        #expect(try QRLoginPayload(parsing: odd.string, now: now) == odd)

        func refused(_ text: String, _ status: Int, _ message: String, now: Int = Self.exp - 60, sourceLocation: SourceLocation = #_sourceLocation) {
            do {
                _ = try QRLoginPayload(parsing: text, now: now)
                Issue.record("accepted \(text)", sourceLocation: sourceLocation)
            } catch {
                #expect(error.statusCode == status && error.message == message, "\(error)", sourceLocation: sourceLocation)
            }
        }
        let example = Self.example
        refused("https://example.com", 400, "Invalid QR Code: not an XMPPKit QR-login code")
        refused(example.replacingOccurrences(of: "login:0?", with: "login:1?"), 400, "Unsupported QR Code Version")
        refused(example + "&" + String(repeating: "x", count: 400), 400, "Invalid QR Code: longer than 512 characters")
        refused(example.replacingOccurrences(of: "qr1", with: "qr 1"), 400, "Invalid QR Code: not printable ASCII without white space")
        refused(example.replacingOccurrences(of: "qr1", with: "qré"), 400, "Invalid QR Code: not printable ASCII without white space")
        let fields = "Invalid QR Code: fields must be exactly jid, key, nonce, exp, ws"
        refused(example.replacingOccurrences(of: "&exp=1767225720", with: ""), 400, fields)
        refused(example + "&x=1", 400, fields)
        refused(example.replacingOccurrences(of: "&exp=1767225720", with: "&exp=1767225720&exp=1767225720"), 400, fields)
        refused(example.replacingOccurrences(of: "nonce=AAECAwQFBgcICQoLDA0ODw&exp=1767225720", with: "exp=1767225720&nonce=AAECAwQFBgcICQoLDA0ODw"),
                400, fields + " in this order")
        refused(example.replacingOccurrences(of: "/qr1", with: "/qr%G1"), 400, "Invalid QR Code: jid")
        refused(example.replacingOccurrences(of: "/qr1", with: ""), 400, "Invalid QR Code: jid")
        refused(example.replacingOccurrences(of: "9b2f6c1e-4d3a-4f8b-a5e7-0c1d2e3f4a5b@", with: ""), 400, "Invalid QR Code: jid")
        refused(example.replacingOccurrences(of: "IK08", with: "IK0"), 400, "Invalid QR Code: key")
        refused(example.replacingOccurrences(of: "IK08", with: "IK0="), 400, "Invalid QR Code: key")
        refused(example.replacingOccurrences(of: "Dw&", with: "D&"), 400, "Invalid QR Code: nonce")
        refused(example.replacingOccurrences(of: "Dw&", with: "D+&"), 400, "Invalid QR Code: nonce")
        refused(example.replacingOccurrences(of: "exp=1767225720", with: "exp=01767225720"), 400, "Invalid QR Code: exp")
        refused(Self.example, 400, "Invalid QR Code: exp", now: Self.exp - 151)
        refused(example.replacingOccurrences(of: "ws://", with: "http://"), 400, "Invalid QR Code: ws")
        refused(Self.example, 401, "QR Code Expired", now: Self.exp + 31)
        _ = try QRLoginPayload(parsing: Self.example, now: Self.exp + 30)
        _ = try QRLoginPayload(parsing: Self.example, now: Self.exp - 150)
    }

    // MARK: - Against Prosody's anonymous host

    static var anonDomain: String { ProcessInfo.processInfo.environment["PROSODY_ANON_DOMAIN"] ?? "anon.prosody.test" }

    static func signalServer() -> String {
        let environment = ProcessInfo.processInfo.environment
        let url = environment["PROSODY_WS_URL"] ?? "ws://127.0.0.1:5280/xmpp-websocket"
        return url + "?domain=" + (environment["PROSODY_ANON_DOMAIN"] ?? "anon.prosody.test")
    }

    final class Collected: Sendable {
        let results = Mutex<[QRLoginResult]>([])
        let listened = Mutex<[QRLoginResult]>([])

        func wait(for count: Int = 1) async throws -> [QRLoginResult] {
            for _ in 0..<600 {
                let current = results.withLock { $0 }
                if current.count >= count { return current }
                try await Task.sleep(for: .milliseconds(50))
            }
            Issue.record("no QR-login callback within 30 s")
            return results.withLock { $0 }
        }
    }

    /// The accounts live on `serverName`; the signal server is always Prosody's anonymous host.
    static func setUp(on serverName: String = "prosody", lifetime: Int = 120, expiryDelay: Duration? = nil) async throws -> (SDK, SDK, String, QRCodeData, Collected) {
        let server = try Servers.server(serverName)
        // Prosody's anonymous host is trusted by default only for prosody.test accounts (§10).
        var scannerConfiguration = try ProfileSDKIntegrationTests.configuration(server)
        if serverName != "prosody" { scannerConfiguration.trustedSignalServers = [server.domain, anonDomain] }
        let scanner = SDK()
        try await scanner.initialize(configuration: scannerConfiguration)
        let name = ProfileSDKIntegrationTests.username()
        _ = try await scanner.register(userIdentifier: name, autoLogin: true)
        let collected = Collected()
        let newDevice = try await ProfileSDKIntegrationTests.initialized(server, listeners: SDKListeners(qrLoginListener: { result in
            collected.listened.withLock { $0.append(result) }
        }))
        let code = try await newDevice.generateQrCode(output: .terminal, logo: nil, signalServer: signalServer(), lifetime: lifetime,
                                                      expiryDelay: expiryDelay) { result in
            collected.results.withLock { $0.append(result) }
        }
        let data = try #require(code.data)
        return (scanner, newDevice, "\(name)@\(server.domain)", data, collected)
    }

    @Test("A full QR login between two SDK instances (accounts on each server, signal server Prosody's anonymous host); the scanner refuses a second send of the same code (409)",
          arguments: ["prosody", "ejabberd"])
    func fullLogin(serverName: String) async throws {
        let (scanner, newDevice, scannerJID, code, collected) = try await Self.setUp(on: serverName)
        #expect(code.terminal?.isEmpty == false)
        let parsed = try QRLoginPayload(parsing: code.qrString, now: SDK.now())
        #expect(parsed.jid.domainpart == ProcessInfo.processInfo.environment["PROSODY_ANON_DOMAIN"])
        #expect(try QRCode(payload: code.qrString).png().count > 100)

        let response = try await scanner.loginWebChatViaQRCode(qrString: code.qrString)
        #expect(response.statusCode == 200)
        let results = try await collected.wait()
        #expect(results.count == 1)
        let result = try #require(results.first)
        #expect(result.statusCode == 200 && result.message == "Login Success" && result.event == "loggedIn")
        #expect(result.userJid == scannerJID)
        #expect(result.username == scannerJID.split(separator: "@").first.map(String.init))
        #expect(result.password == nil)
        #expect(collected.listened.withLock { $0 } == results)
        let json = String(decoding: try JSONEncoder().encode(result), as: UTF8.self)
        #expect(json.contains("\"password\":null"))
        #expect(try await newDevice.getCurrentUserJid().userJid == scannerJID)

        await ProfileSDKIntegrationTests.expectError(409, "QR Code Already Used") {
            _ = try await scanner.loginWebChatViaQRCode(qrString: code.qrString)
        }
        // Another scanner: the new device's anonymous session is gone → 404.
        try await Task.sleep(for: .seconds(1))
        let (other, otherNew, _, _, _) = try await Self.setUp(on: serverName)
        await ProfileSDKIntegrationTests.expectError(404, "QR Code Not Found") {
            _ = try await other.loginWebChatViaQRCode(qrString: code.qrString)
        }
        for sdk in [scanner, newDevice, other] { _ = try? await sdk.logout() }
        await otherNew.cancelPendingQRCode()
    }

    /// Sends a hand-made request from a fresh anonymous session, as a scanner or an attacker would.
    static func send(_ code: QRCodeData, from sdk: SDK, token: String = "XKT1.e30", tamper: (inout QRLoginRequest, JID) -> Void = { _, _ in },
                     plaintext: String? = nil) async throws -> SDKError? {
        let payload = try QRLoginPayload(parsing: code.qrString, now: SDK.now())
        let configuration = try await sdk.requireConfiguration()
        let client = try await sdk.connectAnonymously(server: .init(url: payload.ws, domain: payload.jid.domainpart),
                                                      configuration: configuration, modules: [])
        defer { Task { await client.disconnect() } }
        let scanner = try #require(await client.boundJID)
        let ephemeral = try X25519.PrivateKey()
        let z = try #require(QRLoginCrypto.sharedSecret(ephemeral, payload.key))
        let key = try QRLoginCrypto.key(sharedSecret: z, nonce: payload.nonce, scannerKey: ephemeral.publicKey.rawRepresentation, newDeviceKey: payload.key)
        let iv = try SecureRandom.bytes(count: 12)
        let body = plaintext ?? #"{"v":0,"username":"a","userJid":"a@b","userToken":"\#(token)"}"#
        let sealed = try AESGCM.seal(Array(body.utf8), key: key, nonce: iv,
                                     authenticating: QRLoginCrypto.aad(newDevice: payload.jid, scanner: scanner, nonce: payload.nonce, exp: payload.exp))
        var request = QRLoginRequest(nonce: Base64URL.encode(payload.nonce), sender: scanner.description,
                                     key: ephemeral.publicKey.rawRepresentation, iv: iv, payload: sealed.combined)
        tamper(&request, scanner)
        return try await send(IQ(.set, to: payload.jid, payload: request.element), on: client)
    }

    static func send(_ iq: IQ, on client: XMPPClient) async throws -> SDKError? {
        do {
            _ = try await client.send(iq)
            return nil
        } catch let error as StanzaError {
            return SDK.scannerError(error)
        }
    }

    /// Sends one valid request `copies` times at once (new ids), as a network replay would.
    static func send(_ code: QRCodeData, from sdk: SDK, plaintext: String, copies: Int) async throws -> [SDKError?] {
        let payload = try QRLoginPayload(parsing: code.qrString, now: SDK.now())
        let configuration = try await sdk.requireConfiguration()
        let client = try await sdk.connectAnonymously(server: .init(url: payload.ws, domain: payload.jid.domainpart),
                                                      configuration: configuration, modules: [])
        defer { Task { await client.disconnect() } }
        let scanner = try #require(await client.boundJID)
        let ephemeral = try X25519.PrivateKey()
        let z = try #require(QRLoginCrypto.sharedSecret(ephemeral, payload.key))
        let key = try QRLoginCrypto.key(sharedSecret: z, nonce: payload.nonce, scannerKey: ephemeral.publicKey.rawRepresentation, newDeviceKey: payload.key)
        let iv = try SecureRandom.bytes(count: 12)
        let sealed = try AESGCM.seal(Array(plaintext.utf8), key: key, nonce: iv,
                                     authenticating: QRLoginCrypto.aad(newDevice: payload.jid, scanner: scanner, nonce: payload.nonce, exp: payload.exp))
        let request = QRLoginRequest(nonce: Base64URL.encode(payload.nonce), sender: scanner.description,
                                     key: ephemeral.publicKey.rawRepresentation, iv: iv, payload: sealed.combined)
        let iqs = (0..<copies).map { _ in IQ(.set, to: payload.jid, payload: request.element) }
        // Started in order: the client writes them in order, and the new device's module handles them one at a time.
        var tasks: [Task<SDKError?, any Error>] = []
        for iq in iqs {
            tasks.append(Task { try await send(iq, on: client) })
            try await Task.sleep(for: .milliseconds(10))
        }
        var answers: [SDKError?] = []
        for task in tasks { answers.append(try await task.value) }
        return answers
    }

    @Test("Forged sender, malformed, unknown nonce and tampered requests are refused and the code stays valid; then a real scan logs in")
    func refusalsKeepTheCode() async throws {
        let (scanner, newDevice, scannerJID, code, collected) = try await Self.setUp()
        let forged = try await Self.send(code, from: scanner) { request, _ in request.sender = "someone@anon.example/x" }
        #expect(forged?.statusCode == 403 && forged?.message == "Feature Not Available: wrong sender")
        let malformed = try await Self.send(code, from: scanner) { request, _ in request.iv = [1, 2, 3] }
        #expect(malformed?.statusCode == 400 && malformed?.message == "Invalid QR Code: malformed")
        let unknown = try await Self.send(code, from: scanner) { request, _ in request.nonce = Base64URL.encode([UInt8](repeating: 7, count: 16)) }
        #expect(unknown?.statusCode == 404 && unknown?.message == "QR Code Not Found")
        let tampered = try await Self.send(code, from: scanner) { request, _ in request.payload[3] ^= 0x01 }
        #expect(tampered?.statusCode == 400 && tampered?.message == "Invalid QR Code: decryption-failed")
        let otherKey = try X25519.PrivateKey().publicKey.rawRepresentation
        let wrongKey = try await Self.send(code, from: scanner) { request, _ in request.key = otherKey }
        #expect(wrongKey?.statusCode == 400 && wrongKey?.message == "Invalid QR Code: decryption-failed")
        let oversized = try await Self.send(code, from: scanner) { request, _ in request.payload = [UInt8](repeating: 1, count: 5000) }
        #expect(oversized?.statusCode == 400 && oversized?.message == "Invalid QR Code: malformed")
        #expect(collected.results.withLock { $0.isEmpty })
        #expect(collected.listened.withLock { $0.map(\.reason) }
            == ["wrong-sender", "malformed", "unknown-nonce", "decryption-failed", "decryption-failed", "malformed"])

        _ = try await scanner.loginWebChatViaQRCode(qrString: code.qrString)
        let result = try #require(try await collected.wait().first)
        #expect(result.statusCode == 200 && result.userJid == scannerJID)
        for sdk in [scanner, newDevice] { _ = try? await sdk.logout() }
    }

    @Test("Replayed: the same valid request sent twice (a network replay, §8.3) logs in once; the copy is refused 409 replayed")
    func replayed() async throws {
        let (scanner, newDevice, scannerJID, code, collected) = try await Self.setUp()
        let token = try #require(await scanner.storedToken)
        let name = String(scannerJID.split(separator: "@").first ?? "")
        let body = #"{"v":0,"username":"\#(name)","userJid":"\#(scannerJID)","userToken":"\#(token.encoded)"}"#
        let answers = try await Self.send(code, from: scanner, plaintext: body, copies: 2)
        #expect(answers.count == 2)
        #expect(answers.first.map { $0 == nil } == true, "\(answers)")
        #expect(answers.last??.statusCode == 409 && answers.last??.message == "QR Code Already Used", "\(answers)")
        let result = try #require(try await collected.wait().first)
        #expect(result.statusCode == 200 && result.userJid == scannerJID)
        #expect(collected.listened.withLock { $0.map(\.event) } == ["loggedIn", "rejected"])
        for sdk in [scanner, newDevice] { _ = try? await sdk.logout() }
    }

    @Test("Expired: a code past its expiry is refused 401 by the new device; at expiry the callback gets 401 QR Code Expired")
    func expired() async throws {
        let (scanner, newDevice, _, code, collected) = try await Self.setUp(lifetime: -5, expiryDelay: .seconds(10))
        await ProfileSDKIntegrationTests.expectError(401, "QR Code Expired") {
            _ = try await scanner.loginWebChatViaQRCode(qrString: code.qrString)
        }
        #expect(collected.listened.withLock { $0.map(\.reason) } == ["expired"])
        let result = try #require(try await collected.wait().first)
        #expect(result.statusCode == 401 && result.message == "QR Code Expired" && result.event == "failed")
        for sdk in [scanner, newDevice] { _ = try? await sdk.logout() }
    }

    @Test("Checks 8 and 9 end the code: a malformed token, a token of another domain")
    func endingFailures() async throws {
        let (scanner, newDevice, _, code, collected) = try await Self.setUp()
        let malformed = try await Self.send(code, from: scanner, token: "nonsense")
        #expect(malformed?.statusCode == 400)
        let result = try #require(try await collected.wait().first)
        #expect(result.statusCode == 400 && result.message == "Invalid QR Code: malformed token")

        let (scanner2, newDevice2, _, code2, collected2) = try await Self.setUp()
        let foreign = SDKToken(jid: try JID("a@elsewhere.example"), credentials: try #require(await scanner2.storedToken).credentials)
        let wrong = try await Self.send(code2, from: scanner2, plaintext: #"{"v":0,"username":"a","userJid":"a@elsewhere.example","userToken":"\#(foreign.encoded)"}"#)
        #expect(wrong?.statusCode == 400 && wrong?.message == "Invalid QR Code: token for another domain")
        let result2 = try #require(try await collected2.wait().first)
        #expect(result2.statusCode == 400 && result2.message == "Invalid QR Code: token for another domain")
        for sdk in [scanner, newDevice, scanner2, newDevice2] { _ = try? await sdk.logout() }
    }

    @Test("Check 10: a token the XMPP server refuses (no such account) ends the code with 401 Token Expired")
    func tokenRefused() async throws {
        let (scanner, newDevice, scannerJID, code, collected) = try await Self.setUp()
        let domain = String(scannerJID.split(separator: "@").last ?? "")
        let ghost = "ghost\(ProfileSDKIntegrationTests.username())"
        let token = SDKToken(jid: try JID("\(ghost)@\(domain)"), credentials: try #require(await scanner.storedToken).credentials)
        let refused = try await Self.send(code, from: scanner, plaintext: #"{"v":0,"username":"\#(ghost)","userJid":"\#(ghost)@\#(domain)","userToken":"\#(token.encoded)"}"#)
        #expect(refused?.statusCode == 401 && refused?.message == "Token Expired")
        let result = try #require(try await collected.wait().first)
        #expect(result.statusCode == 401 && result.message == "Token Expired" && result.event == "failed")
        await ProfileSDKIntegrationTests.expectError(405, "Not Logged In") { _ = try await newDevice.getCurrentUserJid() }
        _ = try? await scanner.logout()
    }

    @Test("generateQrCode writes a PNG (with a logo) and an SVG; the PNG decodes with zbarimg to qrString")
    func files() async throws {
        let server = try Servers.server("prosody")
        let sdk = try await ProfileSDKIntegrationTests.initialized(server)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("qr-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let logoPath = directory.appendingPathComponent("logo.png").path
        let logo = QRRenderingTests.logo
        try Data(PNGWriter.encode(width: logo.width, height: logo.height, colour: .rgb, pixels: logo.rgb)).write(to: URL(fileURLWithPath: logoPath))
        let pngPath = directory.appendingPathComponent("q.png").path
        let code = try #require(try await sdk.generateQrCode(output: .png(pngPath), logo: logoPath, signalServer: Self.signalServer()).data)
        let png = try Array(Data(contentsOf: URL(fileURLWithPath: pngPath)))
        #expect(try QRRenderingTests.zbarDecode(png) == code.qrString)
        let svgPath = directory.appendingPathComponent("q.svg").path
        let second = try #require(try await sdk.generateQrCode(output: .svg(svgPath), signalServer: Self.signalServer()).data)
        #expect(second.qrString != code.qrString)
        #expect(String(decoding: try Data(contentsOf: URL(fileURLWithPath: svgPath)), as: UTF8.self).hasPrefix("<?xml"))
        let notImage = directory.appendingPathComponent("logo.txt").path
        try Data("text".utf8).write(to: URL(fileURLWithPath: notImage))
        await ProfileSDKIntegrationTests.expectError(400) { _ = try await sdk.generateQrCode(logo: notImage, signalServer: Self.signalServer()) }
        await ProfileSDKIntegrationTests.expectError(400) { _ = try await sdk.generateQrCode(logo: "/dev/zero", signalServer: Self.signalServer()) }
        await sdk.cancelPendingQRCode()
    }

    @Test("A signal server host without SASL ANONYMOUS is refused 403 (§3)")
    func noAnonymous() async throws {
        let server = try Servers.server("prosody")
        let sdk = try await ProfileSDKIntegrationTests.initialized(server)
        let url = ProcessInfo.processInfo.environment["PROSODY_WS_URL"] ?? "ws://127.0.0.1:5280/xmpp-websocket"
        await ProfileSDKIntegrationTests.expectError(403, "Feature Not Available: anonymous login on the signal server (RFC 4505)") {
            _ = try await sdk.generateQrCode(signalServer: url + "?domain=" + server.domain)
        }
    }

    @Test("Bad parameters are 400 before any traffic; a logged-out scanner is 405")
    func parameters() async throws {
        let server = try Servers.server("prosody")
        let sdk = try await ProfileSDKIntegrationTests.initialized(server)
        await ProfileSDKIntegrationTests.expectError(400) { _ = try await sdk.generateQrCode(signalServer: "http://x/") }
        await ProfileSDKIntegrationTests.expectError(400) { _ = try await sdk.generateQrCode(signalServer: "ws://x/?domain=a%20b") }
        await ProfileSDKIntegrationTests.expectError(400) { _ = try await sdk.generateQrCode(output: .png("/nonexistent/q.png"), signalServer: Self.signalServer()) }
        await ProfileSDKIntegrationTests.expectError(400) { _ = try await sdk.generateQrCode(output: .png("/tmp/q.gif"), signalServer: Self.signalServer()) }
        await ProfileSDKIntegrationTests.expectError(405, "Not Logged In") { _ = try await sdk.loginWebChatViaQRCode(qrString: Self.example) }
    }
}
