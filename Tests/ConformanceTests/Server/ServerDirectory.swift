import Synchronization
import TestSupport
import XMPPCore
import XMPPCrypto
import XMPPXML

/// The server's memory: accounts with their rosters and stored data, the bound sessions, and the
/// routing between them (RFC 6120 §10, RFC 6121 §8). All state sits behind one lock
/// (``DirectoryState``); every operation returns the ``Delivery``s it caused, performed after the
/// lock is released.
final class ServerDirectory: Sendable {
    let options: ServerOptions
    private let state: Mutex<DirectoryState>

    init(options: ServerOptions) {
        self.options = options
        state = Mutex(DirectoryState(options: options))
    }

    /// Runs `body` under the lock, then performs what it delivers.
    @discardableResult
    func update<T>(_ body: (inout DirectoryState) -> (T, [Delivery])) -> T {
        let (value, deliveries) = state.withLock { body(&$0) }
        for delivery in deliveries { delivery.perform() }
        return value
    }

    func provision(username: String, password: String) throws {
        let created = update { state in (state.register(username: username, password: password), []) }
        guard created == nil else { throw ServerError("cannot provision \(username): \(created ?? "")") }
    }

    /// The password of `username`, if the account exists.
    func password(of username: String) -> String? {
        state.withLock { $0.accounts[DirectoryState.normalize(username) ?? ""]?.password }
    }

    /// SCRAM's SaltedPassword for `user` (RFC 5802 §3), derived once per password and hash, as a
    /// server stores it; nil if there is no such account.
    func saltedPassword(of user: String, scram: SCRAMServer) -> [UInt8]? {
        let key = scram.hash.rawValue
        guard let (password, cached) = state.withLock({ state in
            state.accounts[user].map { ($0.password, $0.saltedPasswords[key]) }
        }) else { return nil }
        if let cached, cached.password == password { return cached.salted }
        guard let salted = try? PBKDF2.deriveKey(password: Array(password.utf8), salt: scram.salt, iterations: scram.iterations,
                                                 using: scram.hash) else { return nil }
        state.withLock { state in
            if state.accounts[user]?.password == password { state.accounts[user]?.saltedPasswords[key] = (password, salted) }
        }
        return salted
    }
}

struct ServerError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// One account (RFC 6121 roster, XEP-0054, XEP-0049, XEP-0191, XEP-0016 data).
struct Account {
    var password: String
    var roster: [String: RosterItem] = [:]
    var rosterVersion = 1
    var vCard: XMLElement?
    /// XEP-0049 fragments by "namespace name".
    var privateData: [String: XMLElement] = [:]
    var blocklist: [String] = []
    var privacyLists: [String: XMLElement] = [:]
    var activePrivacyList: String?
    var defaultPrivacyList: String?
    /// Subscription requests not yet answered, by the requester's bare JID (RFC 6121 §3.1.3).
    var pendingSubscriptions: [String: XMLElement] = [:]
    var lastLogout: ContinuousClock.Instant?
    /// SCRAM SaltedPassword by hash name, with the password it was derived from.
    var saltedPasswords: [String: (password: String, salted: [UInt8])] = [:]
}

/// One roster item (RFC 6121 §2.1.2).
struct RosterItem {
    var jid: String
    var name: String?
    var groups: [String] = []
    /// none, to, from or both.
    var subscription = "none"
    var ask = false

    var hasTo: Bool { subscription == "to" || subscription == "both" }
    var hasFrom: Bool { subscription == "from" || subscription == "both" }
}

/// One bound resource (RFC 6120 §7).
struct Session {
    let connectionID: Int
    var resource: String
    /// nil while detached, waiting for XEP-0198 resumption.
    var handle: SessionHandle?
    var streamManagement: StreamManagementState?
    /// The last available presence (RFC 6121 §4.2); nil before initial presence or after unavailable.
    var presence: XMLElement?

    var priority: Int {
        Int(presence?.childText("priority", namespace: XMPPNamespace.client)?.trimmingWhitespace ?? "") ?? 0
    }

    var target: Delivery.Target? {
        if let handle { return .live(handle) }
        if let streamManagement { return .detached(streamManagement) }
        return nil
    }
}

/// Everything behind the directory's lock. Extensions in other files handle the roster and
/// presence (ServerRoster.swift), server IQs (ServerIQHandlers.swift) and discovery.
struct DirectoryState {
    static let maximumAccounts = 10_000
    static let maximumSessionsPerAccount = 64
    static let maximumRosterItems = 1000
    static let maximumStoredItems = 256

