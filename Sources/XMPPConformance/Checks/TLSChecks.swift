import XMPPClient
import XMPPCore
import XMPPXML

/// RFC 6120 §5: STARTTLS.
enum TLSChecks {
    static let all = [offered, required, proceed, noReoffer, certificate, injection]

    static let offered = ConformanceCheck(
        "rfc6120-tls-offered", "STARTTLS is offered",
        cites: Citation("RFC 6120", "5.4.1", "If the receiving entity supports TLS, the stream features MUST include an advertisement for support of STARTTLS negotiation"),
        category: .core, levels: [.coreServer, .advancedCoreServer], needs: .connection,
        sends: "an initial stream header",
        expects: "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/> among the stream features"
    ) { context in
        let opening = try await context.connect().open(to: context.domain)
        try context.expect(opening.features.startTLS.offered, "the features before TLS do not offer STARTTLS: \(opening.features.element)")
    }

    static let required = ConformanceCheck(
        "rfc6120-tls-required", "No authentication before TLS",
        cites: Citation("RFC 6120", "5.3.1", "If the receiving entity advertises only the STARTTLS feature or if the receiving entity includes the <required/> child element …, the parties MUST consider TLS as mandatory-to-negotiate"),
        category: .core, levels: [.coreServer, .advancedCoreServer], needs: .connection,
        sends: "SASL PLAIN before STARTTLS, with a username that does not exist (no real password travels in the clear)",
        expects: "a refusal that does not weigh the credentials: <encryption-required/> (or another refusal, or a stream error), never <not-authorized/> or <success/>"
    ) { context in
        let probe = try await context.connect()
        let opening = try await probe.open(to: context.domain)
        guard opening.features.startTLS.required else {
            throw CheckNotApplicable("the server does not make TLS mandatory-to-negotiate (no <required/> in <starttls/>)")
        }
        let credentials = Base64.encode(Array("\u{0}conform-nobody-\(StanzaID.make().lowercased().prefix(8))\u{0}not-the-password".utf8))
        try await probe.send("<auth xmlns='\(XMPPNamespace.sasl)' mechanism='PLAIN'>\(credentials)</auth>")
        let event = await probe.next()
        switch event {
        case .element(let element)? where element.name == "success":
            throw CheckFailure("the server authenticated over a stream without TLS")
        case .element(let element)? where element.name == "failure":
            let condition = element.elements.first { $0.name != "text" }?.name
            try context.expect(condition != "not-authorized" && condition != "temporary-auth-failure",
                               "the server weighed credentials sent before TLS (<\(condition ?? "?")/>) instead of refusing the attempt")
        default:
            return // a stream error or a closed connection refuses it too
        }
    }

    static let proceed = ConformanceCheck(
        "rfc6120-tls-proceed", "STARTTLS proceeds to a TLS handshake",
        cites: Citation("RFC 6120", "5.4.2.3", "If the proceed case occurs, the receiving entity MUST return a <proceed/> element qualified by the 'urn:ietf:params:xml:ns:xmpp-tls' namespace"),
        category: .core, levels: [.coreServer, .advancedCoreServer], needs: .connection,
        sends: "<starttls/>, then a TLS 1.2+ handshake (certificate not verified here: rfc6120-tls-certificate does that)",
        expects: "<proceed/> and a completed handshake"
    ) { context in
        let probe = try await context.connect()
        _ = try await probe.open(to: context.domain)
        try await probe.send("<starttls xmlns='\(XMPPNamespace.tls)'/>")
        let answer = await probe.next()
        guard case .element(let element)? = answer, element.name == "proceed", element.namespace == XMPPNamespace.tls else {
            throw CheckFailure("expected <proceed/>, got \(StreamProbe.describe(answer))")
        }
        try await probe.startTLS(TLSConfiguration(trust: .insecureNoVerificationForTestingOnly, serverName: context.domain,
                                                  minimumVersion: .v1_2, handshakeTimeout: .seconds(10)))
        let event = await probe.next(within: .seconds(10))
        guard case .tlsEstablished? = event else {
            throw CheckFailure("the TLS handshake did not complete: \(StreamProbe.describe(event))")
        }
    }

    static let noReoffer = ConformanceCheck(
        "rfc6120-tls-no-reoffer", "STARTTLS is not offered again over TLS",
        cites: Citation("RFC 6120", "5.4.3.3", "the receiving entity MUST respond by sending a new XML stream header … along with the available features (but not including the STARTTLS feature)"),
        category: .core, levels: [.coreServer, .advancedCoreServer], needs: .connection,
        sends: "STARTTLS, then a new stream header",
        expects: "features without <starttls/>"
    ) { context in
        let (_, opening) = try await context.secured()
        try context.expect(!opening.features.startTLS.offered, "STARTTLS is offered again after TLS: \(opening.features.element)")
    }

