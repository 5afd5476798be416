import XMPPClient
import XMPPCore
import XMPPXML

/// RFC 6121 §8: routing messages to bare and full JIDs.
enum RoutingChecks {
    static let all = [bareJID, fullJID]

    static let bareJID = ConformanceCheck(
        "rfc6121-message-bare-jid", "A chat message to a bare JID reaches an available resource",
        cites: Citation("RFC 6121", "8.5.2.1.1", "For a message stanza of type \"chat\": … If the only available resource has a non-negative presence priority then the server MUST deliver the message to that resource."),
        category: .im, levels: [.imServer, .advancedIMServer], needs: .twoAccounts,
        sends: "B sends available presence (priority 0); A sends a chat message to B's bare JID",
        expects: "B's resource receives the message"
    ) { context in
        let accounts = try await context.accounts(2)
        let a = try await context.party(accounts[0], rosterGet: false, available: false)
        let b = try await context.party(accounts[1])
        _ = try await b.probe.elementsBeforeBarrier(domain: context.domain)
        let marker = conformanceMarker("bare")
        try await a.probe.send("<message to='\(b.bare)' type='chat' id='\(marker)'><body>conformance</body></message>")
        let message = await b.probe.nextMessage { $0.attribute("id") == marker }
        try context.expect(message != nil, "B's available resource \(b.jid) did not receive the chat message sent to \(b.bare)")
    }

    static let fullJID = ConformanceCheck(
        "rfc6121-message-full-jid", "A message to a full JID reaches only that resource",
        cites: Citation("RFC 6121", "8.5.3.1", "If an available resource or connected resource exactly matches the full JID, how the stanza is processed depends on the stanza type. For a message stanza, the server MUST deliver the stanza to the resource."),
        category: .im, levels: [.imServer, .advancedIMServer], needs: .twoAccounts,
        sends: "B is available on two resources (no carbons); A sends a chat message to the first resource's full JID",
        expects: "the first resource receives it; the second does not (checked up to a barrier ping)"
    ) { context in
        let accounts = try await context.accounts(2)
        let a = try await context.party(accounts[0], rosterGet: false, available: false)
        let one = try await context.party(accounts[1])
        let two = try await context.party(accounts[1])
        let marker = conformanceMarker("full")
        try await a.probe.send("<message to='\(one.full)' type='chat' id='\(marker)'><body>conformance</body></message>")
        let message = await one.probe.nextMessage { $0.attribute("id") == marker }
        try context.expect(message != nil, "\(one.jid) did not receive the message addressed to it")
        let seen = try await two.probe.elementsBeforeBarrier(domain: context.domain)
        try context.expect(!seen.contains { $0.name == "message" && $0.attribute("id") == marker },
                           "\(two.jid) also received the message addressed to \(one.jid)")
    }
}
