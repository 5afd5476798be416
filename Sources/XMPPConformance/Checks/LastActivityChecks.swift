import XMPPClient
import XMPPCore
import XMPPXML

/// XEP-0012 last activity.
enum LastActivityChecks {
    static let all = [uptime, forbidden]

    static let uptime = ConformanceCheck(
        "xep0012-server-uptime", "The server tells its uptime",
        cites: Citation("XEP-0012", "2", "When returning an IQ-result, the target entity sends an <iq/> stanza of type='result' containing a <query/> element with a REQUIRED 'seconds' attribute"),
        category: .extensions, levels: [], needs: .oneAccount,
        sends: "when the server offers jabber:iq:last: <iq type='get' to='<domain>'><query xmlns='jabber:iq:last'/></iq>",
        expects: "a result whose <query/> has a non-negative integer 'seconds'"
    ) { context in
        let account = try await context.accounts(1)[0]
        let (probe, _) = try await context.loggedIn(account)
        try await context.requireServerFeature(NS.last, on: probe, "last activity")
        let reply = try await probe.query("get", to: context.domain, "<query xmlns='\(NS.last)'/>")
        try context.expect(reply.attribute("type") == "result", "the last activity query got \(Answer.summary(reply)): \(reply)")
        let seconds = reply.child("query", namespace: NS.last)?.attribute("seconds")
        try context.expect(seconds.flatMap { UInt64($0) } != nil, "the result has no integer 'seconds': \(reply)")
    }

    static let forbidden = ConformanceCheck(
        "xep0012-forbidden", "Last activity is refused without a presence subscription",
        cites: Citation("XEP-0012", "3", "If the requesting entity is not authorized to view the user's presence information (normally via a presence subscription as defined in XMPP-IM), the user's server MUST NOT return last activity information but instead MUST return a <forbidden/> error in response to the last activity request."),
        category: .extensions, levels: [], needs: .twoAccounts,
        sends: "when the server offers jabber:iq:last: A asks for the last activity of B, to whose presence A is not subscribed",
        expects: "an error with <forbidden/> (<service-unavailable/>: the server keeps no last activity for users, not applicable)"
    ) { context in
        let accounts = try await context.accounts(2)
        let (probe, _) = try await context.loggedIn(accounts[0])
        try await context.requireServerFeature(NS.last, on: probe, "last activity")
        let reply = try await probe.query("get", to: accounts[1].jid.description, "<query xmlns='\(NS.last)'/>")
        let condition = Answer.stanzaCondition(reply)
        if condition == "service-unavailable" || condition == "feature-not-implemented" {
            throw CheckNotApplicable("the server answers <\(condition ?? "")/>: no last activity for user accounts")
        }
        try context.expect(condition == "forbidden", "expected <forbidden/>, got \(Answer.summary(reply)): \(reply)")
    }
}