    let options: ServerOptions
    var accounts: [String: Account] = [:]
    var sessions: [String: [Session]] = [:]
    /// Resumable XEP-0198 sessions: id → (username, resource).
    var resumable: [String: (user: String, resource: String)] = [:]
    var pushCounter = 0

    init(options: ServerOptions) {
        self.options = options
    }

    var domain: String { options.domain }

    func breaks(_ id: String) -> Bool { options.breaks(id) }

    /// The normalized localpart (RFC 7622), nil if `username` cannot be one.
    static func normalize(_ username: String) -> String? {
        guard !username.isEmpty, let jid = try? JID(localpart: username, domainpart: "xmpp.test") else { return nil }
        return jid.localpart
    }

    /// The account's JID string.
    func bare(_ user: String) -> String { "\(user)@\(domain)" }

    /// The local account `jid` names, if it is on this domain and exists.
    func localUser(_ jid: JID) -> String? {
        guard jid.domainpart == domain, let local = jid.localpart, accounts[local] != nil else { return nil }
        return local
    }

    mutating func nextPushID() -> String {
        pushCounter += 1
        return "push-\(pushCounter)"
    }

    // MARK: - Accounts (XEP-0077)

    /// Creates an account; returns the stanza error condition when it cannot.
    mutating func register(username: String, password: String) -> String? {
        guard let user = Self.normalize(username), !password.isEmpty, password.utf8.count <= 1024 else { return "not-acceptable" }
        guard accounts[user] == nil else { return "conflict" }
        guard accounts.count < Self.maximumAccounts else { return "resource-constraint" }
        accounts[user] = Account(password: password)
        return nil
    }

    /// Removes an account (XEP-0077 §3.2) and its sessions' state.
    mutating func removeAccount(_ user: String) {
        accounts[user] = nil
        resumable = resumable.filter { $0.value.user != user }
    }

    // MARK: - Sessions (RFC 6120 §7)

    func session(_ user: String, _ resource: String) -> Session? {
        sessions[user]?.first { $0.resource == resource }
    }

    /// Binds a resource for `user`; a resource already in use gets a fresh one instead (§7.7.2.2).
    mutating func bind(user: String, requested: String?, handle: SessionHandle) -> Result<String, BindError> {
        guard accounts[user] != nil else { return .failure(.notAuthorized) }
        var list = sessions[user] ?? []
        guard list.count < Self.maximumSessionsPerAccount else { return .failure(.resourceConstraint) }
        var resource = requested ?? ""
        if resource.isEmpty || (try? JID(localpart: user, domainpart: domain, resourcepart: resource)) == nil {
            resource = "r-" + StanzaID.make().prefix(10)
        }
        if !breaks("rfc6120-bind-conflict") {
            while list.contains(where: { $0.resource == resource }) {
                resource += "-" + StanzaID.make().prefix(6)
            }
        }
        list.append(Session(connectionID: handle.connectionID, resource: resource, handle: handle))
        sessions[user] = list
        return .success(resource)
    }

    enum BindError: Error {
        case notAuthorized
        case resourceConstraint
    }

    mutating func setStreamManagement(_ state: StreamManagementState, user: String, connectionID: Int, resumable: Bool) {
        guard let index = sessions[user]?.firstIndex(where: { $0.connectionID == connectionID }),
              let resource = sessions[user]?[index].resource else { return }
        sessions[user]?[index].streamManagement = state
        if resumable { self.resumable[state.id] = (user, resource) }
    }

    /// The connection dropped while resumption is possible: keep the session, detached.
    mutating func detach(user: String, connectionID: Int) {
        guard let index = sessions[user]?.firstIndex(where: { $0.connectionID == connectionID }) else { return }
        sessions[user]?[index].handle = nil
    }

    /// Moves a resumable session to a new connection (XEP-0198 §5); returns its resource and
    /// counters, and the connection that held it (to be closed).
    mutating func resume(id: String, user: String, handle: SessionHandle) -> (resource: String, state: StreamManagementState, old: SessionHandle?)? {
        guard let record = resumable[id], record.user == user,
              let index = sessions[user]?.firstIndex(where: { $0.resource == record.resource }),
              let session = sessions[user]?[index], let state = session.streamManagement else { return nil }
        let old = session.handle
        sessions[user]?[index] = Session(connectionID: handle.connectionID, resource: session.resource, handle: handle,
                                         streamManagement: state, presence: session.presence)
        return (session.resource, state, old)
    }

