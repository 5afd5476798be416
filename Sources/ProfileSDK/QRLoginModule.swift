import Foundation
import XMPPClient
import XMPPCore
import XMPPCrypto
import XMPPExtensions
import XMPPXML

/// The plaintext of a login request (Specs/qr-login.md §6).
struct QRLoginPlaintext: Sendable, Hashable, Codable {
    var v: Int
    var username: String
    var userJid: String
    var userToken: String
}

/// The new device's side of QR login on its anonymous signal-server session: answers the
/// `urn:xmppkit:qr-login:0` request with the ordered checks of Specs/qr-login.md §8.1.
///
/// Checks 1–7 refuse without ending the code (and report `rejected`); from check 8 the nonce is
/// consumed and `complete` decides checks 9–11 (the SDK's login with the token).
actor QRLoginModule: XMPPModule, ServerFeatureDetecting {
    nonisolated let features = [QRLoginCrypto.namespace]
    nonisolated let routes: [StanzaRoute] = [.iq("login", QRLoginCrypto.namespace)]

    /// What became of a request.
    enum Outcome: Sendable {
        /// Refused by checks 1–7; the code stays valid.
        case rejected(QRLoginRequest.Reason)
    }

    private var context = ModuleContext.unattached
    private var privateKey: X25519.PrivateKey?
    let publicKey: [UInt8]
    let nonce: [UInt8]
    let exp: Int
    private var consumed = false
    private let now: @Sendable () -> Int
    /// Checks 9–11 and the login; nil to answer `result`, else the error to answer.
    private let complete: @Sendable (QRLoginPlaintext?) async -> StanzaError?
    private let rejected: @Sendable (QRLoginRequest.Reason) async -> Void

    init(privateKey: X25519.PrivateKey, nonce: [UInt8], exp: Int, now: @escaping @Sendable () -> Int,
         rejected: @escaping @Sendable (QRLoginRequest.Reason) async -> Void,
         complete: @escaping @Sendable (QRLoginPlaintext?) async -> StanzaError?) {
        self.privateKey = privateKey
        self.publicKey = privateKey.publicKey.rawRepresentation
        self.nonce = nonce
        self.exp = exp
        self.now = now
        self.rejected = rejected
        self.complete = complete
    }

    func attach(_ context: ModuleContext) async { self.context = context }

    /// Always true: the protocol runs between two XMPPKit clients; the server only routes IQs.
    func isSupportedByServer() async throws -> Bool { true }

    /// Erases `q` (§7.1 step 3).
    func erase() { privateKey = nil }

    func handleRequest(_ request: IQ) async throws(StanzaError) -> IQ? {
        guard request.kind == .set else { return nil }
        let plaintext: QRLoginPlaintext?
        do throws(StanzaError) {
            plaintext = try await check(request)
        } catch {
            // Checks 1–7: refused, the code stays valid.
            if let reason = error.applicationCondition.flatMap({ QRLoginRequest.Reason(rawValue: $0.name) }) { await rejected(reason) }
            throw error
        }
        if let error = await complete(plaintext) { throw error }
        return request.makeResult()
    }

    /// Checks 1–8 in order; returns the plaintext, or nil when it is malformed (check 8: the
    /// nonce is consumed and `complete` ends the code).
    private func check(_ request: IQ) async throws(StanzaError) -> QRLoginPlaintext? {
        let own = try? await context.boundJID()
        // 1. sender
        let payloads = request.element.elements
        let sender = payloads.first?.attribute("sender")
        guard let own, let from = request.from, from.isFull, from.domainpart == own.domainpart,
              let sender, (try? JID(sender)) == from else {
            throw QRLoginRequest.error(.wrongSender)
        }
        // 2. structure
        guard payloads.count == 1, let element = payloads.first else { throw QRLoginRequest.error(.malformed, "one <login/> only") }
        let login = try QRLoginRequest(element: element)
        // 3. nonce known, 4. replay, 5. expiry
        guard Base64URL.decode(login.nonce) == nonce else { throw QRLoginRequest.error(.unknownNonce) }
        guard !consumed else { throw QRLoginRequest.error(.replayed) }
        guard now() <= exp else { throw QRLoginRequest.error(.expired) }
        // 6. key, 7. tag
        guard let privateKey else { throw QRLoginRequest.error(.expired) }
        guard let shared = QRLoginCrypto.sharedSecret(privateKey, login.key) else {
            throw QRLoginRequest.error(.malformed, "low-order key")
        }
        let aad = QRLoginCrypto.aad(newDevice: own, scanner: from, nonce: nonce, exp: exp)
        guard let key = try? QRLoginCrypto.key(sharedSecret: shared, nonce: nonce, scannerKey: login.key, newDeviceKey: publicKey),
              let plain = try? AESGCM.open(combined: login.payload, key: key, nonce: login.iv, authenticating: aad) else {
            throw QRLoginRequest.error(.decryptionFailed)
        }
        // Here N is consumed.
        consumed = true
        // 8. plaintext
        guard let decoded = try? JSONDecoder().decode(QRLoginPlaintext.self, from: Data(plain)), decoded.v == 0,
              let object = try? JSONSerialization.jsonObject(with: Data(plain)) as? [String: Any],
              Set(object.keys) == ["v", "username", "userJid", "userToken"],
              let token = SDKToken(encoded: decoded.userToken), token.jid == decoded.userJid,
              let jid = try? JID(decoded.userJid), jid.localpart == decoded.username, jid.resourcepart == nil else {
            return nil
        }
        return decoded
    }
}
