import Testing
import XMPPClient
import XMPPCore
import XMPPXML
@testable import XMPPExtensions

/// The XEP's reply in `fixture`, answering `request` (its id).
func registrationReply(_ fixture: String, to request: IQ) throws -> IQ {
    var element = try XEPExample.stanza(fixture)
    element.setAttribute("id", to: request.id)
    return try IQ(element: element)
}

/// The registration query an IQ carries.
func registrationPayload(_ iq: IQ?) throws -> RegistrationQuery {
    guard let payload = iq?.payload else { throw StanzaError(.badRequest, text: "no payload") }
    return try RegistrationQuery(element: payload)
}

/// A host whose server answers the §3.1 get with `form` and the set with `setReply`, recording requests.
func registrationHost(form: String, setReply: String = "0077/register-result.xml") throws -> ScriptedModuleHost {
    try ScriptedModuleHost(jid: "example.com") { request in
        if request.kind == .get { return try registrationReply(form, to: request) }
        return try registrationReply(setReply, to: request)
    }
}

@Suite("In-band registration (XEP-0077)")
struct RegistrationTests {
    @Test("§3.1 Example 2: the host's legacy fields and instructions are read, in order")
    func readsFields() throws {
        let iq = try IQ(element: XEPExample.stanza("0077/register-fields.xml"))
        let query = try registrationPayload(iq)
        #expect(query.fields.map(\.name) == ["username", "password", "email"])
        #expect(query.fields.allSatisfy { $0.value.isEmpty })
        #expect(query.instructions?.hasPrefix("Choose a username and password") == true)
        #expect(!query.isRegistered && !query.isRedirect && query.form == nil)
        #expect(try RegistrationQuery(element: query.element) == query)
    }

