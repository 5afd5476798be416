import XMPPClient
import XMPPCore
import XMPPXML

/// RFC 6120 §8 and §10: IQ semantics, stanza errors, addressing and routing.
enum StanzaChecks {
    static let all = [
        beforeAuthentication, idPreserved, unknownPayload, twoChildren, noPayload, errorNotAnswered, resultNotAnswered,
        messageErrorNotAnswered, errorFormat, fromStamped, fromSpoofing, unavailableResource, unknownUser, whitespace,
    ]

    static let beforeAuthentication = ConformanceCheck(
        "rfc6120-stanza-before-auth", "Stanzas before authentication are not routed",
        cites: Citation("RFC 6120", "4.3.5", "The initiating entity MUST NOT attempt to send XML stanzas to entities other than itself … or the server to which it is connected until stream negotiation has been completed"),
        category: .core, levels: [.coreServer, .advancedCoreServer], needs: .oneAccount,
        sends: "after TLS, before SASL: a message to a logged-in user B",
        expects: "B never receives it (the server answers <not-authorized/>, or drops it)"
    ) { context in
        let account = try await context.accounts(1)[0]
        let (recipient, recipientJID) = try await context.loggedIn(account)
        let (probe, _) = try await context.secured()
        let marker = "unauthenticated-" + StanzaID.make()
        try await probe.send("<message to='\(recipientJID)' type='chat' id='\(marker)'><body>before authentication</body></message>")
        _ = await probe.streamEnding(within: .seconds(2))
        let delivered = await recipient.nextMessage(within: .seconds(2)) { $0.attribute("id") == marker }
        try context.expect(delivered == nil, "a message sent before authentication reached \(recipientJID)")
    }

    static let idPreserved = ConformanceCheck(
        "rfc6120-iq-id-preserved", "An IQ response carries the request's id",
        cites: Citation("RFC 6120", "8.2.3", "The response MUST preserve the 'id' attribute of the request"),
        category: .core, levels: [.coreServer, .advancedCoreServer], needs: .oneAccount,
        sends: "an IQ ping to the domain with an id of unusual characters (letters, digits, '-', '_', '.', ':')",
        expects: "a response with exactly that id"
    ) { context in
        let account = try await context.accounts(1)[0]
        let (probe, _) = try await context.loggedIn(account)
        let id = "Id_-.:" + StanzaID.make()
        try await probe.send(IQ.raw("get", id: id, to: context.domain, "<ping xmlns='urn:xmpp:ping'/>"))
        var seen: [String] = []
        while let event = await probe.next(within: .seconds(5)) {
            guard case .element(let element) = event else { break }
            guard element.name == "iq", element.attribute("type") == "result" || element.attribute("type") == "error" else { continue }
            if element.attribute("id") == id { return }
            seen.append(element.attribute("id") ?? "(none)")
        }
        throw CheckFailure("no response with id '\(id)'\(seen.isEmpty ? "" : "; responses came with ids \(seen)")")
    }

    static let messageErrorNotAnswered = ConformanceCheck(
        "rfc6120-message-error-not-answered", "A message error is never answered",
        cites: Citation("RFC 6120", "8.3.1", "An entity that receives an error stanza MUST NOT respond to the stanza with a further error stanza"),
        category: .core, levels: [.coreServer, .advancedCoreServer], needs: .oneAccount,
        sends: "<message type='error'> to an account that does not exist, then a ping as a barrier",
        expects: "nothing about the error message before the ping's answer"
    ) { context in
        let account = try await context.accounts(1)[0]
        let (probe, _) = try await context.loggedIn(account)
        let id = "error-message-" + StanzaID.make()
        try await probe.send("<message type='error' id='\(id)' to='nobody-\(StanzaID.make().lowercased().prefix(10))@\(context.domain)'>"
                             + "<error type='cancel'><item-not-found xmlns='\(XMPPNamespace.stanzaErrors)'/></error></message>")
        let seen = try await probe.elementsBeforeBarrier(domain: context.domain)
        try context.expect(!seen.contains { $0.attribute("id") == id }, "the server answered a message of type error")
    }

