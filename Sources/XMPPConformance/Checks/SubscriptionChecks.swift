import XMPPClient
import XMPPCore
import XMPPXML

/// RFC 6121 §3: the presence subscription state machine, seen from both users.
enum SubscriptionChecks {
    static let all = [ask, approval, denial]

    static let ask = ConformanceCheck(
        "rfc6121-subscribe-ask", "An outbound subscription request is pushed with ask='subscribe'",
        cites: Citation("RFC 6121", "3.1.2", "After locally delivering or remotely routing the presence subscription request, the user's server MUST then send a roster push to all of the user's interested resources, containing the potential contact with a subscription state of \"none\" and with notation that the subscription is pending (via an 'ask' attribute whose value is \"subscribe\")."),
        category: .im, levels: [.imServer, .advancedIMServer], needs: .twoAccounts,
        sends: "A requests the roster, then <presence type='subscribe'/> to B's bare JID",
        expects: "a roster push to A with B's item, subscription 'none' and ask='subscribe'"
    ) { context in
        let accounts = try await context.accounts(2)
        let a = try await context.party(accounts[0], available: false)
        let b = accounts[1].jid.description
        try await context.withCleanup { cleanup in
            cleanup.add { await context.removeFromRoster(b, on: a.probe) }
            try await a.probe.send("<presence to='\(b)' type='subscribe'/>")
            let push = await a.probe.nextElement { $0.rosterPushItem(for: b) != nil }
            let item = try context.expect(push?.rosterPushItem(for: b), "A got no roster push for \(b) after subscribing")
            try context.expect(item.attribute("ask") == "subscribe", "the roster push has ask=\(item.attribute("ask").map { "'\($0)'" } ?? "(none)"), not 'subscribe': \(item)")
            let subscription = item.attribute("subscription") ?? "none"
            try context.expect(subscription == "none", "the roster push has subscription='\(subscription)', not 'none': \(item)")
        }
    }

    static let approval = ConformanceCheck(
        "rfc6121-subscription-approval", "An approved subscription updates both rosters",
        cites: Citation("RFC 6121", "3.1.6", "If this check is successful, then the user's server MUST: 1. Deliver the inbound subscription approval to all of the user's interested resources … 2. Initiate a roster push to all of the user's interested resources, containing an updated roster item for the contact with the 'subscription' attribute set to a value of \"to\""),
        category: .im, levels: [.imServer, .advancedIMServer], needs: .twoAccounts,
        sends: "A (available, roster requested) subscribes to B (available, roster requested); B answers <presence type='subscribed'/>",
        expects: "A receives <presence type='subscribed'/> from B and a push with subscription='to'; B gets a push with subscription='from' (§3.1.5)"
    ) { context in
        let accounts = try await context.accounts(2)
        let a = try await context.party(accounts[0])
        let b = try await context.party(accounts[1])
        try await context.withCleanup { cleanup in
            try await context.requestSubscription(from: a, to: b, cleanup: cleanup)
            try await b.probe.send("<presence to='\(a.bare)' type='subscribed'/>")
            let seen = await a.probe.collect { seen in
                seen.contains { $0.isPresence(type: "subscribed", fromBare: b.bare) }
                    && seen.contains { $0.rosterPushItem(for: b.bare)?.attribute("subscription") == "to" }
            }
            try context.expect(seen.contains { $0.isPresence(type: "subscribed", fromBare: b.bare) },
                               "A did not receive <presence type='subscribed'/> from \(b.bare)")
            let pushes = seen.compactMap { $0.rosterPushItem(for: b.bare) }
            try context.expect(pushes.contains { $0.attribute("subscription") == "to" },
                               "A got no roster push with subscription='to' for \(b.bare); pushes: \(pushes)")
            let fromPush = await b.probe.nextElement { $0.rosterPushItem(for: a.bare)?.attribute("subscription") == "from" }
            try context.expect(fromPush != nil, "B got no roster push with subscription='from' for \(a.bare)")
        }
    }

    static let denial = ConformanceCheck(
        "rfc6121-subscription-denial", "A denied subscription request is cancelled",
        cites: Citation("RFC 6121", "3.2.3", "the user's server MUST … deliver the inbound subscription cancellation to all of the user's interested resources and initiate a roster push … containing an updated roster item for the contact with the 'subscription' attribute set to a value of \"none\""),
        category: .im, levels: [.imServer, .advancedIMServer], needs: .twoAccounts,
        sends: "A (available, roster requested) subscribes to B (available); B answers <presence type='unsubscribed'/>",
        expects: "A receives <presence type='unsubscribed'/> and a push for B with subscription 'none' and no 'ask'"
    ) { context in
        let accounts = try await context.accounts(2)
        let a = try await context.party(accounts[0])
        let b = try await context.party(accounts[1])
        try await context.withCleanup { cleanup in
            try await context.requestSubscription(from: a, to: b, cleanup: cleanup)
            let pending = await a.probe.nextElement { $0.rosterPushItem(for: b.bare)?.attribute("ask") == "subscribe" }
            _ = try pending.orSetupError("A got no roster push with ask='subscribe' for \(b.bare)")
            try await b.probe.send("<presence to='\(a.bare)' type='unsubscribed'/>")
            func cancelled(_ element: XMLElement) -> Bool {
                guard let item = element.rosterPushItem(for: b.bare) else { return false }
                return item.attribute("ask") == nil && (item.attribute("subscription") ?? "none") == "none"
            }
            let seen = await a.probe.collect { seen in
                seen.contains { $0.isPresence(type: "unsubscribed", fromBare: b.bare) } && seen.contains(where: cancelled)
            }
            try context.expect(seen.contains { $0.isPresence(type: "unsubscribed", fromBare: b.bare) },
                               "A did not receive <presence type='unsubscribed'/> from \(b.bare)")
            let pushes = seen.compactMap { $0.rosterPushItem(for: b.bare) }
            try context.expect(seen.contains(where: cancelled),
                               "A got no roster push for \(b.bare) with subscription 'none' and no 'ask'; pushes: \(pushes)")
        }
    }
}
