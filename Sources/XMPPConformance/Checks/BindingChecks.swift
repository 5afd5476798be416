import XMPPClient
import XMPPCore
import XMPPXML

/// RFC 6120 §7: resource binding.
enum BindingChecks {
    static let all = [generated, conflict]

    static let generated = ConformanceCheck(
        "rfc6120-bind-generated", "The server generates a resource when asked to",
        cites: Citation("RFC 6120", "7.6.1", "Once the server has generated an XMPP resourcepart for the client, it MUST return an IQ stanza of type \"result\" to the client, which MUST include a <jid/> child element that specifies the full JID for the connected resource"),
        category: .core, levels: [.coreServer, .advancedCoreServer], needs: .oneAccount,
        sends: "a bind request without <resource/>",
        expects: "a result whose <jid/> is the account's bare JID with a non-empty resource"
    ) { context in
        let account = try await context.accounts(1)[0]
        let (probe, _) = try await context.secured()
        _ = try await probe.login(account, domain: context.domain)
        let id = StanzaID.make()
        let reply = try await probe.request(raw: IQ.raw("set", id: id, to: nil, "<bind xmlns='\(XMPPNamespace.bind)'/>"), id: id)
        try context.expect(reply.attribute("type") == "result", "binding without a resource failed: \(reply)")
        let text = try context.expect(reply.child("bind", namespace: XMPPNamespace.bind)?.childText("jid", namespace: XMPPNamespace.bind),
                                      "the result has no <jid/>: \(reply)")
        let jid = try context.expect(try? JID(text), "'\(text)' is not a JID")
        try context.expect(jid.bare == account.jid, "the bound JID \(jid) is not the account \(account.jid)")
        try context.expect(!(jid.resourcepart ?? "").isEmpty, "the bound JID \(jid) has no resource")
    }

    static let conflict = ConformanceCheck(
        "rfc6120-bind-conflict", "Two sessions never share a full JID",
        cites: Citation("RFC 6120", "7.7.2.2", "If there is currently another active session for the client and with the same resourcepart, the server … [overrides the existing session with a <conflict/> stream error, returns a <conflict/> stanza error, or assigns another resourcepart]"),
        category: .core, levels: [.coreServer, .advancedCoreServer], needs: .oneAccount,
        sends: "the same resource bound on two streams of one account",
        expects: "a <conflict/> error, another resource for the second session, or the first session closed with <conflict/>"
    ) { context in
        let account = try await context.accounts(1)[0]
        let resource = "conform-conflict-" + StanzaID.make().prefix(8)
        let (first, firstJID) = try await context.loggedIn(account, resource: resource)
        let (second, _) = try await context.secured()
        _ = try await second.login(account, domain: context.domain)
        let id = StanzaID.make()
        let reply = try await second.request(
            raw: IQ.raw("set", id: id, to: nil, "<bind xmlns='\(XMPPNamespace.bind)'><resource>\(resource)</resource></bind>"), id: id)
        if reply.attribute("type") == "error" { return }
        let text = reply.child("bind", namespace: XMPPNamespace.bind)?.childText("jid", namespace: XMPPNamespace.bind)
        let secondJID = try context.expect(text.flatMap { try? JID($0) }, "the second bind result has no valid <jid/>: \(reply)")
        if secondJID != firstJID { return }
        let ending = await first.streamEnding(within: .seconds(3))
        try context.expect(ending.error != nil || ending.closedStream,
                           "both sessions are bound to \(firstJID) and the first one is still open")
    }
}