    @Test("§3.1 Example 3: a registered entity's data is read; registering again is refused")
    func registered() async throws {
        let iq = try IQ(element: XEPExample.stanza("0077/registered.xml"))
        let query = try registrationPayload(iq)
        #expect(query.isRegistered)
        #expect(query.value("username") == "juliet")
        #expect(query.value("email") == "juliet@capulet.com")
        let host = try registrationHost(form: "0077/registered.xml")
        let module = await host.start(RegistrationModule())
        await #expect(throws: RegistrationError(.alreadyRegistered)) {
            try await module.register(username: "juliet", password: "x")
        }
        #expect(await host.sentRequests.count == 1)
    }

    @Test("§3.1 Examples 1, 2, 4, 5: get the fields, then set every one of them")
    func registersLegacy() async throws {
        let host = try registrationHost(form: "0077/register-fields.xml")
        let module = await host.start(RegistrationModule())
        try await module.register(username: "bill", password: "Calliope", extra: ["email": "bard@shakespeare.lit"])
        let requests = await host.sentRequests
        #expect(requests.count == 2)
        let get = try IQ(element: XEPExample.stanza("0077/register-get.xml"))
        #expect(requests[0].kind == .get)
        #expect(try registrationPayload(requests[0]) == registrationPayload(get))
        let expected = try IQ(element: XEPExample.stanza("0077/register-set.xml"))
        #expect(requests[1].kind == .set)
        #expect(try registrationPayload(requests[1]) == registrationPayload(expected))
    }

    @Test("§3.1: a field the host asks for and nobody filled is named, and nothing is sent")
    func unfillableLegacyField() async throws {
        let host = try registrationHost(form: "0077/register-fields.xml")
        let module = await host.start(RegistrationModule())
        await #expect(throws: RegistrationError(.unfillableFields(["email"]))) {
            try await module.register(username: "bill", password: "Calliope")
        }
        #expect(await host.sentRequests.count == 1)
    }

    @Test("§3.1 Examples 6 and 7: conflict and not-acceptable become typed errors", arguments: [
        ("0077/register-conflict.xml", RegistrationError.Reason.conflict),
        ("0077/register-not-acceptable.xml", .notAcceptable),
    ])
    func failedRegistration(fixture: String, reason: RegistrationError.Reason) async throws {
        let host = try registrationHost(form: "0077/register-fields.xml", setReply: fixture)
        let module = await host.start(RegistrationModule())
        do {
            try await module.register(username: "bill", password: "m1cro$oft", extra: ["email": "billg@bigcompany.com"])
            Issue.record("registration succeeded")
        } catch let error as RegistrationError {
            #expect(error.reason == reason)
            #expect(error.stanzaError?.condition.rawValue == (reason == .conflict ? "conflict" : "not-acceptable"))
        }
    }

    @Test("§3.1 Examples 9 and 10: the data form takes precedence and is submitted with its FORM_TYPE")
    func registersWithForm() async throws {
        let host = try registrationHost(form: "0077/register-form.xml")
        let module = await host.start(RegistrationModule())
        try await module.register(username: "juliet", password: "x",
                                  extra: ["first": "Juliet", "last": "Capulet", "email": "juliet@capulet.com", "x-gender": "F"])
        let sent = try registrationPayload(await host.sentRequests.last)
        let form = try #require(sent.form)
        #expect(sent.fields.isEmpty, "§4: never both the form and the legacy fields")
        let expectedIQ = try IQ(element: XEPExample.stanza("0077/register-form-submit.xml"))
        let expectedPayload = try #require(expectedIQ.payload)
        let expected = try #require(try RegistrationQuery(element: expectedPayload).form)
        #expect(form.kind == .submit)
        #expect(form.formType == "jabber:iq:register")
        for variable in ["first", "last", "email", "x-gender"] {
            #expect(form.value(variable) == expected.value(variable), "\(variable)")
        }
    }

    @Test("§3.1 Example 9: the required form fields left empty are named")
    func unfillableFormFields() async throws {
        let host = try registrationHost(form: "0077/register-form.xml")
        let module = await host.start(RegistrationModule())
        await #expect(throws: RegistrationError(.unfillableFields(["first", "last", "email"]))) {
            try await module.register(username: "juliet", password: "x")
        }
    }

    @Test("A form field of an unknown type is kept; required and empty, it is named; given, it is sent")
    func unknownFieldType() async throws {
        let form = """
            <iq type='result' id='x'><query xmlns='jabber:iq:register'><x xmlns='jabber:x:data' type='form'>
            <field type='hidden' var='FORM_TYPE'><value>jabber:iq:register</value></field>
            <field type='hidden' var='challenge'><value>c0ffee</value></field>
            <field type='x-captcha-image' var='ocr'><required/></field>
            <field type='text-single' var='username'><required/></field>
            <field type='text-private' var='password'><required/></field>
            </x></query></iq>
            """
        let asked = try registrationPayload(try IQ(element: XEPExample.parse(form)[0]))
        #expect(asked.form?.field("ocr")?.type == .other("x-captcha-image"))
        #expect(throws: RegistrationError(.unfillableFields(["ocr"]))) {
            _ = try RegistrationModule.answer(asked, with: ["username": "u", "password": "p"])
        }
        let answer = try RegistrationModule.answer(asked, with: ["username": "u", "password": "p", "ocr": "7gk2"])
        let submitted = try #require(answer.form)
        #expect(submitted.value("ocr") == "7gk2")
        #expect(submitted.value("challenge") == "c0ffee", "hidden fields keep their value")
        #expect(submitted.value("FORM_TYPE") == "jabber:iq:register")
    }

    @Test("§5 Example 25: instructions and a URL only mean registration happens elsewhere")
    func redirect() async throws {
        let host = try registrationHost(form: "0077/redirect.xml")
        let module = await host.start(RegistrationModule())
        let form = try await module.registrationForm()
        #expect(form.isRedirect)
        #expect(form.redirectURL == "http://www.shakespeare.lit/contests.php")
        await #expect(throws: RegistrationError(.redirected(instructions: form.instructions, url: "http://www.shakespeare.lit/contests.php"))) {
            try await module.register(username: "a", password: "b")
        }
    }

    @Test("§3.2 Examples 11 and 12: remove sends a lone <remove/>")
    func removesAccount() async throws {
        let host = try ScriptedModuleHost(jid: "bill@shakespeare.lit/globe") { try registrationReply("0077/remove-result.xml", to: $0) }
        let module = await host.start(RegistrationModule())
        try await module.removeAccount()
        let sent = try #require(await host.sentRequests.first)
        let expected = try IQ(element: XEPExample.stanza("0077/remove.xml"))
        #expect(sent.kind == .set && sent.to == nil, "§3.2: no 'to' when cancelling with the home server")
        #expect(try registrationPayload(sent) == registrationPayload(expected))
        #expect(sent.payload?.elements.count == 1)
    }

    @Test("§3.2 Examples 13, 15, 16: cancellation errors are typed", arguments: [
        ("0077/remove-bad-request.xml", RegistrationError.Reason.badRequest),
        ("0077/remove-not-allowed.xml", .notAllowed),
        ("0077/remove-form-error.xml", .notAllowed),
    ])
    func removeErrors(fixture: String, reason: RegistrationError.Reason) async throws {
        let host = try ScriptedModuleHost(jid: "bill@shakespeare.lit/globe") { try registrationReply(fixture, to: $0) }
        let module = await host.start(RegistrationModule())
        do {
            try await module.removeAccount()
            Issue.record("removal succeeded")
        } catch let error as RegistrationError {
            #expect(error.reason == reason)
        }
    }

    @Test("§3.3 Examples 18 and 19: a password change names our username and the new password")
    func changesPassword() async throws {
        let host = try ScriptedModuleHost(jid: "bill@shakespeare.lit/globe") { try registrationReply("0077/password-change-result.xml", to: $0) }
        let module = await host.start(RegistrationModule())
        try await module.changePassword("newpass")
        let sent = try #require(await host.sentRequests.first)
        let expected = try IQ(element: XEPExample.stanza("0077/password-change.xml"))
        #expect(try registrationPayload(sent) == registrationPayload(expected))
    }

    @Test("§3.3 Examples 21 and 22: password change errors are typed", arguments: [
        ("0077/password-not-authorized.xml", RegistrationError.Reason.notAuthorized),
        ("0077/password-not-allowed.xml", .notAllowed),
    ])
    func passwordErrors(fixture: String, reason: RegistrationError.Reason) async throws {
        let host = try ScriptedModuleHost(jid: "bill@shakespeare.lit/globe") { try registrationReply(fixture, to: $0) }
        let module = await host.start(RegistrationModule())
        do {
            try await module.changePassword("groundlings")
            Issue.record("password change succeeded")
        } catch let error as RegistrationError {
            #expect(error.reason == reason)
        }
    }

    @Test("§3.3: an empty password is refused before anything is sent")
    func emptyPassword() async throws {
        let host = try ScriptedModuleHost(jid: "bill@shakespeare.lit/globe")
        let module = await host.start(RegistrationModule())
        await #expect(throws: RegistrationError.self) { try await module.changePassword("") }
        #expect(await host.sentRequests.isEmpty)
    }

    @Test("A host without in-band registration: service-unavailable is notSupported")
    func notSupported() async throws {
        let host = try ScriptedModuleHost(jid: "example.com")
        let module = await host.start(RegistrationModule())
        await #expect(throws: RegistrationError(.notSupported, stanzaError: StanzaError(.serviceUnavailable))) {
            _ = try await module.registrationForm()
        }
    }

    @Test("§8 stream feature and §10 Example 28 disco feature both mean supported")
    func detection() async throws {
        let unauthenticated = try ScriptedModuleHost(jid: "example.com")
        let module = await unauthenticated.start(RegistrationModule())
        await #expect(throws: XMPPClientError.self) { _ = try await module.isSupportedByServer() }
        var features = XMLElement("features", namespace: "http://etherx.jabber.org/streams")
        features.append(XMLElement("register", namespace: RegistrationQuery.streamFeatureNamespace))
        await unauthenticated.setStreamFeatures(StreamFeatures(element: features))
        #expect(try await module.isSupportedByServer())
        await unauthenticated.setStreamFeatures(StreamFeatures(element: XMLElement("features", namespace: "http://etherx.jabber.org/streams")))
        #expect(try await module.isSupportedByServer() == false, "unauthenticated and no stream feature: no disco to ask")

        let loggedIn = try ScriptedModuleHost(jid: "marlowe.lit/pc") { try registrationReply("0077/disco-response.xml", to: $0) }
        await loggedIn.setStreamFeatures(StreamFeatures(element: XMLElement("features", namespace: "http://etherx.jabber.org/streams")))
        let other = await loggedIn.start(RegistrationModule())
        #expect(try await other.isSupportedByServer() == false, "a domain JID bound: the stream is unauthenticated")
        let user = try ScriptedModuleHost(jid: "juliet@shakespeare.lit/pc") { try registrationReply("0077/disco-response.xml", to: $0) }
        await user.setStreamFeatures(StreamFeatures(element: XMLElement("features", namespace: "http://etherx.jabber.org/streams")))
        let registration = await user.start(RegistrationModule())
        #expect(try await registration.isSupportedByServer())
    }
}

