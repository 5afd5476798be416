import Foundation
import TestSupport
import Testing
@testable import XMPPClient
import XMPPCore
import XMPPXML

/// Issue "Client session", hostile servers: a server that sends garbage, stalls mid-stanza, never
/// answers SASL, or plays tricks around STARTTLS. Each must end with a typed ``XMPPClientError``
/// within the configured timeouts (2 s here), without a hang or a crash, and no credential may
/// ever leave before TLS. Floods are in ``HostileServerFloodTests``.
@Suite struct HostileServerTests {
    static let connectTimeout: Duration = .seconds(5)  // roomy: CI runs this beside the whole suite on 2 cores
    static let requestTimeout: Duration = .seconds(2)
    /// How much later than its deadline a failure may arrive and still count as "no hang". Wide on
    /// purpose: durations are not what these tests measure (a loaded 2-core CI machine runs late);
    /// the error's kind says which mechanism ended the connection.
    static let slack: Duration = .seconds(20)

    static func start(_ adjust: (inout TestXMPPServer.Configuration) -> Void = { _ in }) async throws
        -> (TestXMPPServer, XMPPClient, TLSTestPKI) {
        let pki = try TLSTestPKI.get()
        var configuration = TestXMPPServer.Configuration(pki: pki)
        adjust(&configuration)
        let server = try await TestXMPPServer.start(configuration)
        let client = XMPPClient(configuration: Hostile.quiet(try server.clientConfiguration(
            pki: pki, connectTimeout: connectTimeout, requestTimeout: requestTimeout)))
        return (server, client, pki)
    }

    /// The control: the test server, left to behave, gets the client through STARTTLS, SCRAM with
    /// channel binding, and binding, and answers an IQ.
    @Test(arguments: [TLSVersion.v1_2, .v1_3])
    func wellBehavedServerLogsIn(tlsMax: TLSVersion) async throws {
        let pki = try TLSTestPKI.get()
        let server = try await TestXMPPServer.start(TestXMPPServer.Configuration(pki: pki))
        let client = XMPPClient(configuration: Hostile.quiet(try server.clientConfiguration(pki: pki, tlsMaximumVersion: tlsMax)))
        let session = try await Hostile.within(.seconds(10), "connect()") { try await client.connect() }
        #expect(session.mechanism == .scramSHA1Plus)
        #expect(session.channelBinding == (tlsMax == .v1_2 ? .tlsUnique : .tlsExporter))
        #expect(session.boundJID.bare == (try JID(server.configuration.jid)))
        let pong = try await client.send(IQ(.get, to: try JID(server.configuration.domain), payload: XMLElement("ping", namespace: "urn:xmpp:ping")))
        #expect(pong.kind == .result)
        await client.disconnect()
        Hostile.expectNothingSecretBeforeTLS(server)
        // The recording works: SASL did happen, over TLS.
        #expect(server.connections.first?.elements.contains { $0.element.name == "auth" && $0.phase == .secured } == true)
        await server.stop()
    }

    // MARK: - Garbage