    static let noPayload = ConformanceCheck(
        "rfc6120-iq-no-payload", "An IQ get without a payload is a <bad-request/>",
        cites: Citation("RFC 6120", "8.2.3", "An IQ stanza of type \"get\" or \"set\" MUST contain exactly one child element"),
        category: .core, levels: [.coreServer, .advancedCoreServer], needs: .oneAccount,
        sends: "<iq type='get'> to the domain with no child element",
        expects: "an error (<bad-request/> fits), never a result"
    ) { context in
        let account = try await context.accounts(1)[0]
        let (probe, _) = try await context.loggedIn(account)
        let id = StanzaID.make()
        let reply = try await probe.request(raw: "<iq type='get' id='\(id)' to='\(context.domain)'/>", id: id)
        try context.expect(reply.attribute("type") == "error", "the server answered an IQ without a payload: \(Answer.summary(reply))")
    }

    static let resultNotAnswered = ConformanceCheck(
        "rfc6120-iq-result-not-answered", "An IQ result nobody asked for is not answered",
        cites: Citation("RFC 6120", "8.2.3", "An entity that receives a stanza of type \"result\" or \"error\" MUST NOT respond to the stanza by sending a further IQ response of type \"result\" or \"error\""),
        category: .core, levels: [.coreServer, .advancedCoreServer], needs: .oneAccount,
        sends: "<iq type='result'> with an id the server never used, then a ping as a barrier",
        expects: "nothing about it before the ping's answer"
    ) { context in
        let account = try await context.accounts(1)[0]
        let (probe, _) = try await context.loggedIn(account)
        let id = "unsolicited-" + StanzaID.make()
        try await probe.send("<iq type='result' id='\(id)' to='\(context.domain)'/>")
        let seen = try await probe.elementsBeforeBarrier(domain: context.domain)
        try context.expect(!seen.contains { $0.attribute("id") == id }, "the server answered an unsolicited IQ result")
    }

    static let whitespace = ConformanceCheck(
        "rfc6120-whitespace-keepalive", "Whitespace between stanzas is accepted",
        cites: Citation("RFC 6120", "4.6.1", "an entity … MAY send whitespace … as a keepalive … and MUST NOT consider it an error"),
        category: .core, levels: [.coreServer, .advancedCoreServer], needs: .oneAccount,
        sends: "after login: whitespace, then an IQ ping",
        expects: "the stream goes on and the ping is answered"
    ) { context in
        let account = try await context.accounts(1)[0]
        let (probe, _) = try await context.loggedIn(account)
        try await probe.send(" \n \t ")
        let id = StanzaID.make()
        try await probe.send(IQ.raw("get", id: id, to: context.domain, "<ping xmlns='urn:xmpp:ping'/>"))
        let reply = await probe.reply(to: id)
        try context.expect(reply != nil, "the stream did not go on after whitespace")
    }

    static let unknownPayload = ConformanceCheck(
        "rfc6120-iq-unknown-payload", "An IQ nobody understands gets <service-unavailable/>",
        cites: Citation("RFC 6120", "8.4", "if an entity receives an IQ stanza of type \"get\" or \"set\" containing a child element qualified by a namespace it does not understand, the entity SHOULD return an IQ stanza of type \"error\" with an error condition of <service-unavailable/>"),
        category: .core, levels: [.coreServer, .advancedCoreServer], needs: .oneAccount,
        sends: "<iq type='get'> to the domain with <query xmlns='urn:xmppkit:conformance:unknown'/>",
        expects: "an error with <service-unavailable/>"
    ) { context in
        let account = try await context.accounts(1)[0]
        let (probe, _) = try await context.loggedIn(account)
        let id = StanzaID.make()
        let reply = try await probe.request(raw: IQ.raw("get", id: id, to: context.domain, "<query xmlns='urn:xmppkit:conformance:unknown'/>"), id: id)
        try context.expect(Answer.stanzaCondition(reply) == "service-unavailable", "expected <service-unavailable/>, got \(Answer.summary(reply))")
    }

