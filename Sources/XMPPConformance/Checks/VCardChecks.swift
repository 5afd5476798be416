import XMPPClient
import XMPPCore
import XMPPXML

/// XEP-0054 vcard-temp.
enum VCardChecks {
    static let all = [roundtrip, missing]

    static let roundtrip = ConformanceCheck(
        "xep0054-vcard-roundtrip", "A published vCard is returned",
        cites: Citation("XEP-0054", "3.1", "If a vCard exists for the user, the server MUST return in an IQ-result"),
        category: .extensions, levels: [.imServer, .advancedIMServer], needs: .oneAccount,
        sends: "when the server offers vcard-temp: A sets <vCard><FN>marker</FN></vCard> (no 'to'), then gets its vCard",
        expects: "a result to the set, and the get returns <FN>marker</FN>"
    ) { context in
        let account = try await context.accounts(1)[0]
        let (probe, _) = try await context.loggedIn(account)
        try await context.requireServerFeature(NS.vcard, on: probe, "vcard-temp")
        try await context.withCleanup { cleanup in
            let original = try await probe.query("get", to: nil, "<vCard xmlns='\(NS.vcard)'/>")
            let restore = original.child("vCard", namespace: NS.vcard).flatMap { try? $0.serializedString(inheritedNamespace: XMPPNamespace.client) }
                ?? "<vCard xmlns='\(NS.vcard)'/>"
            cleanup.add { _ = try? await probe.query("set", to: nil, restore, within: .seconds(3)) }
            let marker = conformanceMarker("fn")
            let set = try await probe.query("set", to: nil, "<vCard xmlns='\(NS.vcard)'><FN>\(marker)</FN></vCard>")
            try context.expect(set.attribute("type") == "result", "setting the vCard got \(Answer.summary(set)): \(set)")
            let get = try await probe.query("get", to: nil, "<vCard xmlns='\(NS.vcard)'/>")
            try context.expect(get.attribute("type") == "result", "getting the vCard got \(Answer.summary(get)): \(get)")
            let fn = get.child("vCard", namespace: NS.vcard)?.childText("FN", namespace: NS.vcard)
            try context.expect(fn == marker, "the vCard returned has FN \(fn.map { "'\($0)'" } ?? "(none)"), not '\(marker)': \(get)")
        }
    }

    static let missing = ConformanceCheck(
        "xep0054-vcard-missing", "Another user's missing vCard is an error",
        cites: Citation("XEP-0054", "3.3", "If no vCard exists or the user does not exist, the server MUST return a stanza error. The server MUST return the same error condition in both cases"),
        category: .extensions, levels: [.imServer, .advancedIMServer], needs: .twoAccounts,
        sends: "when the server offers vcard-temp: A gets the vCard of B, who has never published one",
        expects: "an error (<service-unavailable/> or <item-not-found/>), not a result"
    ) { context in
        let accounts = try await context.accounts(2)
        let (probe, _) = try await context.loggedIn(accounts[0])
        try await context.requireServerFeature(NS.vcard, on: probe, "vcard-temp")
        let reply = try await probe.query("get", to: accounts[1].jid.description, "<vCard xmlns='\(NS.vcard)'/>")
        if reply.attribute("type") == "result", let card = reply.child("vCard", namespace: NS.vcard), !card.elements.isEmpty,
           !context.configuration.mayRegister {
            throw CheckNotApplicable("B (\(accounts[1].jid)) already has a vCard; the check needs an account without one (--register)")
        }
        try context.expect(reply.attribute("type") == "error", "a vCard get for \(accounts[1].jid), who has none, got a result: \(reply)")
        let condition = Answer.stanzaCondition(reply)
        try context.expect(condition == "service-unavailable" || condition == "item-not-found",
                           "expected <service-unavailable/> or <item-not-found/>, got \(Answer.summary(reply))")
    }
}
