import XMPPClient
import XMPPCore
import XMPPXML

/// RFC 6121 §2: roster management.
enum RosterChecks {
    static let all = [get, push, twoItems, removeUnknown, versioning]

    static let get = ConformanceCheck(
        "rfc6121-roster-get", "The server answers a roster get",
        cites: Citation("RFC 6121", "2.1.4", "If the roster exists and there are no contacts in the roster, then the server MUST return an IQ-result containing a child <query/> element that in turn contains no <item/> children"),
        category: .im, levels: [.imServer, .advancedIMServer], needs: .oneAccount,
        sends: "<iq type='get'><query xmlns='jabber:iq:roster'/></iq> after login",
        expects: "a result with <query xmlns='jabber:iq:roster'/> (or <item-not-found/> for a roster that does not exist yet)"
    ) { context in
        let account = try await context.accounts(1)[0]
        let (probe, _) = try await context.loggedIn(account)
        let reply = try await probe.query("get", to: nil, "<query xmlns='\(NS.roster)'/>")
        if Answer.stanzaCondition(reply) == "item-not-found" { return }
        try context.expect(reply.attribute("type") == "result", "expected a roster result, got \(Answer.summary(reply)): \(reply)")
        try context.expect(reply.child("query", namespace: NS.roster) != nil, "the result has no <query xmlns='jabber:iq:roster'/>: \(reply)")
    }

    static let push = ConformanceCheck(
        "rfc6121-roster-push", "A roster set is pushed to every interested resource",
        cites: Citation("RFC 6121", "2.3.2", "The server MUST return an IQ stanza of type \"result\" to the connected resource that sent the roster set. The server MUST also send a roster push containing the new roster item to all of the user's interested resources, including the resource that generated the roster set."),
        category: .im, levels: [.imServer, .advancedIMServer], needs: .oneAccount,
        sends: "two resources of A request the roster; the first adds an item with a roster set",
        expects: "a result to the first resource and a roster push with the item to both"
    ) { context in
        let account = try await context.accounts(1)[0]
        let one = try await context.party(account, available: false)
        let two = try await context.party(account, available: false)
        let contact = "\(conformanceMarker("contact"))@\(context.domain)"
        try await context.withCleanup { cleanup in
            cleanup.add { await context.removeFromRoster(contact, on: one.probe) }
            let id = StanzaID.make()
            let (reply, before) = try await one.probe.requestCollecting(
                raw: IQ.raw("set", id: id, to: nil, "<query xmlns='\(NS.roster)'><item jid='\(contact)' name='Conformance'/></query>"), id: id)
            try context.expect(reply.attribute("type") == "result", "the roster set got \(Answer.summary(reply)), not a result: \(reply)")
            if !before.contains(where: { $0.rosterPushItem(for: contact) != nil }) {
                let own = await one.probe.nextElement { $0.rosterPushItem(for: contact) != nil }
                try context.expect(own != nil, "the resource that sent the roster set got no roster push for \(contact)")
            }
            let other = await two.probe.nextElement { $0.rosterPushItem(for: contact) != nil }
            try context.expect(other != nil, "the other interested resource \(two.jid) got no roster push for \(contact)")
        }
    }

    static let twoItems = ConformanceCheck(
        "rfc6121-roster-two-items", "A roster set with two items is a <bad-request/>",
        cites: Citation("RFC 6121", "2.3.3", "The server MUST return a <bad-request/> stanza error to the client if the roster set contains any of the following violations: … The <query/> element contains more than one <item/> child element."),
        category: .im, levels: [.imServer, .advancedIMServer], needs: .oneAccount,
        sends: "a roster set whose <query/> has two <item/> children",
        expects: "an error with <bad-request/>"
    ) { context in
        let account = try await context.accounts(1)[0]
        let (probe, _) = try await context.loggedIn(account)
        let first = "\(conformanceMarker("one"))@\(context.domain)"
        let second = "\(conformanceMarker("two"))@\(context.domain)"
        try await context.withCleanup { cleanup in
            cleanup.add {
                await context.removeFromRoster(first, on: probe)
                await context.removeFromRoster(second, on: probe)
            }
            let reply = try await probe.query("set", to: nil, "<query xmlns='\(NS.roster)'><item jid='\(first)'/><item jid='\(second)'/></query>")
            try context.expect(Answer.stanzaCondition(reply) == "bad-request", "expected <bad-request/>, got \(Answer.summary(reply)): \(reply)")
        }
    }

    static let removeUnknown = ConformanceCheck(
        "rfc6121-roster-remove-unknown", "Removing an item that is not in the roster is <item-not-found/>",
        cites: Citation("RFC 6121", "2.5.3", "If the value of the 'jid' attribute specifies an item that is not in the roster, then the server MUST return an <item-not-found/> stanza error."),
        category: .im, levels: [.imServer, .advancedIMServer], needs: .oneAccount,
        sends: "a roster set with <item subscription='remove'/> for a JID not in the roster",
        expects: "an error with <item-not-found/>"
    ) { context in
        let account = try await context.accounts(1)[0]
        let (probe, _) = try await context.loggedIn(account)
        let stranger = "\(conformanceMarker("absent"))@\(context.domain)"
        let reply = try await probe.query("set", to: nil, "<query xmlns='\(NS.roster)'><item jid='\(stranger)' subscription='remove'/></query>")
        try context.expect(Answer.stanzaCondition(reply) == "item-not-found", "expected <item-not-found/>, got \(Answer.summary(reply)): \(reply)")
    }

    static let versioning = ConformanceCheck(
        "rfc6121-roster-versioning", "Roster versioning returns a version and honours it",
        cites: Citation("RFC 6121", "2.6.3", "the server MUST either return the complete roster (including a 'ver' attribute that signals the latest version) or return an empty IQ-result (thus indicating that any roster modifications will be sent via roster pushes"),
        category: .im, levels: [.imServer, .advancedIMServer], needs: .oneAccount,
        sends: "when <ver xmlns='urn:xmpp:features:rosterver'/> is a stream feature: a roster get with ver='', then one with the version returned",
        expects: "a result whose <query/> has a 'ver'; then an empty result, or the roster again with a 'ver'"
    ) { context in
        let account = try await context.accounts(1)[0]
        let (probe, _) = try await context.secured()
        let opening = try await probe.login(account, domain: context.domain)
        guard opening.features.element.child("ver", namespace: NS.rosterVersioning) != nil else {
            throw CheckNotApplicable("the server does not offer roster versioning (no <ver xmlns='\(NS.rosterVersioning)'/> stream feature)")
        }
        _ = try await probe.bind()
        let first = try await probe.query("get", to: nil, "<query xmlns='\(NS.roster)' ver=''/>")
        try context.expect(first.attribute("type") == "result", "the roster get with ver='' got \(Answer.summary(first)): \(first)")
        let version = try context.expect(first.child("query", namespace: NS.roster)?.attribute("ver"),
                                         "the roster result carries no 'ver' attribute: \(first)")
        let second = try await probe.query("get", to: nil, "<query xmlns='\(NS.roster)' ver='\(version.xmlEscaped)'/>")
        try context.expect(second.attribute("type") == "result", "the roster get with ver='\(version)' got \(Answer.summary(second)): \(second)")
        if let query = second.child("query", namespace: NS.roster) {
            try context.expect(query.attribute("ver") != nil, "the roster result for ver='\(version)' is neither empty nor versioned: \(second)")
        }
    }
}
