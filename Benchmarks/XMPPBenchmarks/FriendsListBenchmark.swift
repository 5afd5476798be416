import CBenchmarkSupport
import Foundation
import Logging
import Synchronization
import XMPPClient
import XMPPCore
import XMPPXML

/// `xmppkit bench sdk`: the accounts behind a friends list of many contacts, each with a vCard, on a
/// real server, and the measurement of one run of a call (time, peak resident growth).
///
/// The calls measured (the SDK's `getFriendsList`, concurrent and one fetch after another) come from
/// the caller; this type only makes and removes the accounts, with raw stanzas, so it does not
/// depend on the SDK it measures.
public struct FriendsListBenchmark: Sendable {
    /// Where the accounts live.
    public struct Server: Sendable {
        public var host: String
        public var port: Int
        public var domain: String
        public var caFile: String?

        public init(host: String, port: Int, domain: String, caFile: String?) {
            self.host = host
            self.port = port
            self.domain = domain
            self.caFile = caFile
        }
    }

    public struct Account: Sendable, Hashable {
        public var username: String
        public var password: String
    }

    /// A user whose roster holds `contacts`, each of them with a vCard.
    public struct Population: Sendable {
        public var user: Account
        public var contacts: [Account]
        /// Registering the contacts and storing their vCards.
        public var contactsSetup: Duration
        /// Registering the user and adding the roster items.
        public var rosterSetup: Duration
    }

    /// One measured run.
    public struct Figures<Value: Sendable>: Sendable {
        public var value: Value
        public var duration: Duration
        /// Highest growth of resident memory seen during the run over what it was before (freed heap
        /// returned to the system first, so an earlier run's pages do not hide this one's).
        public var peakResidentBytes: Int
    }

    public let server: Server
    /// Account set-ups (each a registration and a login) in flight at once.
    public let setupConcurrency: Int

    public init(server: Server, setupConcurrency: Int = 16) {
        self.server = server
        self.setupConcurrency = max(1, setupConcurrency)
    }

    // MARK: - Accounts

    /// Registers `count` contacts (XEP-0077 §3.1) and stores a vCard for each (XEP-0054 §3.2: FN,
    /// NICKNAME, DESC, and `photo` as PHOTO when given), `setupConcurrency` at a time; then registers
    /// the user and adds every contact to their roster (RFC 6121 §2.3; no subscription: vCards are
    /// public on the servers measured). Names are `prefix` plus a number. When a step fails, the
    /// accounts registered so far are removed before the error is thrown.
    public func populate(contacts count: Int, prefix: String, photo: (type: String, bytes: [UInt8])?) async throws -> Population {
        let registered = RegisteredAccounts()
        do {
            return try await populate(count, prefix: prefix, photo: photo, registered: registered)
        } catch {
            _ = await remove(registered.all)
            throw error
        }
    }

    private func populate(_ count: Int, prefix: String, photo: (type: String, bytes: [UInt8])?,
                          registered: RegisteredAccounts) async throws -> Population {
        let clock = ContinuousClock()
        let start = clock.now
        let photoElement = photo.map { photo in
            XMLElement("PHOTO", namespace: Self.vCardNamespace, children: [
                .element(XMLElement("TYPE", namespace: Self.vCardNamespace, text: photo.type)),
                .element(XMLElement("BINVAL", namespace: Self.vCardNamespace, text: Base64.encode(photo.bytes))),
            ])
        }
        let contacts = try await Self.forEach(Array(0..<count), limit: setupConcurrency) { index -> Account in
            let account = Account(username: "\(prefix)-\(index)", password: StanzaID.make())
            try await register(account)
            registered.add(account)
            let client = try await connect(account)
            var vCard = XMLElement("vCard", namespace: Self.vCardNamespace)
            vCard.append(XMLElement("FN", namespace: Self.vCardNamespace, text: "Contact \(index)"))
            vCard.append(XMLElement("NICKNAME", namespace: Self.vCardNamespace, text: "contact \(index)"))
            vCard.append(XMLElement("DESC", namespace: Self.vCardNamespace, text: "benchmark contact \(index) of \(count)"))
            if let photoElement { vCard.append(photoElement) }
            do {
                _ = try await client.send(IQ(.set, payload: vCard))
            } catch {
                await client.disconnect()
                throw error
            }
            await client.disconnect()
            return account
        }
        let contactsSetup = clock.now - start

        let rosterStart = clock.now
        let user = Account(username: "\(prefix)-user", password: StanzaID.make())
        try await register(user)
        registered.add(user)
        let client = try await connect(user)
        do {
            let domain = server.domain
            // One connection, 32 roster sets in flight (each is one item, RFC 6121 §2.3.1).
            _ = try await Self.forEach(contacts, limit: 32) { contact -> Int in
                var query = XMLElement("query", namespace: "jabber:iq:roster")
                query.append(XMLElement("item", namespace: "jabber:iq:roster",
                                        attributes: ["jid": "\(contact.username)@\(domain)", "name": contact.username]))
                _ = try await client.send(IQ(.set, payload: query))
                return 0
            }
        } catch {
            await client.disconnect()
            throw error
        }
        await client.disconnect()
        return Population(user: user, contacts: contacts, contactsSetup: contactsSetup, rosterSetup: clock.now - rosterStart)
    }

