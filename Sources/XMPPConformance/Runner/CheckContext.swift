import Synchronization
import XMPPClient
import XMPPCore
import XMPPXML

/// What a check's body works with: the server under test, accounts, raw probes, and
/// ``expect(_:_:)`` for the rule it tests. Everything it opens is closed when the check ends.
public final class CheckContext: Sendable {
    public let configuration: ConformanceConfiguration
    public let transcript = Transcript()
    private let pool: AccountPool
    private struct Resources {
        var probes: [StreamProbe] = []
        var accounts: [ConformanceAccount] = []
        /// What ``accounts(_:)`` leased: asked again, the check gets the same ones.
        var leased: [ConformanceAccount]?
        var connections = 0
    }
    private let resources = Mutex(Resources())

    init(configuration: ConformanceConfiguration, pool: AccountPool) {
        self.configuration = configuration
        self.pool = pool
    }

    public var domain: String { configuration.domain }

    // MARK: Verdicts

    /// Fails the check with `message` unless `condition` holds.
    public func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws(CheckFailure) {
        if !condition { throw CheckFailure(message()) }
    }

    /// Unwraps `value` or fails the check with `message`.
    public func expect<T>(_ value: T?, _ message: @autoclosure () -> String) throws(CheckFailure) -> T {
        guard let value else { throw CheckFailure(message()) }
        return value
    }

    // MARK: Raw streams

    /// A new TCP connection, nothing sent yet.
    public func connect() async throws(CheckSetupError) -> StreamProbe {
        let number = resources.withLock { $0.connections += 1; return $0.connections }
        let probe = try await StreamProbe.connect(host: configuration.host, port: configuration.port, label: "C\(number)",
                                                  transcript: transcript)
        resources.withLock { $0.probes.append(probe) }
        return probe
    }

    /// A connection with its stream open and TLS negotiated: the features after TLS.
    public func secured() async throws(CheckSetupError) -> (StreamProbe, StreamProbe.Opening) {
        let probe = try await connect()
        let opening = try await probe.open(to: domain)
        guard opening.features.startTLS.offered else {
            throw CheckSetupError("the server does not offer STARTTLS")
        }
        return (probe, try await probe.startTLS(domain: domain, tls: configuration.tls))
    }

    /// A connection logged in as `account` (SCRAM-SHA-1) with a resource bound.
    public func loggedIn(_ account: ConformanceAccount, resource: String? = nil) async throws(CheckSetupError) -> (StreamProbe, JID) {
        let (probe, _) = try await secured()
        _ = try await probe.login(account, domain: domain)
        return (probe, try await probe.bind(resource: resource ?? "conform-" + StanzaID.make().prefix(8)))
    }

    // MARK: Accounts

    /// `count` accounts for this check: fresh ones with `--register`, the operator's otherwise.
    /// A check leases once; asking again returns the same accounts (at most as many as first asked).
    public func accounts(_ count: Int) async throws -> [ConformanceAccount] {
        if let leased = resources.withLock({ $0.leased }) {
            guard count <= leased.count else {
                throw CheckSetupError("the check asked for \(count) accounts after leasing \(leased.count)")
            }
            return Array(leased.prefix(count))
        }
        let accounts = try await pool.lease(count)
        resources.withLock {
            $0.accounts += accounts
            $0.leased = accounts
        }
        return accounts
    }

    /// One account of its own, registered for this check; not applicable without `--register`.
    public func registeredAccount() async throws -> ConformanceAccount {
        guard configuration.mayRegister else { throw CheckNotApplicable("creates an account: run with --register") }
        let account = try await pool.register()
        resources.withLock { $0.accounts.append(account) }
        return account
    }

    /// Closes what the check opened and gives its accounts back.
    func finish() async {
        let (probes, accounts) = resources.withLock { ($0.probes, $0.accounts) }
        for probe in probes { await probe.close() }
        await pool.release(accounts)
    }
}