    static let twoChildren = ConformanceCheck(
        "rfc6120-iq-two-children", "An IQ with two payloads is a <bad-request/>",
        cites: Citation("RFC 6120", "8.2.3", "An IQ stanza of type \"get\" or \"set\" MUST contain exactly one child element"),
        category: .core, levels: [.coreServer, .advancedCoreServer], needs: .oneAccount,
        sends: "<iq type='get'> to the domain with <ping xmlns='urn:xmpp:ping'/> and <query xmlns='jabber:iq:version'/>",
        expects: "an error (<bad-request/> fits), never a result"
    ) { context in
        let account = try await context.accounts(1)[0]
        let (probe, _) = try await context.loggedIn(account)
        let id = StanzaID.make()
        let reply = try await probe.request(
            raw: IQ.raw("get", id: id, to: context.domain, "<ping xmlns='urn:xmpp:ping'/><query xmlns='jabber:iq:version'/>"), id: id)
        try context.expect(reply.attribute("type") == "error", "the server answered an IQ with two payloads: \(Answer.summary(reply))")
    }

    static let errorNotAnswered = ConformanceCheck(
        "rfc6120-iq-error-not-answered", "An IQ error is never answered",
        cites: Citation("RFC 6120", "8.2.3", "An entity that receives a stanza of type \"result\" or \"error\" MUST NOT respond to the stanza by sending a further IQ response of type \"result\" or \"error\""),
        category: .core, levels: [.coreServer, .advancedCoreServer], needs: .oneAccount,
        sends: "<iq type='error'> to the domain, then a ping as a barrier",
        expects: "nothing about the error IQ before the ping's answer"
    ) { context in
        let account = try await context.accounts(1)[0]
        let (probe, _) = try await context.loggedIn(account)
        let id = "error-" + StanzaID.make()
        try await probe.send(IQ.raw("error", id: id, to: context.domain,
                                    "<error type='cancel'><service-unavailable xmlns='\(XMPPNamespace.stanzaErrors)'/></error>"))
        let seen = try await probe.elementsBeforeBarrier(domain: context.domain)
        try context.expect(!seen.contains { $0.attribute("id") == id }, "the server answered an IQ of type error")
    }

    static let errorFormat = ConformanceCheck(
        "rfc6120-stanza-error-format", "Stanza errors have the RFC 6120 shape",
        cites: Citation("RFC 6120", "8.3.2", "The \"error-type\" MUST be one of the following: auth … cancel … continue … modify … wait. … The \"defined-condition\" MUST correspond to one of the stanza error conditions defined under Section 8.3.3"),
        category: .core, levels: [.coreServer, .advancedCoreServer], needs: .oneAccount,
        sends: "<iq type='get'> to the domain with an unknown payload",
        expects: "type='error', the request's id, and <error type=…> with exactly one defined condition"
    ) { context in
        let account = try await context.accounts(1)[0]
        let (probe, _) = try await context.loggedIn(account)
        let id = StanzaID.make()
        let reply = try await probe.request(raw: IQ.raw("get", id: id, to: context.domain, "<query xmlns='urn:xmppkit:conformance:unknown'/>"), id: id)
        try context.expect(reply.attribute("type") == "error", "the reply is not an error: \(reply)")
        let error = try context.expect(Answer.stanzaError(reply), "the error reply has no <error/> child: \(reply)")
        let type = error.attribute("type") ?? ""
        try context.expect(["auth", "cancel", "continue", "modify", "wait"].contains(type), "<error/> has type '\(type)'")
        let conditions = error.elements.filter { $0.namespace == XMPPNamespace.stanzaErrors && $0.name != "text" }
        try context.expect(conditions.count == 1, "<error/> has \(conditions.count) defined conditions: \(error)")
        try context.expect(StanzaError.Condition(rawValue: conditions[0].name) != nil, "<\(conditions[0].name)/> is not a defined condition")
    }

    static let fromStamped = ConformanceCheck(
        "rfc6120-from-stamped", "The server stamps 'from' with the sender's full JID",
        cites: Citation("RFC 6120", "8.1.2.1", "When a server receives an XML stanza from a connected client, the server MUST add a 'from' attribute to the stanza or override the 'from' attribute specified by the client, where the value … MUST be the full JID"),
        category: .core, levels: [.coreServer, .advancedCoreServer], needs: .twoAccounts,
        sends: "a message from A to B's full JID without 'from'",
        expects: "B receives it from A's full JID"
    ) { context in
        let accounts = try await context.accounts(2)
        let (a, aJID) = try await context.loggedIn(accounts[0])
        let (b, bJID) = try await context.loggedIn(accounts[1])
        let marker = StanzaID.make()
        try await a.send("<message to='\(bJID)' type='chat' id='\(marker)'><body>conformance</body></message>")
        let message = try await b.nextMessage { $0.attribute("id") == marker }
            .orSetupError("B did not receive A's message")
        let from = message.attribute("from")
        try context.expect(from.flatMap { try? JID($0) } == aJID, "B received it from \(from.map { "'\($0)'" } ?? "no 'from'"), not \(aJID)")
    }