    /// Removes the user and the contacts (XEP-0077 §3.2), `setupConcurrency` at a time; returns how
    /// many could not be removed.
    public func remove(_ population: Population) async -> Int {
        await remove([population.user] + population.contacts)
    }

    private func remove(_ accounts: [Account]) async -> Int {
        let failures = (try? await Self.forEach(accounts, limit: setupConcurrency) { account -> Int in
            do {
                let client = try await connect(account)
                var query = XMLElement("query", namespace: Self.registerNamespace)
                query.append(XMLElement("remove", namespace: Self.registerNamespace))
                _ = try? await client.send(IQ(.set, payload: query))
                await client.disconnect()
                return 0
            } catch {
                return 1
            }
        }) ?? []
        return failures.reduce(0, +)
    }

    private func register(_ account: Account) async throws {
        var configuration = try configuration(for: account)
        configuration.credential = .unauthenticated
        let client = XMPPClient(configuration: configuration)
        try await client.connect()
        var query = XMLElement("query", namespace: Self.registerNamespace)
        query.append(XMLElement("username", namespace: Self.registerNamespace, text: account.username))
        query.append(XMLElement("password", namespace: Self.registerNamespace, text: account.password))
        do {
            _ = try await client.send(IQ(.set, payload: query))
        } catch {
            await client.disconnect()
            throw error
        }
        await client.disconnect()
    }

    private func connect(_ account: Account) async throws -> XMPPClient {
        let client = XMPPClient(configuration: try configuration(for: account))
        try await client.connect()
        return client
    }

    private func configuration(for account: Account) throws -> XMPPClientConfiguration {
        let jid = try JID("\(account.username)@\(server.domain)")
        var tls = TLSConfiguration(trust: server.caFile.map { .certificateAuthorities(file: $0) } ?? .systemDefault, serverName: server.domain)
        // TLS 1.2: Prosody then offers SCRAM-SHA-1-PLUS over tls-unique and logs in faster.
        tls.maximumVersion = .v1_2
        var logger = Logger(label: "xmppkit.bench")
        logger.logLevel = .error
        return XMPPClientConfiguration(jid: jid, credential: .password(account.password), host: server.host, port: server.port,
                                       tls: tls, streamManagement: false, reconnect: nil, requestTimeout: .seconds(30),
                                       logger: logger)
    }

    static let vCardNamespace = "vcard-temp"
    static let registerNamespace = "jabber:iq:register"

    /// `body` for every element, at most `limit` at a time; the results in input order. The first
    /// error cancels the rest and is thrown.
    static func forEach<Input: Sendable, Output: Sendable>(
        _ inputs: [Input], limit: Int, _ body: @escaping @Sendable (Input) async throws -> Output
    ) async throws -> [Output] {
        try await withThrowingTaskGroup(of: (Int, Output).self) { group in
            var results = [Output?](repeating: nil, count: inputs.count)
            var next = 0
            func startNext() {
                guard next < inputs.count else { return }
                let index = next, input = inputs[index]
                next += 1
                group.addTask { (index, try await body(input)) }
            }
            for _ in 0..<min(limit, inputs.count) { startNext() }
            while let (index, output) = try await group.next() {
                results[index] = output
                startNext()
            }
            return results.compactMap { $0 }
        }
    }

    // MARK: - Measuring

    /// Runs `body` once and measures its wall-clock time and the peak growth of resident memory,
    /// sampled every millisecond on a thread of its own (the cooperative pool may be busy).
    public static func measure<Value: Sendable>(_ body: () async throws -> Value) async throws -> Figures<Value> {
        CBenchmarkSupport_trimHeap()
        let sampler = ResidentSampler()
        let clock = ContinuousClock()
        let start = clock.now
        let value = try await body()
        let duration = clock.now - start
        let peak = sampler.stop()
        return Figures(value: value, duration: duration, peakResidentBytes: peak)
    }
}

/// The accounts `populate` registered so far, to remove them when a later step fails.
private final class RegisteredAccounts: Sendable {
    private let accounts = Mutex<[FriendsListBenchmark.Account]>([])

    func add(_ account: FriendsListBenchmark.Account) { accounts.withLock { $0.append(account) } }
    var all: [FriendsListBenchmark.Account] { accounts.withLock { $0 } }
}

/// Samples resident memory every millisecond until stopped; keeps the highest growth seen.
private final class ResidentSampler: Sendable {
    private let baseline: Int
    private let running = Atomic<Bool>(true)
    private let peak = Atomic<Int>(0)
    private let finished = DispatchSemaphore(value: 0)

    init() {
        baseline = MemoryProbe.residentBytes()
        let thread = Thread { [self] in
            while running.load(ordering: .acquiring) {
                record()
                usleep(1_000)
            }
            finished.signal()
        }
        thread.start()
    }

    private func record() {
        let growth = MemoryProbe.residentBytes() - baseline
        var current = peak.load(ordering: .relaxed)
        while growth > current {
            let (exchanged, original) = peak.compareExchange(expected: current, desired: growth, ordering: .relaxed)
            if exchanged { break }
            current = original
        }
    }

    /// Stops sampling (after one last sample) and returns the peak growth in bytes.
    func stop() -> Int {
        record()
        running.store(false, ordering: .releasing)
        finished.wait()
        return max(0, peak.load(ordering: .relaxed))
    }
}
