import XMPPClient
import XMPPCore
import XMPPXML

/// XEP-0199 XMPP ping.
enum PingChecks {
    static let all = [server]

    static let server = ConformanceCheck(
        "xep0199-ping-server", "The server answers a ping",
        cites: Citation("XEP-0199", "4.2", "If the server supports the ping namespace, it MUST return an IQ-result"),
        category: .extensions, levels: [], needs: .oneAccount,
        sends: "<iq type='get' to='<domain>'><ping xmlns='urn:xmpp:ping'/></iq>",
        expects: "a result (a server that does not list urn:xmpp:ping in disco#info may answer <service-unavailable/>: not applicable)"
    ) { context in
        let account = try await context.accounts(1)[0]
        let (probe, _) = try await context.loggedIn(account)
        let reply = try await probe.query("get", to: context.domain, "<ping xmlns='\(NS.ping)'/>")
        if reply.attribute("type") == "result" { return }
        try await context.requireServerFeature(NS.ping, on: probe, "XMPP ping")
        throw CheckFailure("the server lists \(NS.ping) but answered the ping with \(Answer.summary(reply)): \(reply)")
    }
}
