import XMPPClient
import XMPPCore
import XMPPCrypto
import XMPPXML

/// RFC 6120 §6 and RFC 5802: SASL, SCRAM and channel binding.
enum SASLChecks {
    static let all = [
        mechanisms, scramSHA1, plainInClear, success, badPassword, abort, invalidMechanism, incorrectEncoding, retry,
        noReoffer, channelBindingTypes, scramPlus, downgrade, wrongBinding,
    ]

    private static func scram(_ account: ConformanceAccount, password: String? = nil,
                              binding: SCRAMChannelBinding = .unsupported) throws(CheckSetupError) -> SCRAMMechanism {
        do {
            return try SCRAMMechanism(hash: .sha1, username: account.username, secret: .password(password ?? account.password),
                                      channelBinding: binding)
        } catch {
            throw CheckSetupError("SCRAM: \(error)")
        }
    }

    private static func failureCondition(_ outcome: StreamProbe.SASLOutcome) -> String? {
        if case .failure(_, let condition) = outcome { return condition ?? "(none)" }
        return nil
    }

    private static func describe(_ outcome: StreamProbe.SASLOutcome) -> String {
        switch outcome {
        case .success: "<success/>"
        case .failure(let element, _): "\(element)"
        case .unverifiedSuccess(_, let reason): "<success/> with a server signature that does not verify (\(reason))"
        }
    }

    /// The channel binding usable on this TLS session, preferring what the server advertises
    /// (XEP-0440 §4), or nil when the server offers no SCRAM-SHA-1-PLUS.
    private static func binding(_ opening: StreamProbe.Opening) -> (ChannelBindingType, [UInt8])? {
        guard opening.features.saslMechanisms.contains("SCRAM-SHA-1-PLUS"), let tls = opening.tls else { return nil }
        let advertised = opening.features.channelBindingTypes
        let preference: [ChannelBindingType] = tls.version == .v1_3 ? [.tlsExporter, .tlsServerEndPoint] : [.tlsUnique, .tlsServerEndPoint, .tlsExporter]
        for type in preference where advertised?.contains(type.rawValue) ?? true {
            if let data = tls.channelBinding(type), !data.isEmpty { return (type, data) }
        }
        return nil
    }

    static let mechanisms = ConformanceCheck(
        "rfc6120-sasl-mechanisms", "SASL mechanisms are offered after TLS",
        cites: Citation("RFC 6120", "6.4.1", "The <mechanisms/> element MUST contain one <mechanism/> child element for each authentication mechanism the receiving entity offers to the initiating entity"),
        category: .core, levels: [.coreServer, .advancedCoreServer], needs: .connection,
        sends: "STARTTLS, then a new stream header",
        expects: "<mechanisms/> with at least one <mechanism/>"
    ) { context in
        let (_, opening) = try await context.secured()
        try context.expect(!opening.features.saslMechanisms.isEmpty, "no SASL mechanism offered after TLS: \(opening.features.element)")
    }

    static let scramSHA1 = ConformanceCheck(
        "rfc6120-sasl-scram-sha1", "SCRAM-SHA-1 is offered",
        cites: Citation("RFC 6120", "13.8.1", "For authentication only, servers and clients MUST support the SASL Salted Challenge Response Authentication Mechanism [SCRAM] -- in particular, the SCRAM-SHA-1 and SCRAM-SHA-1-PLUS variants"),
        category: .core, levels: [.coreServer, .advancedCoreServer], needs: .connection,
        sends: "STARTTLS, then a new stream header",
        expects: "SCRAM-SHA-1 among the mechanisms"
    ) { context in
        let (_, opening) = try await context.secured()
        guard !opening.features.saslMechanisms.isEmpty else {
            throw CheckSetupError("no SASL mechanism is offered at all (rfc6120-sasl-mechanisms reports that)")
        }
        try context.expect(opening.features.saslMechanisms.contains("SCRAM-SHA-1"),
                           "SCRAM-SHA-1 is not offered; the server offers \(opening.features.saslMechanisms)")
    }

