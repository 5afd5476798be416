import XMPPClient
import XMPPCore
import XMPPXML

/// XEP-0352 client state indication.
enum CSIChecks {
    static let all = [states]

    static let states = ConformanceCheck(
        "xep0352-csi", "Client state indications are accepted",
        cites: Citation("XEP-0352", "4.2", "There is no reply from the server to either of these elements"),
        category: .extensions, levels: [.mobileServer], needs: .oneAccount,
        sends: "when <csi xmlns='urn:xmpp:csi:0'/> is offered: after binding, <inactive/>, <active/>, then a barrier ping",
        expects: "the ping is answered on the same stream, with no error and no reply to the indications"
    ) { context in
        let account = try await context.accounts(1)[0]
        let (probe, _) = try await context.secured()
        let opening = try await probe.login(account, domain: context.domain)
        guard opening.features.clientStateIndication else {
            throw CheckNotApplicable("the server does not offer client state indication (no <csi xmlns='urn:xmpp:csi:0'/> stream feature)")
        }
        _ = try await probe.bind()
        let csi = XMPPNamespace.clientStateIndication
        try await probe.send("<inactive xmlns='\(csi)'/>")
        try await probe.send("<active xmlns='\(csi)'/>")
        let seen: [XMLElement]
        do {
            seen = try await probe.elementsBeforeBarrier(domain: context.domain)
        } catch {
            throw CheckFailure("the stream did not survive <inactive/> and <active/>: \(error)")
        }
        let replies = seen.filter { $0.namespace == csi || ProbeEvent.element($0).streamError != nil || Answer.stanzaError($0) != nil }
        try context.expect(replies.isEmpty, "the server answered the state indications: \(replies)")
    }
}