    struct GarbageCase: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var step: TestXMPPServer.Step
        var bytes: [UInt8]
    }

    static let garbage: [GarbageCase] = [
        GarbageCase(testDescription: "binary noise before the client speaks", step: .connected,
                    bytes: (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919 &+ 13) }),
        GarbageCase(testDescription: "an HTTP response instead of a stream header", step: .streamHeader(.plaintext),
                    bytes: Array("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".utf8)),
        GarbageCase(testDescription: "noise instead of features", step: .streamHeader(.plaintext),
                    bytes: Array("<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>".utf8)
                        + [0x00, 0xFF, 0xFE, 0x3C, 0x3C, 0x3E, 0x01]),
        GarbageCase(testDescription: "invalid UTF-8 in the features", step: .streamHeader(.plaintext),
                    bytes: Array("<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'><stream:features><x>".utf8)
                        + [0xC3, 0x28, 0xA0, 0xA1] + Array("</x></stream:features>".utf8)),
        GarbageCase(testDescription: "noise instead of a stream header over TLS", step: .streamHeader(.secured),
                    bytes: Array("}{ not xml at all ]]>".utf8)),
    ]

    /// Garbage instead of XML: `.malformedInput(not-well-formed)`, at once.
    @Test(arguments: HostileServerTests.garbage)
    func garbageInsteadOfXML(_ testCase: GarbageCase) async throws {
        let (server, client, _) = try await Self.start { configuration in
            let (step, bytes) = (testCase.step, testCase.bytes)
            configuration.behavior = { $0.step == step ? .sendBytes(bytes) : .standard }
        }
        let (error, elapsed) = try await Hostile.failingConnect(client)
        guard case .malformedInput(let xml)? = error?.kind else {
            Issue.record("expected .malformedInput, got \(String(describing: error))")
            return
        }
        #expect(xml.condition == .notWellFormed)
        #expect(elapsed < Self.connectTimeout + Self.slack, "no hang (took \(elapsed))")
        #expect(await Hostile.settledState(client) == .connectionFailed)
        #expect(await client.lastError != nil)
        Hostile.expectNothingSecretBeforeTLS(server)
        await server.stop()
    }

    // MARK: - Stalls

    struct StallCase: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var step: TestXMPPServer.Step
        var action: TestXMPPServer.Action
    }

    static let header = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='s' from='xmpp.test' version='1.0'>"

    static let stalls: [StallCase] = [
        StallCase(testDescription: "half a stream header", step: .streamHeader(.plaintext),
                  action: .send("<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jab")),
        StallCase(testDescription: "half the features before TLS", step: .streamHeader(.plaintext),
                  action: .send(header + "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><requi")),
        StallCase(testDescription: "half a <proceed/>", step: .startTLS, action: .send("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'")),
        StallCase(testDescription: "<proceed/>, then no TLS handshake", step: .startTLS,
                  action: .send("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")),
        StallCase(testDescription: "half the features over TLS", step: .streamHeader(.secured),
                  action: .send(header + "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>SCRAM-SH")),
        StallCase(testDescription: "half a SASL challenge", step: .auth,
                  action: .send("<challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>cj1meWtvK2QybGJiRmdPTlJ2OXFreGRhd0wz")),
        StallCase(testDescription: "half the binding result", step: .bind, action: .send("<iq type='result' id='")),
    ]

    /// A server that sends half an element and then nothing: `.timeout` after `connectTimeout`.
    @Test(arguments: HostileServerTests.stalls)
    func stallMidStanza(_ testCase: StallCase) async throws {
        let (server, client, _) = try await Self.start { configuration in
            let (step, action) = (testCase.step, testCase.action)
            configuration.behavior = { $0.step == step ? action : .standard }
        }
        let (error, elapsed) = try await Hostile.failingConnect(client)
        guard case .timeout? = error?.kind else {
            Issue.record("expected .timeout, got \(String(describing: error))")
            return
        }
        #expect(elapsed >= Self.connectTimeout - .milliseconds(50))
        #expect(elapsed < Self.connectTimeout + Self.slack, "took \(elapsed)")
        #expect(await Hostile.settledState(client) == .connectionFailed)
        // The client hung up when it gave up.
        _ = try await Hostile.within(.seconds(2), "the server seeing the close") {
            while server.connections.contains(where: { !$0.isClosed }) { try await Task.sleep(for: .milliseconds(10)) }
        }
        Hostile.expectNothingSecretBeforeTLS(server)
        await server.stop()
    }

    /// After binding, the answer to an IQ stops mid-element: the request fails with `.timeout`
    /// after `requestTimeout`, and `disconnect()` still returns promptly.
    @Test func stallMidStanzaAfterBinding() async throws {
        let (server, client, _) = try await Self.start { configuration in
            configuration.behavior = { request in
                request.step == .stanza && request.element?.name == "iq"
                    ? .send("<iq type='result' id='\(request.element?.attribute("id") ?? "")'><query xmlns='jabber:iq:version'><na")
                    : .standard
            }
        }
        _ = try await Hostile.within(.seconds(10), "connect()") { try await client.connect() }
        let start = ContinuousClock.now
        let result = try await Hostile.within(.seconds(10), "send(IQ)") {
            await Hostile.result { try await client.send(IQ(.get, to: try JID("xmpp.test"), payload: XMLElement("query", namespace: "jabber:iq:version"))) }
        }
        let elapsed = ContinuousClock.now - start
        guard case .failure(let error as XMPPClientError) = result, case .timeout = error.kind else {
            Issue.record("expected .timeout, got \(result)")
            return
        }
        #expect(elapsed >= Self.requestTimeout - .milliseconds(50))
        #expect(elapsed < Self.requestTimeout + Self.slack, "took \(elapsed)")
        let closing = ContinuousClock.now
        try await Hostile.within(.seconds(5), "disconnect()") { await client.disconnect() }
        #expect(ContinuousClock.now - closing < .seconds(3))
        #expect(await client.state == .disconnected)
        await server.stop()
    }

    // MARK: - SASL never answered

    /// `<auth/>` (or the SCRAM `<response/>`) gets no reply: `.timeout` after `connectTimeout`.
    @Test(arguments: [TestXMPPServer.Step.auth, .response])
    func saslNeverAnswered(_ step: TestXMPPServer.Step) async throws {
        let (server, client, _) = try await Self.start { configuration in
            configuration.behavior = { $0.step == step ? .silence : .standard }
        }
        let (error, elapsed) = try await Hostile.failingConnect(client)
        guard case .timeout? = error?.kind else {
            Issue.record("expected .timeout, got \(String(describing: error))")
            return
        }
        #expect(elapsed >= Self.connectTimeout - .milliseconds(50))
        #expect(elapsed < Self.connectTimeout + Self.slack, "took \(elapsed)")
        #expect(await Hostile.settledState(client) == .connectionFailed)
        #expect(server.connections.first?.elements.contains { $0.element.name == "auth" && $0.phase == .secured } == true)
        Hostile.expectNothingSecretBeforeTLS(server)
        await server.stop()
    }

    // MARK: - No credential before TLS

    struct PlaintextCase: Sendable, CustomTestStringConvertible {
        enum Outcome: Sendable { case tlsRequired, protocolViolation, malformedInput, loginOverTLS(SASLMechanismName) }
        var testDescription: String
        var offerStartTLS = true
        var requireStartTLS = true
        var mechanismsBeforeTLS: [String] = []
        var startTLS: TestXMPPServer.Action = .standard
        /// The client accepts PLAIN (over TLS) and asks for it.
        var clientWantsPlain = false
        var outcome: Outcome
    }

    static let injectedStream = "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='evil' "
        + "from='xmpp.test' version='1.0'><stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
        + "<mechanism>PLAIN</mechanism></mechanisms></stream:features>"

    static let plaintextCases: [PlaintextCase] = [
        PlaintextCase(testDescription: "no STARTTLS, PLAIN and SCRAM offered in the clear", offerStartTLS: false,
                      mechanismsBeforeTLS: ["PLAIN", "SCRAM-SHA-1"], outcome: .tlsRequired),
        PlaintextCase(testDescription: "no STARTTLS, PLAIN offered in the clear, client allows PLAIN", offerStartTLS: false,
                      mechanismsBeforeTLS: ["PLAIN"], clientWantsPlain: true, outcome: .tlsRequired),
        PlaintextCase(testDescription: "optional STARTTLS with PLAIN before TLS (as ejabberd), client allows PLAIN",
                      requireStartTLS: false, mechanismsBeforeTLS: ["PLAIN", "SCRAM-SHA-1"], clientWantsPlain: true,
                      outcome: .loginOverTLS(.plain)),
        PlaintextCase(testDescription: "optional STARTTLS with PLAIN and SCRAM before TLS (as ejabberd)",
                      requireStartTLS: false, mechanismsBeforeTLS: ["PLAIN", "SCRAM-SHA-1"], outcome: .loginOverTLS(.scramSHA1Plus)),
        PlaintextCase(testDescription: "<starttls/> answered with <failure/>", mechanismsBeforeTLS: ["PLAIN", "SCRAM-SHA-1"],
                      startTLS: .send("<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:stream>"), clientWantsPlain: true,
                      outcome: .protocolViolation),
        // STARTTLS injection (CVE-2011-0411 family): plaintext behind <proceed/>, in the same segment,
        // must never be read as part of the protected stream.
        PlaintextCase(testDescription: "<proceed/> with a new stream offering PLAIN injected behind it",
                      startTLS: .proceedInjecting(injectedStream),
                      clientWantsPlain: true, outcome: .loginOverTLS(.plain)),
        // The same with an XML declaration: not well-formed inside the old stream, so the decoder
        // fails on it before it sees <proceed/> (the whole read is parsed at once). Fails closed.
        PlaintextCase(testDescription: "<proceed/> with an XML declaration and PLAIN features injected behind it",
                      startTLS: .proceedInjecting("<?xml version='1.0'?>" + injectedStream),
                      clientWantsPlain: true, outcome: .malformedInput),
    ]

    /// Whatever the server offers or answers around STARTTLS, nothing but the stream header and
    /// `<starttls/>` leaves the client before TLS (RFC 6120 §5.3.1, §13.8).
    @Test(arguments: HostileServerTests.plaintextCases)
    func noCredentialBeforeTLS(_ testCase: PlaintextCase) async throws {
        let pki = try TLSTestPKI.get()
        var configuration = TestXMPPServer.Configuration(pki: pki)
        configuration.offerStartTLS = testCase.offerStartTLS
        configuration.requireStartTLS = testCase.requireStartTLS
        configuration.mechanismsBeforeTLS = testCase.mechanismsBeforeTLS
        configuration.mechanisms = ["PLAIN", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-1"]
        let startTLS = testCase.startTLS
        configuration.behavior = { $0.step == .startTLS ? startTLS : .standard }
        let server = try await TestXMPPServer.start(configuration)
        var clientConfiguration = try server.clientConfiguration(pki: pki, connectTimeout: Self.connectTimeout)
        if testCase.clientWantsPlain {
            clientConfiguration.sasl.allowPlain = true
            clientConfiguration.sasl.requireChannelBindingWhenOffered = false
            clientConfiguration.preferredMechanism = .plain
        }
        let client = XMPPClient(configuration: Hostile.quiet(clientConfiguration))
        let result = try await Hostile.within(.seconds(10), "connect()") { await Hostile.result { try await client.connect() } }
        switch (testCase.outcome, result) {
        case (.loginOverTLS(let mechanism), .success(let session)):
            #expect(session.mechanism == mechanism)
            #expect(session.tls != nil)
            #expect(server.connections.first?.elements.contains { $0.element.name == "auth" && $0.phase == .secured } == true)
            await client.disconnect()
        case (.tlsRequired, .failure(let error as XMPPClientError)):
            guard case .tlsRequired = error.kind else { Issue.record("expected .tlsRequired, got \(error)"); break }
            #expect(await Hostile.settledState(client) == .connectionFailed)
        case (.malformedInput, .failure(let error as XMPPClientError)):
            guard case .malformedInput = error.kind else { Issue.record("expected .malformedInput, got \(error)"); break }
            #expect(await Hostile.settledState(client) == .connectionFailed)
        case (.protocolViolation, .failure(let error as XMPPClientError)):
            guard case .protocolViolation = error.kind else { Issue.record("expected .protocolViolation, got \(error)"); break }
            #expect(await Hostile.settledState(client) == .connectionFailed)
        default:
            Issue.record("expected \(testCase.outcome), got \(result)")
        }
        Hostile.expectNothingSecretBeforeTLS(server)
        await server.stop()
    }
}
