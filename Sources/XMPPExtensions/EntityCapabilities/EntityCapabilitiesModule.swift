import XMPPClient
import XMPPCore
import XMPPCrypto
import XMPPXML

/// Entity capabilities (XEP-0115): puts our caps hash into outbound presence, answers disco#info at
/// `node#ver`, and verifies the hashes others announce before trusting them (§5.4).
public actor EntityCapabilitiesModule: XMPPModule {
    public nonisolated let features = [CapabilitiesElement.namespace]
    /// Every presence: an unavailable one carries no `<c/>` but ends what we know of its sender.
    public nonisolated let routes: [StanzaRoute] = [.anyPresence]

    /// What a presence's caps told us.
    public enum Event: Sendable, Hashable {
        /// `jid`'s hash matched its disco#info (or a hash verified before): these are its features.
        case verified(JID, DiscoInfo)
        /// `jid` announced a hash its disco#info does not produce, or an answer §5.4 forbids using.
        case verificationFailed(JID, ver: String, reason: String)
    }

    /// The URI naming our software (§4 `node`).
    public nonisolated let node: String
    private let broadcaster = EventBroadcaster<Event>()
    private var context = ModuleContext.unattached
    /// Verified hashes (§5.4 step 3.8: cache by ver, reuse for every entity announcing it).
    private var verified: [String: DiscoInfo] = [:]
    /// Hashes being verified now; at most ``maximumVerifications`` at a time, each in its own task
    /// so a peer that never answers does not hold up the presences behind it.
    /// (The entities that announced a hash while it was being verified hear the result with it.)
    private var inFlight: [String: [JID]] = [:]
    private let maximumVerifications = 8
    private var entities: [JID: DiscoInfo] = [:]
    private var published: String?
    /// Bounds what a peer announcing ever-new hashes can make us store.
    private let cacheLimit = 4096

    public init(node: String = "https://github.com/xmppkit/xmppkit") {
        self.node = node
    }

    /// Every caps event from now on.
    public nonisolated var events: AsyncStream<Event> { broadcaster.subscribe() }

    public func attach(_ context: ModuleContext) async {
        self.context = context
        _ = try? await context.discovery()
    }

    public func sessionStarted(resumed: Bool) async {
        if !resumed { entities = [:] }
    }

    /// Our own `ver` now (§5.1), from the disco#info we answer.
    public func currentVer() async throws -> String {
        try CapabilitiesHash.ver(for: await context.discovery().ownInfo())
    }

    /// The features `jid` announced with a hash we verified, if any.
    public func capabilities(of jid: JID) -> DiscoInfo? {
        entities[jid]
    }

    /// §4: every available presence we send carries our current `<c/>`, and disco answers at `node#ver`.
    public func decorate(_ presence: Presence) async -> Presence {
        guard presence.kind == .available, let discovery = try? await context.discovery(),
              let ver = try? CapabilitiesHash.ver(for: await discovery.ownInfo()) else { return presence }
        if published != ver {
            if let published { await discovery.unpublish(node: "\(node)#\(published)") }
            await discovery.publish(node: "\(node)#\(ver)")
            published = ver
        }
        var presence = presence
        presence.removePayloads("c", namespace: CapabilitiesElement.namespace)
        presence.append(CapabilitiesElement(hash: "sha-1", node: node, ver: ver).element)
        return presence
    }

    public func handlePresence(_ presence: Presence) async {
        guard let from = presence.from else { return }
        if presence.kind == .unavailable {
            entities[from] = nil
            return
        }
        guard presence.kind == .available,
              let caps = presence.element.child("c", namespace: CapabilitiesElement.namespace).flatMap(CapabilitiesElement.init(element:)),
              let hashName = caps.hash, let algorithm = CapabilitiesHash.algorithms[hashName] else { return }
        if let info = verified[caps.ver] {
            remember(from, info)
            return
        }
        if inFlight[caps.ver] != nil {
            if inFlight[caps.ver, default: []].count < cacheLimit { inFlight[caps.ver]?.append(from) }
            return
        }
        guard inFlight.count < maximumVerifications else { return }
        inFlight[caps.ver] = []
        Task {
            await self.verify(from, caps, algorithm)
            self.finished(caps.ver)
        }
    }

    /// Hands a verified hash's features to the entities that announced it meanwhile.
    private func finished(_ ver: String) {
        let waiting = inFlight.removeValue(forKey: ver) ?? []
        guard let info = verified[ver] else { return }
        for jid in waiting { remember(jid, info) }
    }

    /// §5.4 step 3: ask the announcing entity at `node#ver`, hash the answer, compare.
    private func verify(_ jid: JID, _ caps: CapabilitiesElement, _ algorithm: HashFunction) async {
        do {
            // Not cached by disco: an unverified answer must not stay in memory (§5.4).
            let info = try await context.discovery().info(for: jid, node: "\(caps.node)#\(caps.ver)", refresh: true, cache: false)
            try CapabilitiesHash.validate(info)
            let computed = try CapabilitiesHash.ver(for: info, algorithm: algorithm)
            guard computed == caps.ver else {
                broadcaster.yield(.verificationFailed(jid, ver: caps.ver, reason: "the disco#info answer hashes to \(computed)"))
                return
            }
            if verified.count >= cacheLimit { verified.removeAll(keepingCapacity: true) }
            verified[caps.ver] = info
            remember(jid, info)
        } catch {
            broadcaster.yield(.verificationFailed(jid, ver: caps.ver, reason: "\(error)"))
        }
    }

    private func remember(_ jid: JID, _ info: DiscoInfo) {
        if entities.count >= cacheLimit { entities.removeAll(keepingCapacity: true) }
        entities[jid] = info
        broadcaster.yield(.verified(jid, info))
    }
}

extension EntityCapabilitiesModule: ServerFeatureDetecting {
    /// Caps need disco#info on both ends; the server's part is answering and forwarding presence,
    /// so support is the server's disco#info (XEP-0115 §6.3 server caps are optional).
    public func isSupportedByServer() async throws -> Bool {
        try await context.serverSupports(DiscoInfo.namespace)
    }
}
