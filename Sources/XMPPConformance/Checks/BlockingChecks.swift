import XMPPClient
import XMPPCore
import XMPPXML

/// XEP-0191 blocking command.
enum BlockingChecks {
    static let all = [blocklist, push, inbound, outbound]

    private static func requireBlocking(_ context: CheckContext, _ probe: StreamProbe) async throws {
        try await context.requireServerFeature(NS.blocking, on: probe, "the blocking command")
    }

    /// Blocks `jid` from `probe` (setup) and unblocks it in the cleanup.
    private static func block(_ jid: String, on probe: StreamProbe, _ context: CheckContext, _ cleanup: Cleanup) async throws {
        cleanup.add { await unblock(jid, on: probe) }
        let id = StanzaID.make()
        let (reply, _) = try await probe.requestCollecting(
            raw: IQ.raw("set", id: id, to: nil, "<block xmlns='\(NS.blocking)'><item jid='\(jid.xmlEscaped)'/></block>"), id: id)
        guard reply.attribute("type") == "result" else { throw CheckSetupError("blocking \(jid) failed: \(reply)") }
    }

    private static func unblock(_ jid: String, on probe: StreamProbe) async {
        let id = StanzaID.make()
        _ = try? await probe.requestCollecting(
            raw: IQ.raw("set", id: id, to: nil, "<unblock xmlns='\(NS.blocking)'><item jid='\(jid.xmlEscaped)'/></unblock>"), id: id,
            within: .seconds(3))
    }

    static let blocklist = ConformanceCheck(
        "xep0191-blocklist", "The blocklist can be retrieved",
        cites: Citation("XEP-0191", "3.2", "If the user has no JIDs in its blocklist, the server MUST return an IQ-result containing an empty <blocklist/> element"),
        category: .extensions, levels: [.advancedIMServer], needs: .oneAccount,
        sends: "when the server offers urn:xmpp:blocking: <iq type='get'><blocklist xmlns='urn:xmpp:blocking'/></iq>",
        expects: "a result with <blocklist xmlns='urn:xmpp:blocking'/>"
    ) { context in
        let account = try await context.accounts(1)[0]
        let (probe, _) = try await context.loggedIn(account)
        try await requireBlocking(context, probe)
        let reply = try await probe.query("get", to: nil, "<blocklist xmlns='\(NS.blocking)'/>")
        try context.expect(reply.attribute("type") == "result", "the blocklist get got \(Answer.summary(reply)): \(reply)")
        try context.expect(reply.child("blocklist", namespace: NS.blocking) != nil, "the result has no <blocklist/>: \(reply)")
    }

    static let push = ConformanceCheck(
        "xep0191-block-push", "A block is pushed to the user's other resources",
        cites: Citation("XEP-0191", "3.3", "The server MUST also send an IQ-set to all of the user's resources that have requested the blocklist, containing the blocked item(s)"),
        category: .extensions, levels: [.advancedIMServer], needs: .oneAccount,
        sends: "two resources of A request the blocklist; the first blocks a JID",
        expects: "a result to the first resource and an IQ-set <block/> with the JID to the second"
    ) { context in
        let account = try await context.accounts(1)[0]
        let (one, _) = try await context.loggedIn(account)
        try await requireBlocking(context, one)
        let (two, twoJID) = try await context.loggedIn(account)
        for probe in [one, two] {
            let reply = try await probe.query("get", to: nil, "<blocklist xmlns='\(NS.blocking)'/>")
            guard reply.attribute("type") == "result" else { throw CheckSetupError("the blocklist get failed: \(reply)") }
        }
        let blocked = "\(conformanceMarker("blocked"))@\(context.domain)"
        try await context.withCleanup { cleanup in
            cleanup.add { await unblock(blocked, on: one) }
            let id = StanzaID.make()
            let (reply, _) = try await one.requestCollecting(
                raw: IQ.raw("set", id: id, to: nil, "<block xmlns='\(NS.blocking)'><item jid='\(blocked)'/></block>"), id: id)
            try context.expect(reply.attribute("type") == "result", "the block request got \(Answer.summary(reply)): \(reply)")
            let pushed = await two.nextElement { element in
                element.name == "iq" && element.attribute("type") == "set"
                    && element.child("block", namespace: NS.blocking)?.children("item", namespace: NS.blocking).contains { $0.attribute("jid") == blocked } == true
            }
            try context.expect(pushed != nil, "the other resource \(twoJID), which requested the blocklist, got no <block/> push for \(blocked)")
        }
    }

    static let inbound = ConformanceCheck(
        "xep0191-blocked-inbound", "Stanzas from a blocked JID are not delivered",
        cites: Citation("XEP-0191", "3.3", "Once the user has blocked communications with the contact, the user's server MUST NOT deliver any XML stanzas from the contact to the user."),
        category: .extensions, levels: [.advancedIMServer], needs: .twoAccounts,
        sends: "A (available) blocks B; B sends a chat message to A's full JID, then barrier pings on B and on A",
        expects: "A never receives B's message"
    ) { context in
        let accounts = try await context.accounts(2)
        let a = try await context.party(accounts[0], rosterGet: false)
        try await requireBlocking(context, a.probe)
        let b = try await context.party(accounts[1], rosterGet: false, available: false)
        try await context.withCleanup { cleanup in
            try await block(b.bare, on: a.probe, context, cleanup)
            let marker = conformanceMarker("blocked")
            try await b.probe.send("<message to='\(a.full)' type='chat' id='\(marker)'><body>conformance</body></message>")
            _ = try await b.probe.elementsBeforeBarrier(domain: context.domain)
            let seen = try await a.probe.elementsBeforeBarrier(domain: context.domain)
            try context.expect(!seen.contains { $0.name == "message" && $0.attribute("id") == marker },
                               "A received the message from \(b.bare), whom A has blocked")
        }
    }

    static let outbound = ConformanceCheck(
        "xep0191-blocked-outbound", "Stanzas to a blocked JID bounce with <blocked/>",
        cites: Citation("XEP-0191", "3.3", "If the user attempts to send an outbound stanza to the contact, the user's server MUST NOT route the stanza to the contact but instead MUST return a <not-acceptable/> error containing an application-specific error condition of <blocked/> qualified by the 'urn:xmpp:blocking:errors' namespace"),
        category: .extensions, levels: [.advancedIMServer], needs: .twoAccounts,
        sends: "A blocks B, then sends a chat message to B's bare JID",
        expects: "the message comes back as an error with <not-acceptable/> and <blocked xmlns='urn:xmpp:blocking:errors'/>"
    ) { context in
        let accounts = try await context.accounts(2)
        let a = try await context.party(accounts[0], rosterGet: false)
        try await requireBlocking(context, a.probe)
        let b = accounts[1].jid.description
        try await context.withCleanup { cleanup in
            try await block(b, on: a.probe, context, cleanup)
            let marker = conformanceMarker("outbound")
            try await a.probe.send("<message to='\(b)' type='chat' id='\(marker)'><body>conformance</body></message>")
            let bounce = await a.probe.nextElement { $0.name == "message" && $0.attribute("id") == marker }
            let error = try context.expect(bounce, "no error came back for the message A sent to \(b), whom A has blocked")
            try context.expect(Answer.stanzaCondition(error) == "not-acceptable", "expected <not-acceptable/>, got \(Answer.summary(error)): \(error)")
            try context.expect(Answer.stanzaError(error)?.child("blocked", namespace: NS.blockingErrors) != nil,
                               "the error has no <blocked xmlns='\(NS.blockingErrors)'/>: \(error)")
        }
    }
}