    /// Ends the session of `connectionID` (if it still owns it): unavailable presence goes to
    /// whoever saw it available (RFC 6121 §4.5.2).
    mutating func endSession(user: String, connectionID: Int) -> [Delivery] {
        guard let index = sessions[user]?.firstIndex(where: { $0.connectionID == connectionID }),
              let session = sessions[user]?[index] else { return [] }
        return end(user: user, index: index, session: session)
    }

    /// A detached session whose resumption time ran out.
    mutating func expire(id: String) -> [Delivery] {
        guard let record = resumable[id],
              let index = sessions[record.user]?.firstIndex(where: { $0.resource == record.resource && $0.streamManagement?.id == id }),
              let session = sessions[record.user]?[index], session.handle == nil else { return [] }
        return end(user: record.user, index: index, session: session)
    }

    private mutating func end(user: String, index: Int, session: Session) -> [Delivery] {
        sessions[user]?.remove(at: index)
        if sessions[user]?.isEmpty == true { sessions[user] = nil }
        if let id = session.streamManagement?.id { resumable[id] = nil }
        accounts[user]?.lastLogout = .now
        guard session.presence != nil else { return [] }
        var unavailable = XMLElement("presence", namespace: XMPPNamespace.client, attributes: ["type": "unavailable"])
        unavailable.setAttribute("from", to: "\(bare(user))/\(session.resource)")
        return broadcast(unavailable, from: user, resource: session.resource)
    }

    // MARK: - Routing (RFC 6120 §10, RFC 6121 §8)

    /// Deliveries of `stanza` to each of `user`'s sessions that `include` selects (addressed to
    /// the session's full JID when it has no `to`).
    func deliveries(_ stanza: XMLElement, to user: String, where include: (Session) -> Bool = { _ in true }) -> [Delivery] {
        (sessions[user] ?? []).filter(include).compactMap { session in
            guard let target = session.target else { return nil }
            var copy = stanza
            if copy.attribute("to") == nil { copy.setAttribute("to", to: "\(bare(user))/\(session.resource)") }
            return Delivery(target: target, stanza: copy)
        }
    }

    /// A reply straight to the sender's session.
    func reply(_ stanza: XMLElement, to sender: JID) -> [Delivery] {
        guard let user = sender.localpart, let resource = sender.resourcepart, let session = session(user, resource),
              let target = session.target else { return [] }
        return [Delivery(target: target, stanza: stanza)]
    }

    /// Whether `user` blocks `jid` (XEP-0191): the bare JID, or its domain.
    func blocks(_ user: String, _ jid: JID) -> Bool {
        guard let list = accounts[user]?.blocklist, !list.isEmpty else { return false }
        return list.contains(jid.bareString) || list.contains(jid.description) || list.contains(jid.domainpart)
    }

    /// Whether `user` blocks the local bare JID `bare`.
    func blocks(_ user: String, bare: String) -> Bool {
        accounts[user]?.blocklist.contains(bare) == true
    }

    /// Stamps `from` (RFC 6120 §8.1.2.1): the sender's full JID, whatever the client put there.
    func stamped(_ stanza: XMLElement, sender: JID) -> XMLElement {
        var copy = stanza
        if stanza.attribute("from") == nil {
            if !breaks("rfc6120-from-stamped") { copy.setAttribute("from", to: sender.description) }
        } else if !breaks("rfc6120-from-spoofing") {
            copy.setAttribute("from", to: sender.description)
        }
        return copy
    }

