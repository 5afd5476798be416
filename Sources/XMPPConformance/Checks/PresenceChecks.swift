import XMPPClient
import XMPPCore
import XMPPXML

/// RFC 6121 §4: presence broadcast, probes and unavailable presence.
enum PresenceChecks {
    static let all = [broadcast, probe, unavailable, noLeak]

    static let broadcast = ConformanceCheck(
        "rfc6121-presence-broadcast", "Presence is broadcast to subscribers",
        cites: Citation("RFC 6121", "4.2.2", "Upon receiving initial presence from a client, the user's server MUST send the initial presence stanza from the full JID <user@domainpart/resourcepart> of the user to all contacts that are subscribed to the user's presence"),
        category: .im, levels: [.imServer, .advancedIMServer], needs: .twoAccounts,
        sends: "B subscribes to A's presence and A approves (setup); then a new resource of A sends initial presence with a marker status",
        expects: "B receives that presence with the marker, from the new resource's full JID"
    ) { context in
        try await context.withSubscribedPair { accounts, a, b in
            let marker = conformanceMarker("status")
            let late = try await context.party(accounts[0], available: false)
            try await late.probe.send("<presence><status>\(marker)</status></presence>")
            let presence = await b.probe.nextElement { $0.name == "presence" && $0.status == marker }
            let received = try context.expect(presence, "B (subscribed to A) did not receive the initial presence of A's resource \(late.jid)")
            try context.expect(received.attribute("from").flatMap { try? JID($0) } == late.jid,
                               "A's presence reached B from \(received.attribute("from") ?? "no 'from'"), not \(late.jid)")
        }
    }

    static let probe = ConformanceCheck(
        "rfc6121-presence-probe", "A new session receives its contacts' current presence",
        cites: Citation("RFC 6121", "4.3.2", "If the contact has at least one available resource, then the server MUST reply to the presence probe by sending to the user the full XML of the last presence stanza with no 'to' attribute received by the server from each of the contact's available resources"),
        category: .im, levels: [.imServer, .advancedIMServer], needs: .twoAccounts,
        sends: "B subscribes to A (setup); A sends presence with a marker status; B logs in a second resource and sends initial presence",
        expects: "B's new resource receives A's presence with the marker"
    ) { context in
        try await context.withSubscribedPair { accounts, a, b in
            let marker = conformanceMarker("status")
            try await a.probe.send("<presence><status>\(marker)</status></presence>")
            _ = try await b.probe.nextElement { $0.name == "presence" && $0.status == marker }
                .orSetupError("B's first resource did not receive A's presence update")
            let late = try await context.party(accounts[1])
            let presence = await late.probe.nextElement { $0.isPresence(type: nil, fromBare: a.bare) && $0.status == marker }
            try context.expect(presence != nil, "B's new resource \(late.jid) did not receive A's current presence (status '\(marker)')")
        }
    }

    static let unavailable = ConformanceCheck(
        "rfc6121-presence-unavailable", "Unavailable presence is broadcast to subscribers",
        cites: Citation("RFC 6121", "4.5.2", "the user's server MUST broadcast the unavailable presence stanza to the full JIDs of all contacts who are subscribed to the user's presence"),
        category: .im, levels: [.imServer, .advancedIMServer], needs: .twoAccounts,
        sends: "B subscribes to A (setup); A sends <presence type='unavailable'/>",
        expects: "B receives unavailable presence from A's full JID"
    ) { context in
        try await context.withSubscribedPair { _, a, b in
            try await a.probe.send("<presence type='unavailable'><status>conformance</status></presence>")
            let presence = await b.probe.nextElement { $0.isPresence(type: "unavailable", fromBare: a.bare) }
            let received = try context.expect(presence, "B (subscribed to A) did not receive A's unavailable presence")
            try context.expect(received.attribute("from").flatMap { try? JID($0) } == a.jid,
                               "A's unavailable presence reached B from \(received.attribute("from") ?? "no 'from'"), not \(a.jid)")
        }
    }

    static let noLeak = ConformanceCheck(
        "rfc6121-presence-no-leak", "Presence is not broadcast to strangers",
        cites: Citation("RFC 6121", "4.2.2", "the user's server MUST send the initial presence stanza … to all contacts that are subscribed to the user's presence; such contacts are those for which a JID is present in the user's roster with the 'subscription' attribute set to a value of \"from\" or \"both\"."),
        category: .im, levels: [.imServer, .advancedIMServer], needs: .threeAccounts,
        sends: "B subscribes to A (setup); C, a stranger, is online; a new resource of A sends initial presence with a marker status",
        expects: "B receives it; C never receives any presence from A (checked up to a barrier ping after B got it)"
    ) { context in
        try await context.withSubscribedPair(accounts: 3) { accounts, a, b in
            let c = try await context.party(accounts[2])
            let marker = conformanceMarker("status")
            let late = try await context.party(accounts[0], available: false)
            try await late.probe.send("<presence><status>\(marker)</status></presence>")
            _ = try await b.probe.nextElement { $0.name == "presence" && $0.status == marker }
                .orSetupError("B (subscribed to A) did not receive A's presence")
            let seen = try await c.probe.elementsBeforeBarrier(domain: context.domain)
            let leaked = seen.filter { $0.name == "presence" && $0.bareFrom == a.bare }
            try context.expect(leaked.isEmpty, "C, who has no subscription to A, received A's presence: \(leaked)")
        }
    }
}
