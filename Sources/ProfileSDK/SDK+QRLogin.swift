import Foundation
import Logging
import Synchronization
import XMPPClient
import XMPPCore
import XMPPCrypto
import XMPPExtensions

/// QR login (Specs/qr-login.md): `generateQrCode` on the new device, `loginWebChatViaQRCode`
/// on the logged-in device; the two meet on an anonymous signal server.
extension SDK {
    /// Shows a QR code and waits (in the background) for a logged-in device to send its token;
    /// then logs in with it and calls `onLogin` and `qrLoginListener` exactly once (§9).
    ///
    /// Returns once the anonymous session is open and the code is rendered.
    public func generateQrCode(output: QRCodeOutput = .terminal, logo: String? = nil, signalServer: String,
                               onLogin: (@Sendable (QRLoginResult) -> Void)? = nil) async throws -> SDKResponse<QRCodeData> {
        try await generateQrCode(output: output, logo: logo, signalServer: signalServer, lifetime: QRLoginPayload.lifetime, onLogin: onLogin)
    }

    /// `generateQrCode` with a code lifetime in seconds (tests shorten it).
    func generateQrCode(output: QRCodeOutput, logo: String?, signalServer: String, lifetime: Int,
                        expiryDelay: Duration? = nil, onLogin: (@Sendable (QRLoginResult) -> Void)?) async throws -> SDKResponse<QRCodeData> {
        let configuration = try requireConfiguration()
        guard client == nil else { throw SDKError(statusCode: 405, message: "Already Logged In") }
        try Self.checkOutput(output)
        var decodedLogo: QRLogo?
        if let logo {
            // A regular file within the limit, so a FIFO or device cannot block or flood the read.
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: logo),
                  attributes[.type] as? FileAttributeType == .typeRegular else { throw SDKError.invalid("logo", "not a readable regular file") }
            if let size = attributes[.size] as? Int, size > QRLogo.maximumBytes {
                throw SDKError.invalid("logo", "\(size) bytes, more than the limit of \(QRLogo.maximumBytes)")
            }
            guard let bytes = FileManager.default.contents(atPath: logo) else { throw SDKError.invalid("logo", "not a readable file") }
            do { decodedLogo = try QRLogo(imageBytes: Array(bytes)) } catch { throw SDKError.invalid("logo", "\(error)") }
        }
        let server = try Self.signalServer(signalServer)
        await cancelPendingQRCode()
        // A logout or initialize while the session below opens cancels this code too.
        let epoch = QRLoginRegistry.state.withLock { $0[ObjectIdentifier(self)]?.epoch ?? 0 }

