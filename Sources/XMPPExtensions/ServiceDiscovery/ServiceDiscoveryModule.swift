import XMPPClient
import XMPPCore
import XMPPXML

/// Service discovery (XEP-0030): answers disco#info and disco#items queries about us from the
/// features the registered modules advertise, and asks other entities, caching their answers for
/// the session.
public actor ServiceDiscoveryModule: XMPPModule {
    public nonisolated let features = [DiscoInfo.namespace, DiscoItem.namespace]
    public nonisolated let routes: [StanzaRoute] = [.iq("query", DiscoInfo.namespace), .iq("query", DiscoItem.namespace)]

    /// Who we say we are (XEP-0030 §3.1; the category/type registry).
    public nonisolated let identities: [DiscoIdentity]
    private var context = ModuleContext.unattached
    private var cache: [CacheKey: DiscoInfo] = [:]
    /// Bounds what answers from many entities can make us keep.
    public nonisolated let cacheLimit = 1024
    /// Nodes answered with our own info besides the empty one (the entity-caps node, XEP-0115 §6.2).
    private var publishedNodes: Set<String> = []

    private struct CacheKey: Hashable {
        var jid: JID
        var node: String?
    }

    public init(identities: [DiscoIdentity] = [.pcClient]) {
        self.identities = identities
    }

    public func attach(_ context: ModuleContext) async {
        self.context = context
    }

    public func sessionStarted(resumed: Bool) async {
        // A new session may be on a server that changed; a resumed one is the same.
        if !resumed { cache = [:] }
    }

    /// XEP-0030 §3.1 and §4.1: answers queries about us. A node we do not publish is `item-not-found`.
    public func handleRequest(_ request: IQ) async throws(StanzaError) -> IQ? {
        guard request.kind == .get, let query = request.payload else {
            throw StanzaError(.badRequest, text: "disco queries are IQ get (XEP-0030 §3.1)")
        }
        let node = query.attribute("node")
        if let node, !publishedNodes.contains(node) { throw StanzaError(.itemNotFound) }
        if query.namespace == DiscoInfo.namespace {
            return request.makeResult(payload: await ownInfo(node: node).element)
        }
        var items = XMLElement("query", namespace: DiscoItem.namespace)
        items.setAttribute("node", to: node)
        return request.makeResult(payload: items)
    }

    /// What we answer to disco#info (XEP-0030 §3.1): our identities and every registered module's features.
    public func ownInfo(node: String? = nil) async -> DiscoInfo {
        DiscoInfo(node: node, identities: identities, features: Set(await context.advertisedFeatures()))
    }

    /// Answers disco#info for `node` with our own info too (XEP-0115 §6.2: `node#ver`).
    public func publish(node: String) {
        publishedNodes.insert(node)
    }

    /// Stops answering for `node`.
    public func unpublish(node: String) {
        publishedNodes.remove(node)
    }

    /// Asks `jid` what it is and supports (XEP-0030 §3.1); answers are cached for the session
    /// unless `cache` is false (up to ``cacheLimit`` entries).
    /// - Throws: ``StanzaError`` from the entity, ``XMPPClientError`` from the session.
    public func info(for jid: JID, node: String? = nil, refresh: Bool = false, cache useCache: Bool = true) async throws -> DiscoInfo {
        let key = CacheKey(jid: jid, node: node)
        if !refresh, let cached = cache[key] { return cached }
        var query = XMLElement("query", namespace: DiscoInfo.namespace)
        query.setAttribute("node", to: node)
        let reply = try await context.send(IQ(.get, to: jid, payload: query))
        guard let payload = reply.payload else { throw StanzaError(.badRequest, text: "empty disco#info result from \(jid)") }
        let info = try DiscoInfo(element: payload)
        if useCache {
            if cache.count >= cacheLimit { cache.removeAll(keepingCapacity: true) }
            cache[key] = info
        }
        return info
    }

    /// Lists the items `jid` hosts (XEP-0030 §4.1).
    public func items(for jid: JID, node: String? = nil) async throws -> [DiscoItem] {
        var query = XMLElement("query", namespace: DiscoItem.namespace)
        query.setAttribute("node", to: node)
        let reply = try await context.send(IQ(.get, to: jid, payload: query))
        guard let payload = reply.payload else { return [] }
        return try DiscoItem.items(in: payload)
    }

    /// Our server's disco#info (XEP-0030 §3.1, asked of the domain we are bound to).
    public func serverInfo() async throws -> DiscoInfo {
        try await info(for: serverJID())
    }

    /// Whether our server advertises `feature`.
    public func serverSupports(_ feature: String) async throws -> Bool {
        try await serverInfo().features.contains(feature)
    }

    /// Whether our own account (the bare JID) advertises `feature`: where servers announce
    /// account-level services such as XEP-0049's private storage on some deployments.
    public func accountSupports(_ feature: String) async throws -> Bool {
        try await info(for: context.boundJID().bare).features.contains(feature)
    }

    /// The server itself and the services it lists (XEP-0030 §4), those advertising `feature`,
    /// e.g. the HTTP upload service (XEP-0363 §2).
    public func services(offering feature: String) async throws -> [(jid: JID, info: DiscoInfo)] {
        let server = try await serverJID()
        var found: [(jid: JID, info: DiscoInfo)] = []
        let serverInfo = try await info(for: server)
        if serverInfo.features.contains(feature) { found.append((server, serverInfo)) }
        for item in try await items(for: server) where item.node == nil && item.jid != server {
            // A service that does not answer is not one we can use; keep looking.
            guard let info = try? await info(for: item.jid) else { continue }
            if info.features.contains(feature) { found.append((item.jid, info)) }
        }
        return found
    }

    private func serverJID() async throws -> JID {
        try JID(try await context.boundJID().domainpart)
    }
}

extension ModuleContext {
    /// The registered service-discovery module, registering one when there is none: modules that
    /// detect server features build on it.
    public func discovery() async throws -> ServiceDiscoveryModule {
        try await require(ServiceDiscoveryModule.self, orRegister: ServiceDiscoveryModule())
    }

    /// Whether the connected server advertises `feature` in disco#info (XEP-0030 §3.1).
    public func serverSupports(_ feature: String) async throws -> Bool {
        try await discovery().serverSupports(feature)
    }
}

extension ServiceDiscoveryModule: ServerFeatureDetecting {
    /// XEP-0030 §3.1: the server answers disco#info and lists the feature.
    public func isSupportedByServer() async throws -> Bool {
        try await serverSupports(DiscoInfo.namespace)
    }
}
