import XMPPClient
import XMPPCore
import XMPPXML

/// XEP-0198 stream management, on raw streams: enable, acks, resumption after a real drop.
enum StreamManagementChecks {
    static let all = [enable, ack, resume, resumeUnknown]

    static let ns = XMPPNamespace.streamManagement

    /// A stream logged in as `account` whose post-authentication features offer urn:xmpp:sm:3
    /// (not applicable otherwise), bound when `bind`.
    private static func session(_ context: CheckContext, _ account: ConformanceAccount, bind: Bool = true) async throws -> StreamProbe {
        let (probe, _) = try await context.secured()
        let opening = try await probe.login(account, domain: context.domain)
        guard opening.features.element.child("sm", namespace: ns) != nil else {
            throw CheckNotApplicable("the server does not offer stream management (no <sm xmlns='\(ns)'/> stream feature)")
        }
        if bind { _ = try await probe.bind() }
        return probe
    }

    /// The next stream management element, answering the server's `<r/>` with `h` stanzas
    /// received; `received` counts the stanzas read meanwhile.
    private static func nextSM(_ probe: StreamProbe, received: inout Int, within timeout: Duration = StreamProbe.defaultTimeout) async -> XMLElement? {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            switch await probe.next(within: deadline - clock.now) {
            case .element(let element)? where element.namespace == ns:
                if element.name == "r" {
                    try? await probe.send("<a xmlns='\(ns)' h='\(received)'/>")
                    continue
                }
                return element
            case .element(let element)?:
                if ["iq", "message", "presence"].contains(element.name) { received += 1 }
                await probe.acknowledgePush(element)
            case .header?, .tlsEstablished?:
                continue
            default:
                return nil
            }
        }
        return nil
    }

    /// Enables stream management with resumption (setup).
    private static func enabled(_ probe: StreamProbe) async throws(CheckSetupError) -> XMLElement {
        try await probe.send("<enable xmlns='\(ns)' resume='true'/>")
        var received = 0
        guard let answer = await nextSM(probe, received: &received), answer.name == "enabled" else {
            throw CheckSetupError("stream management could not be enabled")
        }
        return answer
    }

    private static func resumable(_ enabled: XMLElement) -> Bool {
        ["true", "1"].contains(enabled.attribute("resume") ?? "")
    }

    static let enable = ConformanceCheck(
        "xep0198-enable", "Stream management can be enabled",
        cites: Citation("XEP-0198", "3", "Upon receiving the enable request, the server MUST reply with an <enabled/> element or a <failed/> element qualified by the 'urn:xmpp:sm:3' namespace. If the server allows session resumption, it MUST include a 'resume' attribute set to a value of \"true\" or \"1\"."),
        category: .extensions, levels: [.advancedIMServer, .mobileServer], needs: .oneAccount,
        sends: "when <sm xmlns='urn:xmpp:sm:3'/> is offered: after binding, <enable resume='true'/>",
        expects: "<enabled/>; with resume='true' or '1' it carries an 'id' (a server that offers the feature and answers a well-ordered enable with <failed/> fails)"
    ) { context in
        let account = try await context.accounts(1)[0]
        let probe = try await session(context, account)
        try await probe.send("<enable xmlns='\(ns)' resume='true'/>")
        var received = 0
        let answer = try context.expect(await nextSM(probe, received: &received), "no answer to <enable/>")
        try context.expect(answer.name == "enabled", "the server answered <enable/> with \(answer)")
        if resumable(answer) {
            try context.expect(!(answer.attribute("id") ?? "").isEmpty, "<enabled/> allows resumption but has no 'id': \(answer)")
        }
    }

    static let ack = ConformanceCheck(
        "xep0198-ack", "The server acknowledges the stanzas it handled",
        cites: Citation("XEP-0198", "4", "When an <r/> element (\"request\") is received, the recipient MUST acknowledge it by sending an <a/> element to the sender containing a value of 'h' that is equal to the number of stanzas handled by the recipient of the <r/> element."),
        category: .extensions, levels: [.advancedIMServer, .mobileServer], needs: .oneAccount,
        sends: "after <enable/>: three IQ pings to the server, then <r/>",
        expects: "<a h='3'/>"
    ) { context in
        let account = try await context.accounts(1)[0]
        let probe = try await session(context, account)
        _ = try await enabled(probe)
        var pings = ""
        for _ in 0..<3 { pings += IQ.raw("get", id: StanzaID.make(), to: context.domain, "<ping xmlns='\(NS.ping)'/>") }
        try await probe.send(pings + "<r xmlns='\(ns)'/>")
        var received = 0
        var answer: XMLElement?
        while let element = await nextSM(probe, received: &received) {
            if element.name == "a" { answer = element; break }
        }
        let a = try context.expect(answer, "no <a/> answered <r/>")
        try context.expect(a.attribute("h") == "3", "the server acknowledged h='\(a.attribute("h") ?? "")' after 3 stanzas")
    }

    static let resume = ConformanceCheck(
        "xep0198-resume", "A dropped session can be resumed",
        cites: Citation("XEP-0198", "5", "If the server can resume the former stream, it MUST return a <resumed/> element, which MUST include a 'previd' attribute set to the SM-ID of the former stream and MUST also include an 'h' attribute"),
        category: .extensions, levels: [.advancedIMServer, .mobileServer], needs: .oneAccount,
        sends: "<enable resume='true'/>, two IQ pings (answered), a TCP drop without closing the stream, then a new stream: TLS, SASL, <resume previd='…' h='2'/>",
        expects: "<resumed/> with previd = the former id and h='2'"
    ) { context in
        let account = try await context.accounts(1)[0]
        let probe = try await session(context, account)
        let answer = try await enabled(probe)
        guard resumable(answer), let previd = answer.attribute("id") else {
            throw CheckNotApplicable("the server does not allow resumption: \(answer)")
        }
        var received = 0
        for _ in 0..<2 {
            let id = StanzaID.make()
            try await probe.send(IQ.raw("get", id: id, to: context.domain, "<ping xmlns='\(NS.ping)'/>"))
            _ = try await probe.nextElement { $0.name == "iq" && $0.attribute("id") == id }.orSetupError("no answer to a ping")
            received += 1
        }
        await probe.drop()
        let again = try await session(context, account, bind: false)
        try await again.send("<resume xmlns='\(ns)' previd='\(previd.xmlEscaped)' h='\(received)'/>")
        var ignored = 0
        let resumed = try context.expect(await nextSM(again, received: &ignored), "no answer to <resume/>")
        try context.expect(resumed.name == "resumed", "the server answered <resume/> with \(resumed)")
        try context.expect(resumed.attribute("previd") == previd, "<resumed/> has previd '\(resumed.attribute("previd") ?? "")', not '\(previd)'")
        try context.expect(resumed.attribute("h") == "2", "<resumed/> has h='\(resumed.attribute("h") ?? "")' after 2 stanzas handled")
    }

    static let resumeUnknown = ConformanceCheck(
        "xep0198-resume-unknown", "Resuming an unknown session fails",
        cites: Citation("XEP-0198", "5", "If the server does not recognize the 'previd' as an earlier session (e.g., because the former session has timed out), it MUST return a <failed/> element, which SHOULD include an error condition of <item-not-found/>."),
        category: .extensions, levels: [.advancedIMServer, .mobileServer], needs: .oneAccount,
        sends: "after SASL, <resume previd='<random>' h='0'/>",
        expects: "<failed/> (with <item-not-found/>)"
    ) { context in
        let account = try await context.accounts(1)[0]
        let probe = try await session(context, account, bind: false)
        try await probe.send("<resume xmlns='\(ns)' previd='\(conformanceMarker("unknown"))' h='0'/>")
        var ignored = 0
        let answer = try context.expect(await nextSM(probe, received: &ignored), "no answer to <resume/>")
        try context.expect(answer.name == "failed", "the server answered <resume/> for an unknown session with \(answer)")
    }
}