        let privateKey: X25519.PrivateKey
        let nonce: [UInt8]
        do {
            privateKey = try X25519.PrivateKey()
            nonce = try SecureRandom.bytes(count: 16)
        } catch {
            throw SDKError(statusCode: 500, message: "Internal Error: \(error)")
        }
        let exp = Self.now() + lifetime
        let id = ObjectIdentifier(self)
        let serial = QRLoginRegistry.nextSerial()
        let module = QRLoginModule(
            privateKey: privateKey, nonce: nonce, exp: exp, now: { Self.now() },
            rejected: { [weak self] reason in
                await self?.emit(.qrLogin(QRLoginResult(event: "rejected", statusCode: reason.statusCode,
                                                        message: Self.message(for: reason), reason: reason.rawValue)))
            },
            complete: { [weak self] plaintext in
                guard let self else { return StanzaError(.internalServerError, type: .wait) }
                return await self.completeQRLogin(plaintext, serial: serial)
            })
        let anonymous = try await connectAnonymously(server: server, configuration: configuration, modules: [module])
        guard QRLoginRegistry.state.withLock({ $0[ObjectIdentifier(self)]?.epoch ?? 0 }) == epoch else {
            await anonymous.disconnect()
            throw SDKError(statusCode: 405, message: "QR Code Cancelled")
        }
        guard let bound = await anonymous.boundJID else {
            await anonymous.disconnect()
            throw SDKError(statusCode: 500, message: "Connection Failed: no JID bound on the signal server")
        }
        let payload = QRLoginPayload(jid: bound, key: privateKey.publicKey.rawRepresentation, nonce: nonce, exp: exp, ws: server.url)
        let qrString = payload.string
        var data = QRCodeData(qrString: qrString, expiresAt: exp)
        do {
            let code = try QRCode(payload: qrString, logo: decodedLogo)
            switch output {
            case .terminal: data.terminal = code.terminal
            case .png(let path): try Data(code.png()).write(to: URL(fileURLWithPath: path))
            case .svg(let path): try Data(code.svg().utf8).write(to: URL(fileURLWithPath: path))
            }
        } catch {
            await anonymous.disconnect()
            throw SDKError(statusCode: 500, message: "Connection Failed: rendering failed: \(error)")
        }
        let expiry = Task { [weak self] in
            try? await Task.sleep(for: expiryDelay ?? .seconds(max(0, exp - Self.now()) + 1))
            guard !Task.isCancelled else { return }
            await self?.finishQRLogin(serial: serial, QRLoginResult(event: "failed", statusCode: 401, message: "QR Code Expired", reason: "expired"))
        }
        let (registered, displaced) = QRLoginRegistry.state.withLock { state -> (Bool, QRLoginRegistry.Pending?) in
            guard (state[id]?.epoch ?? 0) == epoch else { return (false, nil) }
            var entry = state[id, default: QRLoginRegistry.Entry()]
            // A concurrent generateQrCode that registered first is superseded by this one.
            let displaced = entry.pending
            entry.pending = QRLoginRegistry.Pending(serial: serial, client: anonymous, module: module, expiry: expiry, onLogin: onLogin)
            state[id] = entry
            return (true, displaced)
        }
        guard registered else {
            expiry.cancel()
            await anonymous.disconnect()
            throw SDKError(statusCode: 405, message: "QR Code Cancelled")
        }
        if let displaced { await cancel(displaced) }
        return SDKResponse(data: data)
    }

    /// Sends this session's token, encrypted to the code's key, to the new device (§5–§7.2) and
    /// reports its answer (§8.2).
    @discardableResult
    public func loginWebChatViaQRCode(qrString: String) async throws -> SDKResponse<NoData> {
        let configuration = try requireConfiguration()
        let session = try await requireClient()
        let payload = try QRLoginPayload(parsing: qrString.trimmingWhitespace, now: Self.now())
        // §10: the token goes only through a trusted signal server, checked before any traffic.
        guard configuration.trustsSignalServer(domain: payload.jid.domainpart, webSocketHost: URLComponents(string: payload.ws)?.host ?? "") else {
            throw SDKError(statusCode: 403, message: "Signal Server Not Trusted", parameter: "qrString")
        }
        guard let bound = await session.boundJID, let token = storedToken, token.jid == bound.bare.description,
              let username = bound.localpart else {
            throw SDKError.notSupported("SCRAM token")
        }
        let nonceText = Base64URL.encode(payload.nonce)
        let id = ObjectIdentifier(self)
        let now = Self.now()
        let fresh = QRLoginRegistry.state.withLock { state -> Bool in
            var entry = state[id, default: QRLoginRegistry.Entry()]
            entry.usedNonces = entry.usedNonces.filter { $0.value + QRLoginPayload.skew >= now }
            defer { state[id] = entry }
            guard entry.usedNonces[nonceText] == nil else { return false }
            entry.usedNonces[nonceText] = payload.exp
            return true
        }
        guard fresh else { throw SDKError(statusCode: 409, message: "QR Code Already Used") }

        let server = SignalServer(url: payload.ws, domain: payload.jid.domainpart)
        let anonymous = try await connectAnonymously(server: server, configuration: configuration, modules: [])
        defer { Task { await anonymous.disconnect() } }
        guard let scanner = await anonymous.boundJID else { throw SDKError(statusCode: 500, message: "Connection Failed: no JID bound") }
        let request: QRLoginRequest
        do {
            let ephemeral = try X25519.PrivateKey()
            guard let shared = QRLoginCrypto.sharedSecret(ephemeral, payload.key) else {
                throw SDKError(statusCode: 400, message: "Invalid QR Code: key", parameter: "qrString")
            }
            let scannerKey = ephemeral.publicKey.rawRepresentation
            let key = try QRLoginCrypto.key(sharedSecret: shared, nonce: payload.nonce, scannerKey: scannerKey, newDeviceKey: payload.key)
            let iv = try SecureRandom.bytes(count: 12)
            let aad = QRLoginCrypto.aad(newDevice: payload.jid, scanner: scanner, nonce: payload.nonce, exp: payload.exp)
            let plaintext = try JSONEncoder().encode(QRLoginPlaintext(v: 0, username: username, userJid: token.jid, userToken: token.encoded))
            let sealed = try AESGCM.seal(Array(plaintext), key: key, nonce: iv, authenticating: aad)
            request = QRLoginRequest(nonce: nonceText, sender: scanner.description, key: scannerKey, iv: iv, payload: sealed.combined)
        } catch let error as SDKError {
            throw error
        } catch {
            throw SDKError(statusCode: 500, message: "Internal Error: \(error)")
        }
        do {
            _ = try await anonymous.send(IQ(.set, id: "qr-" + StanzaID.make(), to: payload.jid, payload: request.element))
        } catch let error as StanzaError {
            throw Self.scannerError(error)
        } catch let error as XMPPClientError {
            if case .timeout = error.kind { throw SDKError(statusCode: 500, message: "Request Timed Out", condition: "\(error)") }
            throw SDKError(error)
        }
        return SDKResponse()
    }

    // MARK: - The new device

    /// Checks 9–11 and the login (§8.1), then the callback (§9).
    func completeQRLogin(_ plaintext: QRLoginPlaintext?, serial: Int) async -> StanzaError? {
        guard let plaintext, let token = SDKToken(encoded: plaintext.userToken), let jid = try? JID(token.jid) else {
            finishQRLogin(serial: serial, QRLoginResult(event: "failed", statusCode: 400, message: "Invalid QR Code: malformed token", reason: "malformed"))
            return QRLoginRequest.error(.malformed)
        }
        guard let configuration = try? requireConfiguration(),
              [configuration.domain, configuration.accountDomain].contains(jid.domainpart) else {
            finishQRLogin(serial: serial, QRLoginResult(event: "failed", statusCode: 400, message: "Invalid QR Code: token for another domain",
                                                        reason: "wrong-domain"))
            return QRLoginRequest.error(.wrongDomain)
        }
        let previous = storedToken
        storedToken = token
        do {
            _ = try await login(username: plaintext.username, password: "")
        } catch {
            storedToken = previous
            let failure = SDKError(error)
            if failure.statusCode == 401 {
                finishQRLogin(serial: serial, QRLoginResult(event: "failed", statusCode: 401, message: "Token Expired", reason: "token-expired"))
                return QRLoginRequest.error(.tokenExpired)
            }
            let message = failure.message.hasPrefix("Connection Failed") ? failure.message : "Connection Failed: \(failure.message)"
            finishQRLogin(serial: serial, QRLoginResult(event: "failed", statusCode: 500, message: message))
            return StanzaError(.internalServerError, type: .wait)
        }
        finishQRLogin(serial: serial, QRLoginResult(event: "loggedIn", statusCode: 200, message: "Login Success",
                                                    username: plaintext.username, userJid: token.jid, userToken: token.encoded))
        return nil
    }

    /// Ends the pending code `serial` once: erases the key, closes the anonymous session (after
    /// the answer has gone out), and calls back.
    func finishQRLogin(serial: Int, _ result: QRLoginResult) {
        guard let pending = takePending(serial: serial) else { return }
        report(pending, result)
        Task {
            await pending.module.erase()
            // The IQ answer is written after this returns; give it a moment before </close>.
            try? await Task.sleep(for: .milliseconds(500))
            await pending.client.disconnect()
        }
    }

    /// A new code, logout or initialize cancels the waiting one (§8.1): its callback gets 405
    /// `QR Code Cancelled`, its key is erased and its anonymous session closed before this
    /// returns (there is no answer to wait for). Also cancels a code whose session is still
    /// opening. Returns whether a code was waiting.
    @discardableResult
    func cancelPendingQRCode() async -> Bool {
        let id = ObjectIdentifier(self)
        let pending = QRLoginRegistry.state.withLock { state -> QRLoginRegistry.Pending? in
            var entry = state[id, default: QRLoginRegistry.Entry()]
            entry.epoch += 1
            defer { state[id] = entry }
            guard let pending = entry.pending else { return nil }
            entry.pending = nil
            return pending
        }
        guard let pending else { return false }
        await cancel(pending)
        return true
    }

    private func cancel(_ pending: QRLoginRegistry.Pending) async {
        report(pending, QRLoginResult(event: "failed", statusCode: 405, message: "QR Code Cancelled"))
        await pending.module.erase()
        await pending.client.disconnect()
    }

    private func takePending(serial: Int) -> QRLoginRegistry.Pending? {
        let id = ObjectIdentifier(self)
        return QRLoginRegistry.state.withLock { state -> QRLoginRegistry.Pending? in
            guard let pending = state[id]?.pending, pending.serial == serial else { return nil }
            state[id]?.pending = nil
            return pending
        }
    }

    private func report(_ pending: QRLoginRegistry.Pending, _ result: QRLoginResult) {
        pending.expiry.cancel()
        emit(.qrLogin(result))
        pending.onLogin?(result)
    }

    // MARK: - Helpers

    struct SignalServer: Sendable {
        /// The WebSocket URL without `domain`.
        var url: String
        var domain: String
    }

    /// §2.1: a ws:// or wss:// URL without fragment; `domain` names the XMPP host and is removed.
    static func signalServer(_ text: String) throws(SDKError) -> SignalServer {
        guard var components = URLComponents(string: text.trimmingWhitespace),
              let scheme = components.scheme?.lowercased(), ["ws", "wss"].contains(scheme),
              let host = components.host, !host.isEmpty, components.fragment == nil else {
            throw .invalid("signalServer", "not a ws:// or wss:// URL without fragment (RFC 6455 §3)")
        }
        var domain = host
        if let items = components.queryItems {
            let domains = items.filter { $0.name == "domain" }
            if let value = domains.first?.value {
                guard domains.count == 1, (try? JID(domainpart: value)) != nil else {
                    throw .invalid("signalServer", "domain parameter is not a domain (RFC 7622 §3.2)")
                }
                domain = value
            }
            let others = items.filter { $0.name != "domain" }
            components.queryItems = others.isEmpty ? nil : others
        }
        guard let url = components.string else { throw .invalid("signalServer", "not a URL") }
        return SignalServer(url: url, domain: domain)
    }

    static func checkOutput(_ output: QRCodeOutput) throws(SDKError) {
        let path: String, suffix: String
        switch output {
        case .terminal: return
        case .png(let file): (path, suffix) = (file, ".png")
        case .svg(let file): (path, suffix) = (file, ".svg")
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard path.lowercased().hasSuffix(suffix), FileManager.default.isWritableFile(atPath: directory) else {
            throw .invalid("output", "terminal, or a writable file path ending in .png or .svg")
        }
    }

    /// An anonymous session on the signal server (§3): WebSocket, SASL ANONYMOUS, bound resource,
    /// no presence, no reconnection.
    func connectAnonymously(server: SignalServer, configuration: SDKConfiguration, modules: [any XMPPModule]) async throws(SDKError) -> XMPPClient {
        let jid: JID
        do { jid = try JID(domainpart: server.domain) } catch { throw .invalid("signalServer", "domain: \(error)") }
        let serverName = URLComponents(string: server.url)?.host ?? server.domain
        let tls = TLSConfiguration(trust: configuration.caFile.map { .certificateAuthorities(file: $0) } ?? .systemDefault, serverName: serverName)
        var logger = Logger(label: "xmppkit.sdk.qr")
        logger.logLevel = .warning
        let client = XMPPClient(configuration: XMPPClientConfiguration(
            jid: jid, credential: .anonymous, transport: .webSocket(url: server.url), tls: tls,
            allowPlaintext: server.url.lowercased().hasPrefix("ws:"), streamManagement: false, reconnect: nil,
            requestTimeout: .seconds(45), connectTimeout: .seconds(20), logger: logger))
        await client.register(modules)
        do {
            _ = try await client.connect()
        } catch let error as XMPPClientError {
            switch error.kind {
            case .authentication, .featureNotOffered:
                throw SDKError.notSupported("anonymous login on the signal server (RFC 4505)")
            default:
                let mapped = SDKError(error)
                throw mapped.statusCode == 500 && !mapped.message.hasPrefix("Connection Failed")
                    ? SDKError(statusCode: 500, message: "Connection Failed: \(error)") : mapped
            }
        } catch {
            throw SDKError(statusCode: 500, message: "Connection Failed: \(error)")
        }
        return client
    }

    /// §8.2: the new device's answer as the scanner reports it.
    static func scannerError(_ error: StanzaError) -> SDKError {
        let condition = error.condition.rawValue
        if let name = error.applicationCondition?.name, error.applicationCondition?.namespace == QRLoginCrypto.namespace,
           let reason = QRLoginRequest.Reason(rawValue: name) {
            return SDKError(statusCode: reason.statusCode, message: message(for: reason), condition: condition)
        }
        switch error.condition {
        case .serviceUnavailable, .recipientUnavailable, .itemNotFound:
            return SDKError(statusCode: 404, message: "QR Code Not Found", condition: condition)
        default:
            return SDKError(statusCode: 500, message: "Connection Failed: \(condition)", condition: condition)
        }
    }

    static func message(for reason: QRLoginRequest.Reason) -> String {
        switch reason {
        case .malformed: "Invalid QR Code: malformed"
        case .decryptionFailed: "Invalid QR Code: decryption-failed"
        case .wrongDomain: "Invalid QR Code: token for another domain"
        case .expired: "QR Code Expired"
        case .tokenExpired: "Token Expired"
        case .wrongSender: "Feature Not Available: wrong sender"
        case .unknownNonce: "QR Code Not Found"
        case .replayed: "QR Code Already Used"
        }
    }

    static func now() -> Int { Int(Date().timeIntervalSince1970) }
}

/// Per-SDK QR-login state, kept outside the actor's stored properties: the waiting code (new
/// device) and the nonces already sent (scanner, §8.3).
enum QRLoginRegistry {
    struct Pending: Sendable {
        var serial: Int
        var client: XMPPClient
        var module: QRLoginModule
        var expiry: Task<Void, Never>
        var onLogin: (@Sendable (QRLoginResult) -> Void)?
    }

    struct Entry: Sendable {
        var pending: Pending?
        /// nonce (base64url) → its `exp`, kept until `exp + 30 s`.
        var usedNonces: [String: Int] = [:]
        /// Counts cancellations, so a code whose session was still opening is cancelled too.
        var epoch = 0
    }

    static let state = Mutex<[ObjectIdentifier: Entry]>([:])
    private static let serials = Atomic<Int>(0)

    static func nextSerial() -> Int { serials.add(1, ordering: .relaxed).newValue }
}
