import Synchronization
import XMPPClient
import XMPPCore
import XMPPExtensions
import XMPPXML

/// One side of an RFC 6121 or XEP check: a logged-in raw stream and the JID bound on it.
struct Party: Sendable {
    let probe: StreamProbe
    let jid: JID

    /// The bare JID, as text.
    var bare: String { jid.bare.description }
    var full: String { jid.description }
}

/// Namespaces the RFC 6121 and XEP checks use: the extension modules' own constants, so a check
/// and the module it mirrors cannot disagree.
enum NS {
    static let roster = RosterItem.namespace
    static let rosterVersioning = RosterVersioning.featureNamespace
    static let discoInfo = DiscoInfo.namespace
    static let discoItems = DiscoItem.namespace
    static let caps = CapabilitiesElement.namespace
    static let vcard = VCard.namespace
    static let last = LastActivity.namespace
    static let privateStorage = PrivateStorageQuery.namespace
    static let ping = PingModule.namespace
    static let blocking = BlockingCommand.namespace
    static let blockingErrors = BlockingCommand.errorsNamespace
    static let privacy = PrivacyList.namespace
    static let register = RegistrationQuery.namespace
    static let upload = UploadRequest.namespace
    static let dataForms = DataForm.namespace
    static let serverInfo = ServerContactAddresses.formType
}

extension String {
    /// The text escaped for an XML attribute value or character data.
    var xmlEscaped: String {
        var out = ""
        for character in self {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "'": out += "&apos;"
            case "\"": out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }
}

/// Cleanup a check owes to the operator's accounts (roster items, blocks, stored data); with
/// `--register` the accounts are removed anyway and nothing runs.
final class Cleanup: Sendable {
    private let actions = Mutex<[@Sendable () async -> Void]>([])
    let enabled: Bool

    init(_ context: CheckContext) { enabled = !context.configuration.mayRegister }

    func add(_ action: @escaping @Sendable () async -> Void) {
        guard enabled else { return }
        actions.withLock { $0.append(action) }
    }

    func run() async {
        let all = actions.withLock { actions in
            defer { actions.removeAll() }
            return actions
        }
        for action in all.reversed() { await action() }
    }
}

extension CheckContext {
    /// Runs `body`, then the cleanup it registered, whether it threw or not.
    func withCleanup(_ body: (Cleanup) async throws -> Void) async throws {
        let cleanup = Cleanup(self)
        do {
            try await body(cleanup)
        } catch {
            await cleanup.run()
            throw error
        }
        await cleanup.run()
    }

    /// `account` logged in on a raw stream. `rosterGet` makes the resource an interested one
    /// (RFC 6121 §2.1.6), `available` sends initial presence (§4.2); both are setup.
    func party(_ account: ConformanceAccount, resource: String? = nil, rosterGet: Bool = true,
               available: Bool = true) async throws(CheckSetupError) -> Party {
        let (probe, jid) = try await loggedIn(account, resource: resource)
        if rosterGet {
            let id = StanzaID.make()
            let reply = try await probe.request(raw: IQ.raw("get", id: id, to: nil, "<query xmlns='\(NS.roster)'/>"), id: id)
            guard reply.attribute("type") == "result" else { throw CheckSetupError("the roster get failed: \(reply)") }
        }
        if available { try await probe.send("<presence/>") }
        return Party(probe: probe, jid: jid)
    }

    /// The server's disco#info `<query/>` (XEP-0030 §3.1), asked on `probe`; setup.
    func serverInfo(on probe: StreamProbe, node: String? = nil) async throws(CheckSetupError) -> XMLElement {
        let id = StanzaID.make()
        let nodeAttribute = node.map { " node='\($0.xmlEscaped)'" } ?? ""
        let reply = try await probe.request(raw: IQ.raw("get", id: id, to: domain, "<query xmlns='\(NS.discoInfo)'\(nodeAttribute)/>"), id: id)
        guard reply.attribute("type") == "result", let query = reply.child("query", namespace: NS.discoInfo) else {
            throw CheckSetupError("the server's disco#info failed: \(reply)")
        }
        return query
    }

    /// The features the server lists in disco#info.
    func serverFeatures(on probe: StreamProbe) async throws(CheckSetupError) -> Set<String> {
        let query = try await serverInfo(on: probe)
        return Set(query.children("feature", namespace: NS.discoInfo).compactMap { $0.attribute("var") })
    }

    /// Not applicable unless the server lists `feature` in disco#info.
    func requireServerFeature(_ feature: String, on probe: StreamProbe, _ what: String) async throws {
        guard try await serverFeatures(on: probe).contains(feature) else {
            throw CheckNotApplicable("the server does not offer \(what) (no \(feature) in its disco#info)")
        }
    }

    /// Removes `contact` from the roster of the account logged in on `probe`, ignoring the answer.
    func removeFromRoster(_ contact: String, on probe: StreamProbe) async {
        let id = StanzaID.make()
        _ = try? await probe.request(
            raw: IQ.raw("set", id: id, to: nil, "<query xmlns='\(NS.roster)'><item jid='\(contact.xmlEscaped)' subscription='remove'/></query>"),
            id: id, within: .seconds(3))
    }

    /// The presence checks' common start: `count` accounts, A and B logged in (rosters requested,
    /// available), B subscribed to A's presence (undone afterwards for the operator's accounts);
    /// `body` gets the accounts (for more resources or a stranger) and the two parties.
    func withSubscribedPair(accounts count: Int = 2,
                            _ body: (_ accounts: [ConformanceAccount], _ a: Party, _ b: Party) async throws -> Void) async throws {
        let accounts = try await accounts(count)
        let a = try await party(accounts[0])
        let b = try await party(accounts[1])
        try await withCleanup { cleanup in
            try await establishSubscription(from: b, to: a, cleanup: cleanup)
            try await body(accounts, a, b)
        }
    }

