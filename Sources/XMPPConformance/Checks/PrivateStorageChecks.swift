import XMPPClient
import XMPPCore
import XMPPXML

/// XEP-0049 private XML storage.
enum PrivateStorageChecks {
    static let all = [roundtrip]

    static let namespace = "urn:xmppkit:conformance:private"

    static let roundtrip = ConformanceCheck(
        "xep0049-private-roundtrip", "Private XML is stored and returned",
        cites: Citation("XEP-0049", "2.1", "A Jabber client can store any arbitrary XML on the server side by sending an <iq/> stanza of type \"set\" to the server with a <query/> child scoped by the 'jabber:iq:private' namespace."),
        category: .extensions, levels: [.advancedIMServer], needs: .oneAccount,
        sends: "<query xmlns='jabber:iq:private'> set with <conformance xmlns='urn:xmppkit:conformance:private'>marker</conformance>, then a get for that element",
        expects: "a result to the set, and the get returns the element with the marker"
    ) { context in
        let account = try await context.accounts(1)[0]
        let (probe, _) = try await context.loggedIn(account)
        let marker = conformanceMarker("private")
        try await context.withCleanup { cleanup in
            let set = try await probe.query("set", to: nil, "<query xmlns='\(NS.privateStorage)'><conformance xmlns='\(namespace)'>\(marker)</conformance></query>")
            let condition = Answer.stanzaCondition(set)
            if condition == "service-unavailable" || condition == "feature-not-implemented" {
                throw CheckNotApplicable("the server answers <\(condition ?? "")/> to private storage")
            }
            cleanup.add { _ = try? await probe.query("set", to: nil, "<query xmlns='\(NS.privateStorage)'><conformance xmlns='\(namespace)'/></query>", within: .seconds(3)) }
            try context.expect(set.attribute("type") == "result", "storing private XML got \(Answer.summary(set)): \(set)")
            let get = try await probe.query("get", to: nil, "<query xmlns='\(NS.privateStorage)'><conformance xmlns='\(namespace)'/></query>")
            try context.expect(get.attribute("type") == "result", "retrieving private XML got \(Answer.summary(get)): \(get)")
            let stored = get.child("query", namespace: NS.privateStorage)?.child("conformance", namespace: namespace)
            try context.expect(stored?.text == marker, "the stored element came back as \(stored.map { "\($0)" } ?? "nothing"), not with '\(marker)': \(get)")
        }
    }
}