    static let certificate = ConformanceCheck(
        "rfc6120-tls-certificate", "The certificate is valid for the domain",
        cites: Citation("RFC 6120", "13.7.1.2", "In a PKIX certificate to be presented by an XMPP server …, the certificate SHOULD include one or more XMPP addresses (i.e., domainparts) associated with XMPP services hosted at the server"),
        category: .core, levels: [.coreServer, .advancedCoreServer], needs: .connection,
        sends: "STARTTLS and a handshake verifying the certificate chain and the domain name against the given trust",
        expects: "a certificate that verifies for the domain"
    ) { context in
        let probe = try await context.connect()
        _ = try await probe.open(to: context.domain)
        try await probe.send("<starttls xmlns='\(XMPPNamespace.tls)'/>")
        guard case .element(let element)? = await probe.next(), element.name == "proceed" else {
            throw CheckSetupError("STARTTLS was refused")
        }
        try await probe.startTLS(context.configuration.tls)
        let event = await probe.next(within: .seconds(10))
        guard case .tlsEstablished? = event else {
            throw CheckFailure("the certificate does not verify for \(context.domain): \(StreamProbe.describe(event))")
        }
    }

    static let injection = ConformanceCheck(
        "rfc6120-tls-injection", "Bytes sent after <starttls/> in the clear are discarded",
        cites: Citation("RFC 6120", "5.4.3.3", "The receiving entity MUST discard any information it obtained from the initiating entity in an insecure manner before TLS took effect"),
        category: .core, levels: [.coreServer, .advancedCoreServer], needs: .oneAccount,
        sends: "<starttls/> and an IQ ping in the same write (CVE-2011-1431), then TLS, login and a barrier ping",
        expects: "no answer to the injected ping, ever (a handshake that fails on the injected bytes is safe too)"
    ) { context in
        let account = try await context.accounts(1)[0]
        let probe = try await context.connect()
        _ = try await probe.open(to: context.domain)
        let injected = "injected-" + StanzaID.make()
        try await probe.send("<starttls xmlns='\(XMPPNamespace.tls)'/>" + IQ.raw("get", id: injected, to: context.domain, "<ping xmlns='urn:xmpp:ping'/>"))
        switch await probe.next() {
        case .element(let element)? where element.name == "proceed" && element.namespace == XMPPNamespace.tls:
            break
        case .element(let element)? where element.name == "iq" && element.attribute("id") == injected:
            throw CheckFailure("the server answered the ping injected after <starttls/>, in the clear")
        default:
            // Refused, a stream error, or bytes our parser cannot take as the same stream (Prosody
            // answers the unexpected bytes after <proceed/> with a new stream): nothing injected
            // was processed as XMPP.
            return
        }
        do {
            try await probe.startTLS(context.configuration.tls)
        } catch {
            return  // the server dropped the connection on the injected bytes (ejabberd): nothing was processed
        }
        switch await probe.next(within: .seconds(10)) {
        case .tlsEstablished?:
            break
        case .element(let element)? where element.name == "iq" && element.attribute("id") == injected:
            throw CheckFailure("the server answered the ping injected before TLS, in the clear")
        default:
            // The server read the injected bytes as the start of the TLS handshake, which failed:
            // nothing injected was processed as XMPP.
            return
        }
        var seen: [XMLElement] = []
        do {
            try await probe.send(StreamProbe.header(to: context.domain))
            while true {
                let event = await probe.next()
                if case .element(let element)? = event {
                    seen.append(element)
                    if element.name == "features" { break }
                } else if case .header? = event {
                    continue
                } else {
                    break
                }
            }
            _ = try await probe.login(account, domain: context.domain)
            _ = try await probe.bind()
            seen += try await probe.elementsBeforeBarrier(domain: context.domain)
        } catch let error as CheckSetupError {
            // The server may drop the connection once it sees the stray bytes (ejabberd does, after
            // the handshake): what it sent before that is all there is to judge.
            guard !probe.isOpen else { throw error }
            while case .element(let element)? = await probe.next(within: .milliseconds(200)) { seen.append(element) }
        }
        try context.expect(!seen.contains { $0.name == "iq" && $0.attribute("id") == injected },
                           "the server answered the ping injected before TLS")
    }
}