@Suite("In-band registration: hostile answers")
struct RegistrationHostileTests {
    @Test("Malformed registration payloads are bad-request", arguments: [
        "<query xmlns='jabber:iq:register'><username><b>bold</b></username></query>",
        "<query xmlns='jabber:iq:register'><username/><username/></query>",
        "<query xmlns='jabber:iq:register'><x xmlns='jabber:x:data'/></query>",
        "<query xmlns='jabber:iq:register'><x xmlns='jabber:x:data' type='form'><field type='text-single'/></x></query>",
        "<query xmlns='jabber:iq:roster'/>",
    ])
    func malformed(xml: String) throws {
        let element = try XEPExample.parse(xml)[0]
        #expect(throws: StanzaError.self) { _ = try RegistrationQuery(element: element) }
    }

    @Test("A host listing 100,000 fields is refused, not stored")
    func tooManyFields() throws {
        var query = XMLElement("query", namespace: RegistrationQuery.namespace)
        for index in 0..<100_000 { query.append(XMLElement("x-field\(index)", namespace: RegistrationQuery.namespace)) }
        #expect(throws: StanzaError.self) { _ = try RegistrationQuery(element: query) }
    }

    @Test("A malformed form from the host is a RegistrationError, an empty result too")
    func malformedFromHost() async throws {
        let host = try ScriptedModuleHost(jid: "example.com") { request in
            request.makeResult(payload: try XEPExample.parse("<query xmlns='jabber:iq:register'><x xmlns='jabber:x:data' type='bogus'/></query>")[0])
        }
        let module = await host.start(RegistrationModule())
        await #expect(throws: RegistrationError.self) { _ = try await module.registrationForm() }
        await host.setResponder { $0.makeResult() }
        await #expect(throws: RegistrationError.self) { _ = try await module.registrationForm() }
    }

    @Test("Unknown namespaces and a 1 MB instruction text are taken in stride (§6: ignore what is not understood)")
    func unknownAndLarge() throws {
        var query = XMLElement("query", namespace: RegistrationQuery.namespace)
        query.append(XMLElement("instructions", namespace: RegistrationQuery.namespace, text: String(repeating: "a", count: 1 << 20)))
        query.append(XMLElement("whatever", namespace: "urn:example:unknown"))
        query.append(XMLElement("username", namespace: RegistrationQuery.namespace))
        let parsed = try RegistrationQuery(element: query)
        #expect(parsed.instructions?.utf8.count == 1 << 20)
        #expect(parsed.fields.map(\.name) == ["username"])
    }
}
