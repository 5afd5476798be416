import XMPPClient
import XMPPCore
import XMPPExtensions
import XMPPXML

/// XEP-0030 service discovery and XEP-0115 entity capabilities of the server.
enum DiscoveryChecks {
    static let all = [info, items, serverCaps]

    static let info = ConformanceCheck(
        "xep0030-disco-info", "The server answers disco#info with a server identity",
        cites: Citation("XEP-0030", "3.1", "The result MUST contain a <query/> element qualified by the 'http://jabber.org/protocol/disco#info' namespace, which in turn contains one or more <identity/> elements and one or more <feature/> elements. … Every entity MUST have at least one identity, and every entity MUST support at least the 'http://jabber.org/protocol/disco#info' feature"),
        category: .extensions, levels: [.coreServer, .advancedCoreServer], needs: .oneAccount,
        sends: "<iq type='get' to='<domain>'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>",
        expects: "a result with an identity of category 'server' and the feature http://jabber.org/protocol/disco#info"
    ) { context in
        let account = try await context.accounts(1)[0]
        let (probe, _) = try await context.loggedIn(account)
        let reply = try await probe.query("get", to: context.domain, "<query xmlns='\(NS.discoInfo)'/>")
        try context.expect(reply.attribute("type") == "result", "disco#info got \(Answer.summary(reply)): \(reply)")
        let query = try context.expect(reply.child("query", namespace: NS.discoInfo), "the result has no disco#info <query/>: \(reply)")
        let identities = query.children("identity", namespace: NS.discoInfo)
        try context.expect(identities.contains { $0.attribute("category") == "server" },
                           "no identity of category 'server' among \(identities.map { "\($0.attribute("category") ?? "?")/\($0.attribute("type") ?? "?")" })")
        let features = query.children("feature", namespace: NS.discoInfo).compactMap { $0.attribute("var") }
        try context.expect(features.contains(NS.discoInfo), "the feature \(NS.discoInfo) is not listed")
    }

    static let items = ConformanceCheck(
        "xep0030-disco-items", "The server answers disco#items",
        cites: Citation("XEP-0030", "4.1", "The target entity then MUST either return its list of publicly-available items, or return an error. … If there are no items associated with an entity (or if those items are not publicly available), the target entity MUST return an empty query element"),
        category: .extensions, levels: [.coreServer, .advancedCoreServer], needs: .oneAccount,
        sends: "<iq type='get' to='<domain>'><query xmlns='http://jabber.org/protocol/disco#items'/></iq>",
        expects: "a result with a disco#items <query/> (empty when there are no items)"
    ) { context in
        let account = try await context.accounts(1)[0]
        let (probe, _) = try await context.loggedIn(account)
        let reply = try await probe.query("get", to: context.domain, "<query xmlns='\(NS.discoItems)'/>")
        try context.expect(reply.attribute("type") == "result", "disco#items got \(Answer.summary(reply)): \(reply)")
        try context.expect(reply.child("query", namespace: NS.discoItems) != nil, "the result has no disco#items <query/>: \(reply)")
    }

    static let serverCaps = ConformanceCheck(
        "xep0115-server-caps", "The server's caps hash matches its disco#info",
        cites: Citation("XEP-0115", "5.1", "In order to help prevent poisoning of entity capabilities information, the value of the verification string MUST be generated according to the following method."),
        category: .extensions, levels: [.advancedCoreServer], needs: .oneAccount,
        sends: "when the stream features carry <c xmlns='http://jabber.org/protocol/caps'/>: disco#info to the domain, with node='<node>#<ver>' and without",
        expects: "'ver' equals the hash (in the 'hash' algorithm) of one of those disco#info answers"
    ) { context in
        let account = try await context.accounts(1)[0]
        let (probe, secured) = try await context.secured()
        let opening = try await probe.login(account, domain: context.domain)
        guard let caps = opening.features.element.child("c", namespace: NS.caps) ?? secured.features.element.child("c", namespace: NS.caps) else {
            throw CheckNotApplicable("the server announces no entity capabilities in its stream features")
        }
        _ = try await probe.bind()
        let ver = try context.expect(caps.attribute("ver"), "the <c/> stream feature has no 'ver': \(caps)")
        let hashName = caps.attribute("hash") ?? "(none)"
        guard let algorithm = CapabilitiesHash.algorithms[hashName] else {
            throw CheckNotApplicable("the <c/> stream feature uses hash '\(hashName)', which the check cannot compute")
        }
        var computed: [String] = []
        let nodes: [String?] = caps.attribute("node").map { ["\($0)#\(ver)", nil] } ?? [nil]
        for node in nodes {
            let query = try await context.serverInfo(on: probe, node: node)
            let info: DiscoInfo
            do { info = try DiscoInfo(element: query) } catch { throw CheckSetupError("the server's disco#info does not parse: \(error)") }
            let hash: String
            do { hash = try CapabilitiesHash.ver(for: info, algorithm: algorithm) } catch { throw CheckSetupError("cannot hash: \(error)") }
            if hash == ver { return }
            computed.append(hash)
        }
        throw CheckFailure("the <c/> stream feature says ver='\(ver)' but the server's disco#info hashes to \(computed.map { "'\($0)'" }.joined(separator: " / "))")
    }
}
