import Testing
import TestSupport
import XMPPClient
import XMPPCore
import XMPPExtensions

/// XEP-0077 against the real servers: both allow in-band registration from loopback
/// (Fixtures/servers/), password changes and account removal.
@Suite("In-band registration against the real servers")
struct RegistrationIntegrationTests {
    static func freshUsername() -> String { "r\(StanzaID.make().lowercased().prefix(10))" }

    /// An unauthenticated stream to `server`, with the registration module registered.
    static func unauthenticated(_ server: ServerEnvironment.Server) async throws -> (XMPPClient, RegistrationModule) {
        var configuration = try Servers.configuration(server, jid: "nobody@\(server.domain)", tlsMax: .v1_2)
        configuration.credential = .unauthenticated
        let client = XMPPClient(configuration: configuration)
        let registration = await client.register(RegistrationModule())
        try await client.connect()
        return (client, registration)
    }

    static func loginFails(_ account: TestAccounts.Account, on server: ServerEnvironment.Server) async -> Bool {
        do {
            let client = try await TestAccounts.connect(account, on: server)
            await client.disconnect()
            return false
        } catch let error as XMPPClientError {
            if case .authentication = error.kind { return true }
            Issue.record("login failed otherwise: \(error)")
            return false
        } catch {
            Issue.record("login failed otherwise: \(error)")
            return false
        }
    }

    @Test("§3.1: the stream feature, the fields, a registration, then a login as the new account", arguments: ["prosody", "ejabberd"])
    func registersAndLogsIn(serverName: String) async throws {
        let server = try Servers.server(serverName)
        let (client, registration) = try await Self.unauthenticated(server)
        #expect(try await registration.isSupportedByServer(), "§8: the register stream feature before authentication")
        let form = try await registration.registrationForm()
        print("[registration] \(serverName): fields \(form.fields.map(\.name)), form \(form.form.map { "\($0.formType ?? "-"): \($0.fields.compactMap(\.variable))" } ?? "none"), instructions \(form.instructions.map { "\"\($0)\"" } ?? "none"), registered \(form.isRegistered)")
        #expect(!form.isRegistered)
        #expect(form.field("username") != nil || form.form?.field("username") != nil)
        let username = Self.freshUsername()
        let password = StanzaID.make()
        try await registration.register(username: username, password: password)
        await client.disconnect()
        let account = TestAccounts.Account(jid: try JID("\(username)@\(server.domain)"), password: password)
        let loggedIn = try await TestAccounts.connect(account, on: server)
        #expect(await loggedIn.boundJID?.bare == account.jid)
        await loggedIn.disconnect()
    }

    @Test("§3.1 Example 6: a taken username is conflict", arguments: ["prosody", "ejabberd"])
    func conflict(serverName: String) async throws {
        let server = try Servers.server(serverName)
        let existing = try await TestAccounts.register(on: server)
        let (client, registration) = try await Self.unauthenticated(server)
        do {
            try await registration.register(username: try #require(existing.jid.localpart), password: "other")
            Issue.record("registering a taken username succeeded")
        } catch let error as RegistrationError {
            print("[registration] \(serverName): taken username → \(error.stanzaError.map { "\($0.condition.rawValue) (\($0.type.rawValue))" } ?? "-")")
            #expect(error.reason == .conflict)
        }
        await client.disconnect()
    }

    @Test("§3.1 Example 7: a set without the password is refused with the server's condition", arguments: ["prosody", "ejabberd"])
    func missingPassword(serverName: String) async throws {
        let server = try Servers.server(serverName)
        let (client, registration) = try await Self.unauthenticated(server)
        do {
            try await registration.submit(RegistrationQuery(fields: [.init("username", Self.freshUsername())]))
            Issue.record("registering without a password succeeded")
        } catch let error as RegistrationError {
            print("[registration] \(serverName): no password → \(error.stanzaError.map { "\($0.condition.rawValue) (\($0.type.rawValue))" } ?? "-")")
            // §3.1 says not-acceptable; ejabberd 23.01 and Prosody 0.12 each answer as recorded here.
            #expect([.notAcceptable, .badRequest].contains(error.reason))
        }
        await client.disconnect()
    }

    @Test("§3.3: a password change; the new password logs in, the old one no longer does", arguments: ["prosody", "ejabberd"])
    func changesPassword(serverName: String) async throws {
        let server = try Servers.server(serverName)
        let (client, account) = try await TestAccounts.connectedClient(on: server, modules: [RegistrationModule()])
        let registration = try #require(await client.module(RegistrationModule.self))
        let supported = try await registration.isSupportedByServer()
        print("[registration] \(serverName): logged in, jabber:iq:register in disco#info: \(supported)")
        #expect(supported, "§10: the server advertises jabber:iq:register once logged in")
        let newPassword = StanzaID.make()
        try await registration.changePassword(newPassword)
        await client.disconnect()
        #expect(await Self.loginFails(account, on: server))
        let renewed = TestAccounts.Account(jid: account.jid, password: newPassword)
        let again = try await TestAccounts.connect(renewed, on: server)
        #expect(await again.boundJID != nil)
        await again.disconnect()
    }

    @Test("§3.2: removing the account; the server may close the stream; the account no longer logs in", arguments: ["prosody", "ejabberd"])
    func removesAccount(serverName: String) async throws {
        let server = try Servers.server(serverName)
        let (client, account) = try await TestAccounts.connectedClient(on: server, modules: [RegistrationModule()])
        let registration = try #require(await client.module(RegistrationModule.self))
        try await registration.removeAccount()
        // Give the server a moment to close the stream, as §3.2 says it SHOULD, then record it.
        var closedByServer = false
        for _ in 0..<60 {
            if await client.state != .connected { closedByServer = true; break }
            try await Task.sleep(for: .milliseconds(50))
        }
        print("[registration] \(serverName): after <remove/> the server \(closedByServer ? "closed the stream" : "kept the stream open") (last error: \(await client.lastError.map { "\($0)" } ?? "none"))")
        await client.disconnect()
        #expect(await Self.loginFails(account, on: server))
    }

    @Test("The one-call convenience: connect unauthenticated, register, disconnect", arguments: ["prosody", "ejabberd"])
    func convenience(serverName: String) async throws {
        let server = try Servers.server(serverName)
        let username = Self.freshUsername()
        let password = StanzaID.make()
        let configuration = try Servers.configuration(server, jid: "\(username)@\(server.domain)", tlsMax: .v1_2)
        let jid = try await RegistrationModule.registerAccount(configuration: configuration, username: username, password: password)
        #expect(jid == (try JID("\(username)@\(server.domain)")))
        let client = try await TestAccounts.connect(TestAccounts.Account(jid: jid, password: password), on: server)
        #expect(await client.boundJID?.bare == jid)
        await client.disconnect()
    }
}