    static let plainInClear = ConformanceCheck(
        "rfc4616-plain-cleartext", "PLAIN is not offered without TLS",
        cites: Citation("RFC 4616", "6", "By default, implementations SHOULD NOT advertise and SHOULD NOT make use of the PLAIN mechanism unless adequate data security services are in place, generally through use of Transport Layer Security"),
        category: .core, levels: [], needs: .connection,
        sends: "an initial stream header (no TLS)",
        expects: "no PLAIN among the mechanisms offered before TLS"
    ) { context in
        let opening = try await context.connect().open(to: context.domain)
        try context.expect(!opening.features.saslMechanisms.contains("PLAIN"), "PLAIN is offered over a stream without TLS: \(opening.features.element)")
    }

    static let success = ConformanceCheck(
        "rfc6120-sasl-success", "SCRAM-SHA-1 succeeds with a valid server signature",
        cites: Citation("RFC 6120", "6.4.6", "The receiving entity reports success of the handshake by sending a <success/> element … (RFC 5802 §3: if the ServerSignature differs, the client MUST consider the authentication exchange to be unsuccessful)"),
        category: .core, levels: [.coreServer, .advancedCoreServer], needs: .oneAccount,
        sends: "SCRAM-SHA-1 (no channel binding) with the right password",
        expects: "<success/> whose v= verifies"
    ) { context in
        let account = try await context.accounts(1)[0]
        let (probe, _) = try await context.secured()
        let outcome = try await probe.authenticate(try scram(account))
        guard case .success = outcome else { throw CheckFailure("the right password was not accepted: \(describe(outcome))") }
    }

    static let badPassword = ConformanceCheck(
        "rfc6120-sasl-bad-password", "A wrong password fails with <not-authorized/>",
        cites: Citation("RFC 6120", "6.5.10", "<not-authorized/>: The authentication failed because the initiating entity did not provide proper credentials"),
        category: .core, levels: [.coreServer, .advancedCoreServer], needs: .oneAccount,
        sends: "SCRAM-SHA-1 with a wrong password",
        expects: "<failure><not-authorized/></failure>"
    ) { context in
        let account = try await context.accounts(1)[0]
        let (probe, _) = try await context.secured()
        let outcome = try await probe.authenticate(try scram(account, password: "wrong-" + StanzaID.make()))
        try context.expect(failureCondition(outcome) == "not-authorized", "expected <not-authorized/>, got \(describe(outcome))")
    }

    static let abort = ConformanceCheck(
        "rfc6120-sasl-abort", "An aborted exchange fails with <aborted/>",
        cites: Citation("RFC 6120", "6.4.4", "The initiating entity aborts the handshake … the receiving entity MUST return a <failure/> element containing an <aborted/> child element"),
        category: .core, levels: [.coreServer, .advancedCoreServer], needs: .oneAccount,
        sends: "<auth mechanism='SCRAM-SHA-1'> with a client-first message, then <abort/> after the challenge",
        expects: "<failure><aborted/></failure>"
    ) { context in
        let account = try await context.accounts(1)[0]
        let (probe, _) = try await context.secured()
        var mechanism = try scram(account)
        let first = (try? mechanism.initialResponse()) ?? nil
        try await probe.send("<auth xmlns='\(XMPPNamespace.sasl)' mechanism='SCRAM-SHA-1'>\(Base64.encode(first ?? []))</auth>")
        let challenge = try await probe.expectElement()
        guard challenge.name == "challenge" else { throw CheckSetupError("no SCRAM challenge: \(challenge)") }
        try await probe.send("<abort xmlns='\(XMPPNamespace.sasl)'/>")
        let answer = await probe.next()
        guard case .element(let failure)? = answer, failure.name == "failure" else {
            throw CheckFailure("expected <failure><aborted/></failure>, got \(StreamProbe.describe(answer))")
        }
        try context.expect(failure.child("aborted", namespace: XMPPNamespace.sasl) != nil, "the failure is not <aborted/>: \(failure)")
    }

