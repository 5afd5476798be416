import XMPPClient
import XMPPCore
import XMPPCrypto
import XMPPExtensions

extension SDK {
    /// Creates an account by in-band registration (XEP-0077 §3.1) with a strong random password;
    /// with `autoLogin`, logs in as it. An existing user is 409 "User Already Exists".
    public func register(userIdentifier: String, autoLogin: Bool = false) async throws -> SDKResponse<RegisterData> {
        let configuration = try requireConfiguration()
        let jid = try accountJID(userIdentifier, parameter: "userIdentifier", configuration: configuration)
        guard client == nil else { throw SDKError(statusCode: 405, message: "Already Logged In") }
        let password = try Self.makePassword()
        do {
            _ = try await RegistrationModule.registerAccount(
                configuration: clientConfiguration(jid: jid, credential: .unauthenticated),
                username: jid.localpart ?? "", password: password)
        } catch let error as RegistrationError {
            switch error.reason {
            case .conflict: throw SDKError(statusCode: 409, message: "User Already Exists", condition: "conflict")
            case .notSupported: throw SDKError.notSupported("in-band registration (XEP-0077)")
            case .badRequest, .notAcceptable:
                throw SDKError.invalid("userIdentifier", error.stanzaError?.condition.rawValue ?? "\(error.reason)")
            default: throw SDKError(error.stanzaError.map { SDKError($0) } ?? SDKError(error))
            }
        } catch {
            throw SDKError(error)
        }
        let data = RegisterData(username: jid.localpart ?? "", password: password, isSandbox: configuration.isSandbox || configuration.isTrialLicenseKey,
                                isProfileUpdated: false, userJid: jid.description)
        if autoLogin, (try? await login(username: data.username, password: password)) != nil {
            return SDKResponse(message: "Login Success", data: data)
        }
        return SDKResponse(data: data)
    }

    /// Logs in (RFC 6120: TLS, SASL, bind) and sends initial presence. With an empty password, the
    /// stored token (``setUserToken(token:)``) is used; a token the server refuses is 401 "Token Expired".
    @discardableResult
    public func login(username: String, password: String) async throws -> SDKResponse<NoData> {
        let configuration = try requireConfiguration()
        let jid = try accountJID(username, parameter: "username", configuration: configuration)
        let credential: SASLCredentials
        var usingToken = false
        if password.isEmpty {
            guard let token = storedToken, token.jid == jid.description else {
                throw SDKError.invalid("password", "must not be empty (no stored token for this user)")
            }
            credential = .scram(token.credentials)
            usingToken = true
        } else {
            credential = .password(password)
        }
        guard client == nil else { throw SDKError(statusCode: 405, message: "Already Logged In") }
        do {
            let session = try await startSession(jid: jid, credential: credential)
            if let credentials = session.scramCredentials { storedToken = SDKToken(jid: jid, credentials: credentials) }
        } catch let error as XMPPClientError {
            if case .authentication = error.kind {
                throw SDKError(statusCode: 401, message: usingToken ? "Token Expired" : "Authentication Failed", condition: "\(error)")
            }
            throw SDKError(error)
        } catch {
            throw SDKError(error)
        }
        return SDKResponse(message: "Login Success")
    }

    /// The same as ``login(username:password:)`` (seed 001's name).
    @discardableResult
    public func connect(username: String, password: String) async throws -> SDKResponse<NoData> {
        try await login(username: username, password: password)
    }

    /// Closes the stream (RFC 6120 §4.4) and forgets the session. A QR code waiting for a scan
    /// (``generateQrCode(output:logo:signalServer:onLogin:)``) is cancelled too: its callback gets
    /// 405 `QR Code Cancelled` and its anonymous session is closed (Specs/qr-login.md §8.1); that
    /// alone makes logout succeed.
    @discardableResult
    public func logout() async throws -> SDKResponse<NoData> {
        _ = try requireConfiguration()
        let cancelled = await cancelPendingQRCode()
        guard client != nil else {
            if cancelled { return SDKResponse() }
            throw SDKError.notLoggedIn
        }
        await endSession()
        return SDKResponse()
    }

    /// The bound JID's bare form (RFC 6120 §7).
    public func getCurrentUserJid() async throws -> CurrentUserJidResponse {
        let client = try await requireClient()
        guard let jid = await client.boundJID else { throw SDKError.notLoggedIn }
        return CurrentUserJidResponse(userJid: jid.bare.description)
    }

    /// Logs in once to derive the account's SCRAM cached credentials (RFC 5802 §5.1), logs out,
    /// and returns them as a token; the password itself is never in it.
    public func getUserToken(username: String, password: String) async throws -> UserTokenResponse {
        let configuration = try requireConfiguration()
        let jid = try accountJID(username, parameter: "username", configuration: configuration)
        guard !password.isEmpty else { throw SDKError.invalid("password", "must not be empty") }
        var clientConfiguration = try clientConfiguration(jid: jid, credential: .password(password))
        clientConfiguration.reconnect = nil
        // A resource of its own: the configured one may be bound by this SDK's (or another) session.
        clientConfiguration.jid = try JID(localpart: jid.localpart, domainpart: jid.domainpart, resourcepart: Self.makeResource())
        let probe = XMPPClient(configuration: clientConfiguration)
        let session: NegotiatedSession
        do { session = try await probe.connect() } catch let error as XMPPClientError {
            if case .authentication = error.kind { throw SDKError(statusCode: 401, message: "Authentication Failed", condition: "\(error)") }
            throw SDKError(error)
        }
        await probe.disconnect()
        guard let credentials = session.scramCredentials else { throw SDKError.notSupported("SCRAM (RFC 5802)") }
        return UserTokenResponse(userToken: SDKToken(jid: jid, credentials: credentials).encoded)
    }

    /// Stores a token from ``getUserToken(username:password:)``; later logins with an empty
    /// password use it.
    @discardableResult
    public func setUserToken(token: String) async throws -> SDKResponse<NoData> {
        _ = try requireConfiguration()
        guard let decoded = SDKToken(encoded: token.trimmingWhitespace) else { throw SDKError.invalid("token", "not an XMPPKit token") }
        storedToken = decoded
        return SDKResponse()
    }

    /// Sends `feedback` (if any) to the server's feedback address (XEP-0157), then removes the
    /// account (XEP-0077 §3.2) and ends the session.
    @discardableResult
    public func deleteMyAccount(reason: String, feedback: String = "") async throws -> SDKResponse<NoData> {
        guard !reason.trimmingWhitespace.isEmpty else { throw SDKError.invalid("reason", "must not be empty") }
        let registration = try await module(RegistrationModule.self)
        if !feedback.trimmingWhitespace.isEmpty {
            _ = try? await sendFeedback(title: "Account deleted: \(reason)", description: feedback)
        }
        do { try await registration.removeAccount() } catch let error as RegistrationError {
            if error.reason == .notSupported { throw SDKError.notSupported("account removal (XEP-0077)") }
            throw error.stanzaError.map { SDKError($0) } ?? SDKError(error)
        } catch {
            throw SDKError(error)
        }
        storedToken = nil
        await endSession()
        return SDKResponse()
    }

    /// 24 bytes from the secure random generator, base64url without padding (32 characters).
    static func makePassword() throws(SDKError) -> String {
        guard let bytes = try? SecureRandom.bytes(count: 24) else { throw SDKError(statusCode: 500, message: "Internal Error: no randomness") }
        return Base64.encode(bytes).replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    }
}
