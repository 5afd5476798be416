import XMPPClient
import XMPPCore
import XMPPXML

/// In-band registration (XEP-0077): creates an account on an unauthenticated stream (§3.1), changes
/// the password (§3.3) and removes the account (§3.2) once logged in.
///
/// ```swift
/// var configuration = XMPPClientConfiguration(jid: try JID("juliet@example.com"), credential: .unauthenticated)
/// let client = XMPPClient(configuration: configuration)
/// let registration = await client.register(RegistrationModule())
/// try await client.connect()
/// try await registration.register(username: "juliet", password: "R0m30")
/// await client.disconnect()
/// ```
/// or, in one call, ``RegistrationModule/registerAccount(configuration:username:password:extra:)``.
///
/// Errors from the host are ``RegistrationError``s, with the §3 condition as their reason.
public actor RegistrationModule: XMPPModule {
    /// A client answers no registration requests: it only asks hosts.
    public nonisolated let features: [String] = []
    public nonisolated let routes: [StanzaRoute] = []

    private var context = ModuleContext.unattached

    public init() {}

    public func attach(_ context: ModuleContext) async {
        self.context = context
    }

    /// Asks `host` (our server when nil) what it needs to register (XEP-0077 §3.1 Example 1): the
    /// legacy fields, a data form (§4), instructions, whether we are registered already, or a
    /// redirection (§5).
    /// - Throws: ``RegistrationError`` (`notSupported` when the host has no in-band registration).
    public func registrationForm(host: JID? = nil) async throws -> RegistrationQuery {
        let reply = try await request(IQ(.get, to: host, payload: RegistrationQuery().element))
        guard let payload = reply.payload else {
            throw RegistrationError(.badRequest, stanzaError: StanzaError(.badRequest, text: "empty registration form (XEP-0077 §3.1)"))
        }
        do { return try RegistrationQuery(element: payload) } catch {
            throw RegistrationError(.badRequest, stanzaError: error)
        }
    }

    /// Registers `username` with `password` (XEP-0077 §3.1): asks for the fields first, then
    /// answers the data form if there is one (§6 precedence), else the legacy fields. `extra` gives
    /// the other fields by name (`email`, or a form's `var`s).
    /// - Throws: ``RegistrationError``: `unfillableFields` naming the required fields nothing
    ///   gave a value for; `conflict` when the username is taken; `notAcceptable` for missing data;
    ///   `redirected` when the host registers out of band.
    public func register(username: String, password: String, extra: [String: String] = [:], host: JID? = nil) async throws {
        let asked = try await registrationForm(host: host)
        var values = extra
        values["username"] = username
        values["password"] = password
        let submission = try Self.answer(asked, with: values)
        _ = try await request(IQ(.set, to: host, payload: submission.element))
    }

    /// Submits a filled data form (XEP-0077 §4 Example 10). A `form` is sent as a `submit`.
    /// - Throws: ``RegistrationError``.
    public func register(form: DataForm, host: JID? = nil) async throws {
        var form = form
        if form.kind == .form { form = DataForm(kind: .submit, fields: form.fields) }
        _ = try await request(IQ(.set, to: host, payload: RegistrationQuery(form: form).element))
    }

    /// Sends `query` as a registration `set` as it is (XEP-0077 §3.1 Example 4), without asking
    /// for the fields first: for hosts whose fields are known, and to see how a host answers.
    /// - Throws: ``RegistrationError``.
    public func submit(_ query: RegistrationQuery, host: JID? = nil) async throws {
        _ = try await request(IQ(.set, to: host, payload: query.element))
    }

    /// Changes our password (XEP-0077 §3.3 Example 18), on an authenticated stream.
    /// - Throws: ``RegistrationError`` (`notAllowed`, `notAuthorized`, `badRequest`); `badRequest`
    ///   at once for an empty password, which the host must not set (§3.3).
    public func changePassword(_ newPassword: String) async throws {
        guard !newPassword.isEmpty else {
            throw RegistrationError(.badRequest, stanzaError: StanzaError(.badRequest, text: "an empty password is never set (XEP-0077 §3.3)"))
        }
        let jid = try await context.boundJID()
        guard let username = jid.localpart else { throw XMPPClientError(.notConnected) }
        let query = RegistrationQuery(fields: [.init("username", username), .init("password", newPassword)])
        _ = try await request(IQ(.set, payload: query.element))
    }

    /// Removes our account (XEP-0077 §3.2 Example 11), on an authenticated stream. The server may
    /// answer and then close the stream with `not-authorized`, or close it before its answer
    /// arrives: both count as done. Disconnect the client afterwards; logging in again fails.
    /// - Throws: ``RegistrationError`` (`notAllowed`, `forbidden`, `notRegistered`, `badRequest`).
    public func removeAccount() async throws {
        guard try await context.boundJID().localpart != nil else { throw XMPPClientError(.notConnected) }
        do {
            _ = try await request(IQ(.set, payload: RegistrationQuery(isRemove: true).element))
        } catch let error as XMPPClientError {
            switch error.kind {
            case .closed, .stream: return  // §3.2: the server ends the sessions of a removed account.
            default: throw error
            }
        }
    }

    /// Builds the `set` answering `asked` (XEP-0077 §3.1, §4, §6): the data form when there is one,
    /// else every legacy field. Hidden and pre-filled fields keep their values; the obsolete
    /// `<key/>` (§7) is echoed.
    /// - Throws: ``RegistrationError`` `unfillableFields` naming what `values` leaves empty,
    ///   `redirected` for a host that only gives instructions or a URL, `alreadyRegistered`.
    public static func answer(_ asked: RegistrationQuery, with values: [String: String]) throws(RegistrationError) -> RegistrationQuery {
        if asked.isRegistered { throw RegistrationError(.alreadyRegistered) }
        if let form = asked.form {
            var filled: [String: [String]] = [:]
            var missing: [String] = []
            for field in form.fields {
                guard let variable = field.variable, field.type != .fixed, variable != "FORM_TYPE" else { continue }
                if let value = values[variable], !value.isEmpty {
                    filled[variable] = [value]
                } else if !field.values.isEmpty {
                    filled[variable] = field.values
                } else if field.isRequired {
                    missing.append(variable)
                }
            }
            guard missing.isEmpty else { throw RegistrationError(.unfillableFields(missing)) }
            return RegistrationQuery(form: form.submission(filled))
        }
        guard !asked.isRedirect else {
            throw RegistrationError(.redirected(instructions: asked.instructions, url: asked.redirectURL))
        }
        var fields: [RegistrationQuery.Field] = []
        var missing: [String] = []
        for field in asked.fields {
            if let value = values[field.name], !value.isEmpty {
                fields.append(.init(field.name, value))
            } else if !field.value.isEmpty {
                fields.append(field)  // §7 key, or a value the host filled in
            } else {
                missing.append(field.name)
            }
        }
        guard missing.isEmpty else { throw RegistrationError(.unfillableFields(missing)) }
        return RegistrationQuery(fields: fields)
    }

    private func request(_ iq: IQ) async throws -> IQ {
        do { return try await context.send(iq) } catch let error as StanzaError {
            throw RegistrationError(error)
        }
    }

    /// Connects to the server in `configuration` without logging in, registers `username`, and
    /// disconnects (XEP-0077 §3.1.1: register, then authenticate as the new account).
    /// `configuration.credential` is ignored. Returns the new account's bare JID.
    /// - Throws: ``RegistrationError``, or ``XMPPClientError`` when the server cannot be reached.
    public static func registerAccount(configuration: XMPPClientConfiguration, username: String, password: String,
                                       extra: [String: String] = [:]) async throws -> JID {
        var configuration = configuration
        configuration.credential = .unauthenticated
        configuration.reconnect = nil
        let client = XMPPClient(configuration: configuration)
        let registration = await client.register(RegistrationModule())
        try await client.connect()
        do {
            try await registration.register(username: username, password: password, extra: extra)
        } catch {
            await client.disconnect()
            throw error
        }
        await client.disconnect()
        return try JID(localpart: username, domainpart: configuration.jid.domainpart, resourcepart: nil)
    }
}

extension RegistrationModule: ServerFeatureDetecting {
    /// XEP-0077 §8: the stream feature (offered before authentication), else §10: `jabber:iq:register`
    /// in the server's disco#info (asked once logged in).
    public func isSupportedByServer() async throws -> Bool {
        guard let features = await context.streamFeatures() else { throw XMPPClientError(.notConnected) }
        if features.inBandRegistration { return true }
        guard try await context.boundJID().localpart != nil else { return false }
        return try await context.serverSupports(RegistrationQuery.namespace)
    }
}