    static let invalidMechanism = ConformanceCheck(
        "rfc6120-sasl-invalid-mechanism", "An unknown mechanism fails with <invalid-mechanism/>",
        cites: Citation("RFC 6120", "6.5.7", "<invalid-mechanism/>: The initiating entity did not specify a mechanism, or requested a mechanism that is not supported by the receiving entity; sent in reply to an <auth/> element"),
        category: .core, levels: [.coreServer, .advancedCoreServer], needs: .connection,
        sends: "<auth mechanism='X-XMPPKIT-UNKNOWN'/>",
        expects: "<failure><invalid-mechanism/></failure>"
    ) { context in
        let (probe, _) = try await context.secured()
        try await probe.send("<auth xmlns='\(XMPPNamespace.sasl)' mechanism='X-XMPPKIT-UNKNOWN'/>")
        let answer = await probe.next()
        guard case .element(let failure)? = answer, failure.name == "failure" else {
            throw CheckFailure("expected <failure><invalid-mechanism/></failure>, got \(StreamProbe.describe(answer))")
        }
        try context.expect(failure.child("invalid-mechanism", namespace: XMPPNamespace.sasl) != nil, "the failure is not <invalid-mechanism/>: \(failure)")
    }

    static let incorrectEncoding = ConformanceCheck(
        "rfc6120-sasl-incorrect-encoding", "Bad base64 fails with <incorrect-encoding/>",
        cites: Citation("RFC 6120", "6.5.5", "<incorrect-encoding/>: The data provided by the initiating entity could not be processed because the base 64 encoding is incorrect …; sent in reply to a <response/> element or an <auth/> element with initial response data"),
        category: .core, levels: [.coreServer, .advancedCoreServer], needs: .connection,
        sends: "<auth mechanism='SCRAM-SHA-1'>!!!not-base64!!!</auth>",
        expects: "<failure><incorrect-encoding/></failure>"
    ) { context in
        let (probe, _) = try await context.secured()
        try await probe.send("<auth xmlns='\(XMPPNamespace.sasl)' mechanism='SCRAM-SHA-1'>!!!not-base64!!!</auth>")
        let answer = await probe.next()
        guard case .element(let failure)? = answer, failure.name == "failure" else {
            throw CheckFailure("expected <failure><incorrect-encoding/></failure>, got \(StreamProbe.describe(answer))")
        }
        try context.expect(failure.child("incorrect-encoding", namespace: XMPPNamespace.sasl) != nil, "the failure is not <incorrect-encoding/>: \(failure)")
    }

    static let retry = ConformanceCheck(
        "rfc6120-sasl-retry", "A failed attempt can be retried on the same stream",
        cites: Citation("RFC 6120", "6.4.5", "the receiving entity SHOULD allow a configurable but reasonable number of retries (at least 2 and no more than 5)"),
        category: .core, levels: [.coreServer, .advancedCoreServer], needs: .oneAccount,
        sends: "SCRAM-SHA-1 with a wrong password, then with the right one on the same stream",
        expects: "<failure/>, then <success/>"
    ) { context in
        let account = try await context.accounts(1)[0]
        let (probe, _) = try await context.secured()
        let first = try await probe.authenticate(try scram(account, password: "wrong-" + StanzaID.make()))
        guard case .failure = first else { throw CheckSetupError("a wrong password was not refused: \(describe(first))") }
        let second: StreamProbe.SASLOutcome
        do {
            second = try await probe.authenticate(try scram(account))
        } catch {
            throw CheckFailure("the second attempt could not be made: \(error)")
        }
        guard case .success = second else { throw CheckFailure("the retry with the right password failed: \(describe(second))") }
    }

    static let noReoffer = ConformanceCheck(
        "rfc6120-sasl-no-reoffer", "SASL is not offered again after authentication",
        cites: Citation("RFC 6120", "6.4.6", "the receiving entity MUST respond by sending a new XML stream header … along with any available features (but not including the STARTTLS and SASL features)"),
        category: .core, levels: [.coreServer, .advancedCoreServer], needs: .oneAccount,
        sends: "STARTTLS, SCRAM-SHA-1, then a new stream header",
        expects: "features without <mechanisms/>"
    ) { context in
        let account = try await context.accounts(1)[0]
        let (probe, _) = try await context.secured()
        let opening = try await probe.login(account, domain: context.domain)
        try context.expect(opening.features.element.child("mechanisms", namespace: XMPPNamespace.sasl) == nil,
                           "SASL mechanisms are offered again after authentication: \(opening.features.element)")
    }