    /// `subscriber` asks for `contact`'s presence (RFC 6121 §3.1.1) and the request reaches
    /// `contact`; both rosters are cleaned afterwards. The start of every subscription check.
    func requestSubscription(from subscriber: Party, to contact: Party, cleanup: Cleanup) async throws(CheckSetupError) {
        cleanup.add { [self] in
            await removeFromRoster(contact.bare, on: subscriber.probe)
            await removeFromRoster(subscriber.bare, on: contact.probe)
        }
        try await subscriber.probe.send("<presence to='\(contact.bare)' type='subscribe'/>")
        _ = try await contact.probe.nextElement { $0.isPresence(type: "subscribe", fromBare: subscriber.bare) }
            .orSetupError("\(contact.bare) did not receive the subscription request from \(subscriber.bare)")
    }

    /// `subscriber` subscribes to `contact`'s presence and `contact` approves (RFC 6121 §3.1):
    /// setup for the presence checks. Both must be available and interested.
    func establishSubscription(from subscriber: Party, to contact: Party, cleanup: Cleanup) async throws(CheckSetupError) {
        try await requestSubscription(from: subscriber, to: contact, cleanup: cleanup)
        try await contact.probe.send("<presence to='\(subscriber.bare)' type='subscribed'/>")
        _ = try await subscriber.probe.nextElement { $0.isPresence(type: "subscribed", fromBare: contact.bare) }
            .orSetupError("\(subscriber.bare) did not receive the subscription approval from \(contact.bare)")
    }
}

extension XMLElement {
    /// Whether this is a presence of `type` (nil: available) from `fromBare`'s bare JID.
    func isPresence(type: String?, fromBare: String) -> Bool {
        name == "presence" && attribute("type") == type && bareFrom == fromBare
    }

    /// The bare JID of `from`, as text.
    var bareFrom: String? {
        attribute("from").flatMap { try? JID($0) }?.bare.description
    }

    /// The item of a roster push (RFC 6121 §2.1.6) for `jid`, if this is one.
    func rosterPushItem(for jid: String) -> XMLElement? {
        guard name == "iq", attribute("type") == "set", let query = child("query", namespace: NS.roster) else { return nil }
        return query.children("item", namespace: NS.roster).first { $0.attribute("jid").flatMap { try? JID($0) }?.bare.description == jid }
    }

    /// The `<status/>` text of a presence.
    var status: String? { childText("status", namespace: XMPPNamespace.client) }
}

extension StreamProbe {
    /// Answers a server push (an IQ set to us: roster push, blocklist push, privacy-list push)
    /// with a result, as a client MUST (RFC 6121 §2.1.6).
    func acknowledgePush(_ element: XMLElement) async {
        guard element.name == "iq", element.attribute("type") == "set", let id = element.attribute("id") else { return }
        let to = element.attribute("from").map { " to='\($0.xmlEscaped)'" } ?? ""
        try? await send("<iq type='result' id='\(id.xmlEscaped)'\(to)/>")
    }

    /// The next top-level element matching `matches` within `timeout`, skipping others (pushes
    /// among them are answered); nil when none came or the stream ended.
    func nextElement(within timeout: Duration = StreamProbe.defaultTimeout, where matches: (XMLElement) -> Bool) async -> XMLElement? {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            switch await next(within: deadline - clock.now) {
            case .element(let element)?:
                await acknowledgePush(element)
                if matches(element) { return element }
            case .header?, .tlsEstablished?:
                continue
            default:
                return nil
            }
        }
        return nil
    }

    /// Reads elements until `done` holds for those read so far, the time runs out, or the
    /// stream ends; answers pushes on the way. Returns everything read.
    func collect(within timeout: Duration = StreamProbe.defaultTimeout, until done: ([XMLElement]) -> Bool) async -> [XMLElement] {
        var seen: [XMLElement] = []
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while !done(seen), clock.now < deadline {
            switch await next(within: deadline - clock.now) {
            case .element(let element)?:
                await acknowledgePush(element)
                seen.append(element)
            case .header?, .tlsEstablished?:
                continue
            default:
                return seen
            }
        }
        return seen
    }

    /// Sends `xml` (an IQ with `id`) and reads until its reply, answering pushes; returns the
    /// reply and everything else read before it.
    func requestCollecting(raw xml: String, id: String, within timeout: Duration = StreamProbe.defaultTimeout)
        async throws(CheckSetupError) -> (reply: XMLElement, others: [XMLElement]) {
        try await send(xml)
        let seen = await collect(within: timeout) { $0.last.map { $0.name == "iq" && $0.attribute("id") == id && $0.attribute("type") != "set" && $0.attribute("type") != "get" } ?? false }
        guard let reply = seen.last, reply.name == "iq", reply.attribute("id") == id else {
            throw CheckSetupError("no reply to IQ \(id) within \(timeout)")
        }
        return (reply, Array(seen.dropLast()))
    }

    /// Sends an IQ to `to` (nil: the account) with `payload`; returns the reply.
    func query(_ type: String, to: String?, _ payload: String, within timeout: Duration = StreamProbe.defaultTimeout)
        async throws(CheckSetupError) -> XMLElement {
        let id = StanzaID.make()
        return try await request(raw: IQ.raw(type, id: id, to: to, payload), id: id, within: timeout)
    }
}

/// A unique token for the markers checks put in stanzas.
func conformanceMarker(_ prefix: String) -> String {
    "\(prefix)-" + StanzaID.make().lowercased().prefix(10)
}
