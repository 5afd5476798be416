import XMPPClient
import XMPPCore
import XMPPXML

/// XEP-0016 privacy lists (deprecated, superseded by XEP-0191; checked where still offered).
enum PrivacyListChecks {
    static let all = [lists]

    static let lists = ConformanceCheck(
        "xep0016-privacy-lists", "A privacy list can be stored, read back and activated",
        cites: Citation("XEP-0016", "2.6", "In order to edit a privacy list, the user MUST send an IQ stanza of type \"set\""),
        category: .extensions, levels: [], needs: .oneAccount,
        sends: "when the server offers jabber:iq:privacy: a set of list 'conformance-…' denying one JID, a get of that list, then <active name='…'/>",
        expects: "a result to the set; the get returns the list with the item; a result to the activation"
    ) { context in
        let account = try await context.accounts(1)[0]
        let (probe, _) = try await context.loggedIn(account)
        try await context.requireServerFeature(NS.privacy, on: probe, "privacy lists")
        let name = conformanceMarker("conformance")
        let denied = "\(conformanceMarker("denied"))@\(context.domain)"
        @Sendable func send(_ type: String, _ payload: String) async throws(CheckSetupError) -> XMLElement {
            let id = StanzaID.make()
            let (reply, _) = try await probe.requestCollecting(raw: IQ.raw(type, id: id, to: nil, "<query xmlns='\(NS.privacy)'>\(payload)</query>"), id: id)
            return reply
        }
        try await context.withCleanup { cleanup in
            cleanup.add {
                let decline = StanzaID.make(), remove = StanzaID.make()
                _ = try? await probe.requestCollecting(raw: IQ.raw("set", id: decline, to: nil, "<query xmlns='\(NS.privacy)'><active/></query>"), id: decline, within: .seconds(3))
                _ = try? await probe.requestCollecting(raw: IQ.raw("set", id: remove, to: nil, "<query xmlns='\(NS.privacy)'><list name='\(name)'/></query>"), id: remove, within: .seconds(3))
            }
            let set = try await send("set", "<list name='\(name)'><item type='jid' value='\(denied)' action='deny' order='1'/></list>")
            try context.expect(set.attribute("type") == "result", "storing the privacy list got \(Answer.summary(set)): \(set)")
            let get = try await send("get", "<list name='\(name)'/>")
            try context.expect(get.attribute("type") == "result", "retrieving the privacy list got \(Answer.summary(get)): \(get)")
            let list = get.child("query", namespace: NS.privacy)?.children("list", namespace: NS.privacy).first { $0.attribute("name") == name }
            let items = list?.children("item", namespace: NS.privacy) ?? []
            try context.expect(items.contains { $0.attribute("value") == denied && $0.attribute("action") == "deny" },
                               "the list '\(name)' came back without the item denying \(denied): \(get)")
            let active = try await send("set", "<active name='\(name)'/>")
            try context.expect(active.attribute("type") == "result", "activating the privacy list got \(Answer.summary(active)): \(active)")
        }
    }
}