    /// Routes a message from a bound session (RFC 6121 §8.5).
    mutating func routeMessage(_ message: XMLElement, from sender: JID) -> [Delivery] {
        guard let senderUser = sender.localpart else { return [] }
        let stanza = stamped(message, sender: sender)
        let type = ServerStanza.type(of: message) ?? "normal"
        func bounce(_ condition: String, _ extra: XMLElement?) -> [Delivery] {
            // §8.3.1: never an error for an error, unless that is the rule being broken.
            type == "error" && !breaks("rfc6120-message-error-not-answered")
                ? [] : reply(ServerStanza.error(stanza.withFrom(sender), condition, extra: extra), to: sender)
        }
        guard case .jid(let to) = ServerStanza.address(message.attribute("to")) else {
            return message.attribute("to") == nil ? [] : bounce("jid-malformed", nil)
        }
        guard to.domainpart == domain else {
            return to.domainpart == options.uploadDomain ? bounce("service-unavailable", nil) : bounce("remote-server-not-found", nil)
        }
        guard let local = to.localpart else { return [] }
        guard accounts[local] != nil else { return bounce("service-unavailable", nil) }
        if blocks(senderUser, to) {
            let blocked = breaks("xep0191-blocked-outbound") ? nil : XMLElement("blocked", namespace: "urn:xmpp:blocking:errors")
            return bounce("not-acceptable", blocked)
        }
        if blocks(local, sender), !breaks("xep0191-blocked-inbound") {
            return bounce("service-unavailable", nil)
        }
        if let resource = to.resourcepart {
            if breaks("rfc6121-message-full-jid") { return deliveries(stanza, to: local) }
            if session(local, resource) != nil { return deliveries(stanza, to: local) { $0.resource == resource } }
            // §8.5.3.2.1: no such resource.
            switch type {
            case "normal", "chat": break
            case "groupchat": return bounce("service-unavailable", nil)
            default: return []
            }
        }
        if breaks("rfc6121-message-bare-jid") { return [] }
        let available = (sessions[local] ?? []).filter { $0.presence != nil && $0.priority >= 0 }
        if type == "error" || type == "groupchat" { return [] }
        if !available.isEmpty {
            let top = available.map(\.priority).max() ?? 0
            return deliveries(stanza, to: local) { $0.presence != nil && (type == "headline" ? $0.priority >= 0 : $0.priority == top) }
        }
        return deliveries(stanza, to: local)
    }

    /// Routes an IQ from a bound session: to the server, on behalf of an account, or to a resource
    /// (RFC 6120 §8.2, §10.5; RFC 6121 §8.5).
    mutating func routeIQ(_ iq: XMLElement, from sender: JID) -> [Delivery] {
        let stanza = stamped(iq, sender: sender).withFrom(sender)
        let type = iq.attribute("type") ?? ""
        let isRequest = type == "get" || type == "set"
        guard isRequest || type == "result" || type == "error", iq.attribute("id") != nil else {
            return reply(ServerStanza.error(stanza, "bad-request"), to: sender)
        }
        func fail(_ condition: String) -> [Delivery] {
            isRequest ? reply(ServerStanza.error(stanza, condition), to: sender) : []
        }
        let to: JID
        switch ServerStanza.address(iq.attribute("to")) {
        case .none: return handleServerIQ(stanza, from: sender, onBehalfOf: nil)
        case .invalid: return fail("jid-malformed")
        case .jid(let jid): to = jid
        }
        if to.localpart == nil && to.resourcepart == nil {
            if to.domainpart == domain { return handleServerIQ(stanza, from: sender, onBehalfOf: nil) }
            if to.domainpart == options.uploadDomain { return handleUploadIQ(stanza, from: sender) }
        }
        guard to.domainpart == domain, let local = to.localpart else { return fail("remote-server-not-found") }
        guard accounts[local] != nil else {
            return fail(breaks("rfc6120-iq-unknown-user") ? "item-not-found" : "service-unavailable")
        }
        guard let senderUser = sender.localpart else { return [] }
        if blocks(senderUser, to) {
            return isRequest ? reply(ServerStanza.error(stanza, "not-acceptable", extra: XMLElement("blocked", namespace: "urn:xmpp:blocking:errors")), to: sender) : []
        }
        if blocks(local, sender) { return fail("service-unavailable") }
        guard let resource = to.resourcepart else {
            return handleServerIQ(stanza, from: sender, onBehalfOf: local)
        }
        guard session(local, resource) != nil else {
            // The misbehaviour answers with the wrong condition.
            return fail(breaks("rfc6121-iq-unavailable-resource") ? "recipient-unavailable" : "service-unavailable")
        }
        return deliveries(stanza, to: local) { $0.resource == resource }
    }
}

extension XMLElement {
    /// A copy whose `from` is `jid` (the server's own view of the sender, for replies).
    func withFrom(_ jid: JID) -> XMLElement {
        var copy = self
        copy.setAttribute("from", to: jid.description)
        return copy
    }
}
