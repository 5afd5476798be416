import XMPPClient
import XMPPCore
import XMPPXML

/// XEP-0077 in-band registration.
enum RegistrationChecks {
    static let all = [form, conflict, remove]

    /// A stream after TLS, before authentication; not applicable when the server does not offer
    /// in-band registration as a stream feature.
    private static func unauthenticated(_ context: CheckContext) async throws -> StreamProbe {
        let (probe, opening) = try await context.secured()
        guard opening.features.inBandRegistration else {
            throw CheckNotApplicable("the server does not offer in-band registration (no <register xmlns='http://jabber.org/features/iq-register'/> stream feature)")
        }
        return probe
    }

    static let form = ConformanceCheck(
        "xep0077-register-form", "The registration form asks for a username and a password",
        cites: Citation("XEP-0077", "3.1", "If the entity is not already registered and the host supports In-Band Registration, the host MUST inform the entity of the required registration fields."),
        category: .extensions, levels: [], needs: .connection,
        sends: "when registration is a stream feature: after TLS, <iq type='get'><query xmlns='jabber:iq:register'/></iq>",
        expects: "a result with <username/> and <password/> (or a data form with those fields)"
    ) { context in
        let probe = try await unauthenticated(context)
        let reply = try await probe.query("get", to: nil, "<query xmlns='\(NS.register)'/>")
        try context.expect(reply.attribute("type") == "result", "the registration form request got \(Answer.summary(reply)): \(reply)")
        let query = try context.expect(reply.child("query", namespace: NS.register), "the result has no jabber:iq:register <query/>: \(reply)")
        let formFields = query.child("x", namespace: NS.dataForms)?.elements.compactMap { $0.attribute("var") } ?? []
        func asked(_ field: String) -> Bool { query.child(field, namespace: NS.register) != nil || formFields.contains(field) }
        if !asked("username") && !asked("password") && query.child("instructions", namespace: NS.register) != nil {
            throw CheckNotApplicable("the server only gives instructions (registration elsewhere): \(query)")
        }
        try context.expect(asked("username"), "the registration form does not ask for a username: \(query)")
        try context.expect(asked("password"), "the registration form does not ask for a password: \(query)")
    }

    static let conflict = ConformanceCheck(
        "xep0077-register-conflict", "Registering a taken username fails",
        cites: Citation("XEP-0077", "3.1", "Alternatively, registration may fail. Possible causes of failure include a username conflict (the desired username is already in use by another entity)"),
        category: .extensions, levels: [], needs: .registration,
        sends: "after TLS, a registration with the username of an account registered for the check and a new password",
        expects: "an error (<conflict/>), never a result"
    ) { context in
        let probe = try await unauthenticated(context)
        let account = try await context.registeredAccount()
        let reply = try await probe.query("set", to: nil,
            "<query xmlns='\(NS.register)'><username>\(account.username.xmlEscaped)</username><password>\(conformanceMarker("other"))</password></query>")
        try context.expect(reply.attribute("type") == "error", "registering the taken username \(account.username) succeeded: \(reply)")
    }

    static let remove = ConformanceCheck(
        "xep0077-register-remove", "A removed account can no longer log in",
        cites: Citation("XEP-0077", "3.2", "The 'jabber:iq:register' namespace also makes it possible for an entity to cancel a registration with a host by sending a <remove/> element in an IQ set. … the server SHOULD then return a <not-authorized/> stream error and terminate all active sessions for the entity."),
        category: .extensions, levels: [], needs: .registration,
        sends: "an account registered for the check logs in and sends <query xmlns='jabber:iq:register'><remove/></query>; then a new login",
        expects: "a result (or a <not-authorized/> stream error); the new login fails"
    ) { context in
        let account = try await context.registeredAccount()
        let (probe, _) = try await context.loggedIn(account)
        let id = StanzaID.make()
        try await probe.send(IQ.raw("set", id: id, to: nil, "<query xmlns='\(NS.register)'><remove/></query>"))
        let answer = await probe.nextElement { ($0.name == "iq" && $0.attribute("id") == id) || ProbeEvent.element($0).streamError != nil }
        if let answer, answer.name == "iq" {
            let condition = Answer.stanzaCondition(answer)
            if ["not-allowed", "forbidden", "service-unavailable", "feature-not-implemented"].contains(condition ?? "") {
                throw CheckNotApplicable("the server does not let accounts remove themselves: <\(condition ?? "")/>")
            }
            try context.expect(answer.attribute("type") == "result", "the removal got \(Answer.summary(answer)): \(answer)")
        }
        let (again, _) = try await context.secured()
        let mechanism: SCRAMMechanism
        do {
            mechanism = try SCRAMMechanism(hash: .sha1, username: account.username, secret: .password(account.password))
        } catch {
            throw CheckSetupError("SCRAM: \(error)")
        }
        let outcome = try? await again.authenticate(mechanism)
        if case .success? = outcome {
            throw CheckFailure("\(account.jid) could still log in after removing the account")
        }
        if case .unverifiedSuccess? = outcome {
            throw CheckFailure("\(account.jid) could still log in after removing the account")
        }
    }
}
