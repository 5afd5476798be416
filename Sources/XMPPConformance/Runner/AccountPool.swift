import Logging
import XMPPClient
import XMPPCore
import XMPPExtensions

/// Hands accounts to checks: fresh ones registered for each check, or the operator's, one check
/// at a time.
actor AccountPool {
    private let configuration: ConformanceConfiguration
    private var given: [ConformanceAccount] = []
    private var leased = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(configuration: ConformanceConfiguration) {
        self.configuration = configuration
        if case .given(let accounts) = configuration.accounts { given = accounts }
    }

    /// `count` accounts for one check. With given accounts this waits until no other check holds
    /// them; ``release(_:)`` must follow.
    func lease(_ count: Int) async throws -> [ConformanceAccount] {
        guard case .given = configuration.accounts else {
            var accounts: [ConformanceAccount] = []
            for _ in 0..<count { accounts.append(try await register()) }
            return accounts
        }
        guard count <= given.count else {
            throw CheckNotApplicable("needs \(count) accounts: give --user2 / --user3 as well, or use --register")
        }
        if leased {
            await withCheckedContinuation { waiters.append($0) }
        }
        leased = true
        return Array(given.prefix(count))
    }

    /// Gives the accounts back: registered ones are removed (XEP-0077 §3.2), given ones freed.
    func release(_ accounts: [ConformanceAccount]) async {
        guard case .given = configuration.accounts else {
            for account in accounts { await remove(account) }
            return
        }
        guard !accounts.isEmpty else { return }
        if waiters.isEmpty {
            leased = false
        } else {
            waiters.removeFirst().resume()
        }
    }

    /// Registers a new account in-band (XEP-0077 §3.1).
    func register() async throws -> ConformanceAccount {
        let username = "conform-" + StanzaID.make().lowercased().prefix(12)
        let password = StanzaID.make() + StanzaID.make()
        guard let jid = try? JID("\(username)@\(configuration.domain)") else {
            throw CheckSetupError("cannot make a JID on \(configuration.domain)")
        }
        let client = XMPPClient(configuration: Self.clientConfiguration(configuration, jid: jid, credential: .unauthenticated))
        let registration = await client.register(RegistrationModule())
        do {
            try await client.connect()
            try await registration.register(username: username, password: password)
        } catch {
            await client.disconnect()
            throw CheckSetupError("in-band registration of \(jid) failed: \(error)")
        }
        await client.disconnect()
        return ConformanceAccount(jid: jid, password: password)
    }

    private func remove(_ account: ConformanceAccount) async {
        let client = XMPPClient(configuration: Self.clientConfiguration(configuration, jid: account.jid, credential: .password(account.password)))
        let registration = await client.register(RegistrationModule())
        do {
            try await client.connect()
            try await registration.removeAccount()
        } catch {
            // Already gone (a check removed it) or the server refuses: nothing more to do.
        }
        await client.disconnect()
    }

    /// A client for the server under test: no reconnecting, no stream management unless asked,
    /// and SCRAM without channel binding. These logins are the runner's bookkeeping, not under
    /// test (the rfc5802 checks test binding); a server whose binding is broken (ejabberd 23.01
    /// refuses tls-exporter over TLS 1.3) must still get its accounts registered and removed.
    static func clientConfiguration(_ configuration: ConformanceConfiguration, jid: JID, credential: SASLCredentials,
                                    streamManagement: Bool = false) -> XMPPClientConfiguration {
        var logger = Logger(label: "xmppkit.conform")
        logger.logLevel = .critical
        return XMPPClientConfiguration(
            jid: jid, credential: credential, host: configuration.host, port: configuration.port,
            tls: configuration.tls,
            sasl: SASLPolicy(requireChannelBindingWhenOffered: false,
                             preferredOrder: SASLMechanismName.known.reversed().filter { !$0.usesChannelBinding }),
            streamManagement: streamManagement, reconnect: nil,
            requestTimeout: .seconds(10), connectTimeout: .seconds(10), logger: logger)
    }
}