    static let channelBindingTypes = ConformanceCheck(
        "xep0440-channel-binding-types", "The channel-binding types are advertised with -PLUS",
        cites: Citation("XEP-0440", "2", "The <sasl-channel-binding/> element MUST contain one or more <channel-binding/> elements, of which each MUST have an attribute with the name 'type'"),
        category: .core, levels: [], needs: .connection,
        sends: "STARTTLS, then a new stream header",
        expects: "when advertised: <sasl-channel-binding xmlns='urn:xmpp:sasl-cb:0'> with at least one <channel-binding type=…/>"
    ) { context in
        let (_, opening) = try await context.secured()
        guard let feature = opening.features.element.child("sasl-channel-binding", namespace: XMPPNamespace.channelBindingTypes) else {
            throw CheckNotApplicable("the server does not advertise channel-binding types (XEP-0440)")
        }
        let types = feature.children("channel-binding", namespace: XMPPNamespace.channelBindingTypes)
        try context.expect(!types.isEmpty, "<sasl-channel-binding/> lists no <channel-binding/>: \(feature)")
        try context.expect(types.allSatisfy { !($0.attribute("type") ?? "").isEmpty }, "a <channel-binding/> has no type: \(feature)")
    }

    static let scramPlus = ConformanceCheck(
        "rfc5802-scram-plus", "SCRAM-SHA-1-PLUS succeeds with channel binding",
        cites: Citation("RFC 5802", "6", "Servers MUST implement the \"tls-unique\" [RFC5929] channel binding type, if they implement any channel binding"),
        category: .core, levels: [.coreServer, .advancedCoreServer], needs: .oneAccount,
        sends: "SCRAM-SHA-1-PLUS bound to this TLS session (tls-unique on TLS 1.2, tls-exporter on 1.3 as RFC 9266 requires, as advertised)",
        expects: "<success/> with a valid server signature"
    ) { context in
        let account = try await context.accounts(1)[0]
        let (probe, opening) = try await context.secured()
        guard let (type, data) = binding(opening) else { throw CheckNotApplicable("SCRAM-SHA-1-PLUS is not offered, or no binding type fits") }
        let outcome = try await probe.authenticate(try scram(account, binding: .bound(type, data: data)))
        guard case .success = outcome else { throw CheckFailure("SCRAM-SHA-1-PLUS with \(type.rawValue) failed: \(describe(outcome))") }
    }

    static let downgrade = ConformanceCheck(
        "rfc5802-scram-downgrade", "A client saying 'y' while -PLUS is offered is refused",
        cites: Citation("RFC 5802", "6", "If the flag is set to \"y\" and the server supports channel binding, the server MUST fail authentication"),
        category: .core, levels: [.coreServer, .advancedCoreServer], needs: .oneAccount,
        sends: "SCRAM-SHA-1 with the GS2 flag 'y' (client supports binding, thinks the server does not)",
        expects: "<failure/>"
    ) { context in
        let account = try await context.accounts(1)[0]
        let (probe, opening) = try await context.secured()
        guard binding(opening) != nil else { throw CheckNotApplicable("SCRAM-SHA-1-PLUS is not offered") }
        let outcome = try await probe.authenticate(try scram(account, binding: .supportedButNotOffered))
        try context.expect(failureCondition(outcome) != nil, "the server accepted 'y' although it offers channel binding: \(describe(outcome))")
    }

    static let wrongBinding = ConformanceCheck(
        "rfc5802-scram-wrong-binding", "Wrong channel-binding data is refused",
        cites: Citation("RFC 5802", "5.1", "c: This REQUIRED attribute specifies the base64-encoded GS2 header and channel binding data … (a server that finds it does not match answers e=channel-bindings-dont-match, §7)"),
        category: .core, levels: [.coreServer, .advancedCoreServer], needs: .oneAccount,
        sends: "SCRAM-SHA-1-PLUS with binding data from another TLS session (random bytes)",
        expects: "<failure/>"
    ) { context in
        let account = try await context.accounts(1)[0]
        let (probe, opening) = try await context.secured()
        guard let (type, data) = binding(opening) else { throw CheckNotApplicable("SCRAM-SHA-1-PLUS is not offered") }
        let wrong = data.map { $0 ^ 0x5A }
        let outcome = try await probe.authenticate(try scram(account, binding: .bound(type, data: wrong)))
        try context.expect(failureCondition(outcome) != nil, "the server accepted channel-binding data of another channel: \(describe(outcome))")
    }
}
