import Synchronization
import TestSupport
import XMPPClient
import XMPPCore
import XMPPExtensions

/// Collects a module's events as they come (subscribe before the action), so a test can wait for
/// the one it expects with a bound that only keeps a broken test from hanging.
final class ModuleEventRecorder<Event: Sendable>: Sendable {
    private let received = Mutex<[Event]>([])
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(_ stream: AsyncStream<Event>) {
        let reader = Task { [weak self] in
            for await event in stream { self?.received.withLock { $0.append(event) } }
        }
        task.withLock { $0 = reader }
    }

    deinit {
        task.withLock { $0?.cancel() }
    }

    var events: [Event] { received.withLock { $0 } }

    /// The first event `match` accepts, waiting up to `timeout` for it.
    func first<T>(timeout: Duration = .seconds(15), _ match: (Event) -> T?) async -> T? {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        repeat {
            if let found = events.lazy.compactMap(match).first { return found }
            try? await Task.sleep(for: .milliseconds(10))
        } while clock.now < deadline
        return events.lazy.compactMap(match).first
    }
}

/// Waits until `condition` holds, up to `timeout`; returns whether it did.
func rosterEventually(timeout: Duration = .seconds(15), _ condition: () async -> Bool) async -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: timeout)
    repeat {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    } while clock.now < deadline
    return await condition()
}

/// One logged-in test user with the roster and subscription modules.
struct RosterUser {
    var client: XMPPClient
    var account: TestAccounts.Account
    var roster: RosterModule
    var subscriptions: PresenceSubscriptionModule
    var rosterEvents: ModuleEventRecorder<RosterEvent>
    var subscriptionEvents: ModuleEventRecorder<SubscriptionEvent>

    var jid: JID { account.jid }

    /// Logs `account` in (a fresh one when nil), waits for the roster fetched at session start, and
    /// sends initial presence (RFC 6121 §2.2: the roster first).
    static func connect(on server: ServerEnvironment.Server, account: TestAccounts.Account? = nil,
                        snapshot: RosterSnapshot? = nil, resource: String? = nil,
                        sendPresence: Bool = true) async throws -> RosterUser {
        let roster = RosterModule(snapshot: snapshot)
        let subscriptions = PresenceSubscriptionModule()
        let rosterEvents = ModuleEventRecorder(roster.events)
        let subscriptionEvents = ModuleEventRecorder(subscriptions.events)
        let account = if let account { account } else { try await TestAccounts.register(on: server, prefix: "roster") }
        let client = try await TestAccounts.connect(account, on: server, modules: [roster, subscriptions], resource: resource)
        let loaded = await rosterEvents.first { event -> Bool? in
            if case .loaded = event { return true }
            if case .fetchFailed = event { return false }
            return nil
        }
        guard loaded == true else {
            await client.disconnect()
            throw RosterTestError.rosterNotLoaded(rosterEvents.events.map { "\($0)" })
        }
        if sendPresence { try await client.send(Presence()) }
        return RosterUser(client: client, account: account, roster: roster, subscriptions: subscriptions,
                          rosterEvents: rosterEvents, subscriptionEvents: subscriptionEvents)
    }

    /// The first push that set `jid`'s item to something `accepts` takes.
    func push(for jid: JID, _ accepts: @escaping (RosterItem) -> Bool) async -> RosterItem? {
        await rosterEvents.first { event in
            if case .itemChanged(_, let new) = event, new.jid == jid, accepts(new) { return new }
            return nil
        }
    }

    func removal(of jid: JID) async -> RosterItem? {
        await rosterEvents.first { event in
            if case .itemRemoved(let old) = event, old.jid == jid { return old }
            return nil
        }
    }
}

enum RosterTestError: Error {
    case rosterNotLoaded([String])
}