    static let fromSpoofing = ConformanceCheck(
        "rfc6120-from-spoofing", "A forged 'from' never reaches the recipient",
        cites: Citation("RFC 6120", "8.1.2.1", "When a server receives an XML stanza from a connected client, the server MUST add a 'from' attribute to the stanza or override the 'from' attribute specified by the client"),
        category: .core, levels: [.coreServer, .advancedCoreServer], needs: .twoAccounts,
        sends: "a message from A to B with from='<someone else>', then an honest one",
        expects: "B never sees the forged 'from' (rewritten, or A's stream ended with <invalid-from/>)"
    ) { context in
        let accounts = try await context.accounts(2)
        let (a, _) = try await context.loggedIn(accounts[0])
        let (b, bJID) = try await context.loggedIn(accounts[1])
        let forged = "forged-\(StanzaID.make().lowercased().prefix(8))@\(context.domain)/x"
        let marker = StanzaID.make()
        try await a.send("<message to='\(bJID)' from='\(forged)' type='chat'><body>forged</body></message>")
        try? await a.send("<message to='\(bJID)' type='chat' id='\(marker)'><body>honest</body></message>")
        var messages: [XMLElement] = []
        while let message = await b.nextMessage(within: .seconds(3)) {
            messages.append(message)
            if message.attribute("id") == marker { break }
        }
        try context.expect(!messages.contains { $0.attribute("from") == forged }, "B received a message from the forged '\(forged)'")
    }

    static let unavailableResource = ConformanceCheck(
        "rfc6121-iq-unavailable-resource", "An IQ to a resource that is not connected gets <service-unavailable/>",
        cites: Citation("RFC 6121", "8.5.3.2.3", "For an IQ stanza, the server MUST return a <service-unavailable/> stanza error to the sender"),
        category: .im, levels: [.imServer, .advancedIMServer], needs: .twoAccounts,
        sends: "an IQ get with an unknown payload from A to B/<a resource B has not bound> (RFC 6120 §10.5.4 lets the server answer for the bare JID: unknown either way)",
        expects: "an error with <service-unavailable/>"
    ) { context in
        let accounts = try await context.accounts(2)
        let (a, _) = try await context.loggedIn(accounts[0])
        let id = StanzaID.make()
        let reply = try await a.request(raw: IQ.raw("get", id: id, to: "\(accounts[1].jid)/conform-absent-\(StanzaID.make().prefix(6))",
                                                    "<query xmlns='urn:xmppkit:conformance:unknown'/>"), id: id)
        try context.expect(Answer.stanzaCondition(reply) == "service-unavailable", "expected <service-unavailable/>, got \(Answer.summary(reply))")
    }

    static let unknownUser = ConformanceCheck(
        "rfc6120-iq-unknown-user", "An IQ to an account that does not exist gets <service-unavailable/>",
        cites: Citation("RFC 6120", "10.5.3.1", "If the user account identified by the 'to' attribute does not exist … For an IQ stanza, the server MUST return a <service-unavailable/> stanza error to the sender"),
        category: .core, levels: [.coreServer, .advancedCoreServer], needs: .oneAccount,
        sends: "an IQ get to nobody-<random>@<domain>",
        expects: "an error with <service-unavailable/>"
    ) { context in
        let account = try await context.accounts(1)[0]
        let (probe, _) = try await context.loggedIn(account)
        let id = StanzaID.make()
        let reply = try await probe.request(raw: IQ.raw("get", id: id, to: "nobody-\(StanzaID.make().lowercased().prefix(10))@\(context.domain)",
                                                        "<query xmlns='http://jabber.org/protocol/disco#info'/>"), id: id)
        try context.expect(Answer.stanzaCondition(reply) == "service-unavailable", "expected <service-unavailable/>, got \(Answer.summary(reply))")
    }
}

extension Optional {
    /// The value, or a ``CheckSetupError`` saying what was missing.
    func orSetupError(_ message: String) throws(CheckSetupError) -> Wrapped {
        guard let self else { throw CheckSetupError(message) }
        return self
    }
}
