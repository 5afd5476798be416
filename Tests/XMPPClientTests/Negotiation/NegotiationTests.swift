import Testing
@testable import XMPPClient
import XMPPCore
import XMPPXML

/// Stream negotiation (RFC 6120 §4.3) against transcripts recorded from the real servers and
/// against scripted variations of them.
@Suite struct NegotiationTests {
    static let password = "correct horse"

    static func negotiate(_ lines: [ScriptedServer.Line], domain: String, password: String = NegotiationTests.password,
                          configure: (inout XMPPClientConfiguration) -> Void = { _ in }) async throws -> (NegotiatedSession, ScriptedServer) {
        let server = ScriptedServer(lines: lines, password: NegotiationTests.password)
        var configuration = XMPPClientConfiguration(jid: try JID("juliet@\(domain)"), credential: .password(password))
        configuration.streamManagement = false  // the recordings end at binding; tests that want XEP-0198 turn it on
        configure(&configuration)
        var negotiator = StreamNegotiator(configuration: configuration, connection: server, inbound: server.inbound.makeAsyncIterator())
        do {
            let session = try await negotiator.negotiate()
            return (session, server)
        } catch {
            if let mismatch = server.mismatch { Issue.record("transcript mismatch: \(mismatch)") }
            throw error
        }
    }

    @Test(arguments: [("prosody-login", "prosody.test"), ("ejabberd-login", "ejabberd.test")])
    func replaysTheRecordedLogin(transcript: String, domain: String) async throws {
        let (session, server) = try await Self.negotiate(try ScriptedServer.transcript(transcript), domain: domain)
        #expect(server.mismatch == nil)
        #expect(session.boundJID.bare == (try JID("juliet@\(domain)")))
        #expect(session.mechanism == .scramSHA1Plus)
        #expect(session.channelBinding == .tlsUnique)
        #expect(session.tls?.version == .v1_2)
        #expect(session.features.bind)
        #expect(session.scramCredentials != nil, "RFC 5802 §5.1: the derived credentials are kept for later logins")
        // §4.7.1: 'from' only once the stream is protected.
        #expect(server.sent.first?.contains("from=") == false)
        #expect(server.sent.dropFirst(2).first?.contains("from=\"juliet@\(domain)\"") == true)
    }

    @Test(arguments: [("prosody-wrong-password", "prosody.test", "The response provided by the client doesn't match the one we calculated."),
                      ("ejabberd-wrong-password", "ejabberd.test", "Invalid username or password")])
    func reportsTheServersRefusal(transcript: String, domain: String, text: String) async throws {
        let error = await #expect(throws: XMPPClientError.self) {
            _ = try await Self.negotiate(try ScriptedServer.transcript(transcript), domain: domain, password: "wrong")
        }
        guard case .authentication(let sasl)? = error?.kind else {
            Issue.record("expected an authentication error, got \(String(describing: error))")
            return
        }
        #expect(sasl.failureCondition == .notAuthorized)
        #expect(sasl.serverText == text)
    }

    /// Every RFC 6120 §6.5 condition reaches the caller as itself.
    @Test(arguments: SASLFailureCondition.allCases)
    func everySASLFailureConditionIsReported(condition: SASLFailureCondition) async throws {
        var lines = try ScriptedServer.transcript("prosody-login")
        let auth = try #require(lines.firstIndex { if case .client(let xml) = $0 { return xml.contains("<auth") } else { return false } })
        lines = Array(lines[...auth]) + [.server("<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><\(condition.rawValue)/><text>why</text></failure>")]
        let error = await #expect(throws: XMPPClientError.self) { _ = try await Self.negotiate(lines, domain: "prosody.test") }
        guard case .authentication(let sasl)? = error?.kind else {
            Issue.record("expected an authentication error, got \(String(describing: error))")
            return
        }
        #expect(sasl.failureCondition == condition)
    }

    @Test func aWrongServerSignatureIsRefusedAndTheExchangeAborted() async throws {
        var lines = try ScriptedServer.transcript("ejabberd-login")
        let success = try #require(lines.firstIndex { if case .server(let xml) = $0 { return xml.contains("<success") } else { return false } })
        lines[success] = .server("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>dj1ybU5zdFRBTnRoSGJ4UEdFeGJ3a0RLQ1Fkem89</success>")
        lines.insert(.client("<abort xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>"), at: success + 1)
        let error = await #expect(throws: XMPPClientError.self) { _ = try await Self.negotiate(lines, domain: "ejabberd.test") }
        guard case .authentication(let sasl)? = error?.kind else {
            Issue.record("expected an authentication error, got \(String(describing: error))")
            return
        }
        #expect(!sasl.isServerRejection)
    }

    @Test func refusesAPlaintextStreamByDefault() async throws {
        let lines: [ScriptedServer.Line] = [
            .client("<stream:stream>"),
            .server("<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='1' version='1.0' from='example.com'>"),
            .server("<stream:features xmlns:stream='http://etherx.jabber.org/streams'><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism><mechanism>SCRAM-SHA-1</mechanism></mechanisms></stream:features>"),
        ]
        let error = await #expect(throws: XMPPClientError.self) { _ = try await Self.negotiate(lines, domain: "example.com") }
        guard case .tlsRequired? = error?.kind else {
            Issue.record("expected tlsRequired, got \(String(describing: error))")
            return
        }
    }

    @Test func neverSendsPLAINWithoutTLSEvenWhenPlaintextIsAllowed() async throws {
        let lines: [ScriptedServer.Line] = [
            .client("<stream:stream>"),
            .server("<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='1' version='1.0' from='example.com'>"),
            .server("<stream:features xmlns:stream='http://etherx.jabber.org/streams'><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms></stream:features>"),
        ]
        let error = await #expect(throws: XMPPClientError.self) {
            _ = try await Self.negotiate(lines, domain: "example.com") { $0.allowPlaintext = true }
        }
        guard case .authentication? = error?.kind else {
            Issue.record("expected an authentication (policy) error, got \(String(describing: error))")
            return
        }
    }

    @Test(arguments: [("host-unknown", nil), ("see-other-host", "[2001:db8::1]:5222"), ("policy-violation", nil)] as [(String, String?)])
    func streamErrorsDuringNegotiationAreTyped(condition: String, otherHost: String?) async throws {
        let lines: [ScriptedServer.Line] = [
            .client("<stream:stream>"),
            .server("<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='1' version='1.0' from='example.com'>"),
            .server("<stream:error xmlns:stream='http://etherx.jabber.org/streams'><\(condition) xmlns='urn:ietf:params:xml:ns:xmpp-streams'>\(otherHost ?? "")</\(condition)></stream:error>"),
        ]
        let error = await #expect(throws: XMPPClientError.self) { _ = try await Self.negotiate(lines, domain: "example.com") }
        guard case .stream(let streamError)? = error?.kind else {
            Issue.record("expected a stream error, got \(String(describing: error))")
            return
        }
        #expect(streamError.condition.rawValue == condition)
        #expect(streamError.otherHost == otherHost)
    }

    @Test func aBindingConflictIsReported() async throws {
        var lines = try ScriptedServer.transcript("prosody-login")
        let last = lines.count - 1
        lines[last] = .server("<iq xmlns='jabber:client' type='error' id='x'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/><error type='cancel'><conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>")
        let error = await #expect(throws: XMPPClientError.self) { _ = try await Self.negotiate(lines, domain: "prosody.test") }
        guard case .bind(let stanzaError)? = error?.kind else {
            Issue.record("expected a bind error, got \(String(describing: error))")
            return
        }
        #expect(stanzaError.condition == .conflict)
    }

    @Test func aBindingResultForAnotherAccountIsRefused() async throws {
        var lines = try ScriptedServer.transcript("prosody-login")
        let last = lines.count - 1
        lines[last] = .server("<iq xmlns='jabber:client' type='result' id='x'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>mallory@prosody.test/r</jid></bind></iq>")
        let error = await #expect(throws: XMPPClientError.self) { _ = try await Self.negotiate(lines, domain: "prosody.test") }
        guard case .protocolViolation? = error?.kind else {
            Issue.record("expected a protocol violation, got \(String(describing: error))")
            return
        }
    }

    @Test func aServerThatClosesMidNegotiationEndsItCleanly() async throws {
        let lines = Array(try ScriptedServer.transcript("ejabberd-login").prefix(4))
        let error = await #expect(throws: XMPPClientError.self) { _ = try await Self.negotiate(lines, domain: "ejabberd.test") }
        #expect(error != nil)
    }

    @Test func enablesStreamManagementAfterBinding() async throws {
        var lines = try ScriptedServer.transcript("prosody-login")
        lines.append(.client("<enable xmlns='urn:xmpp:sm:3' resume='true'/>"))
        lines.append(.server("<enabled xmlns='urn:xmpp:sm:3' id='some-long-sm-id' resume='true' max='600'/>"))
        let (session, server) = try await Self.negotiate(lines, domain: "prosody.test") { $0.streamManagement = true }
        #expect(server.mismatch == nil)
        guard case .enabled(let state) = session.streamManagement else {
            Issue.record("not enabled: \(session.streamManagement)")
            return
        }
        #expect(state.resumptionID == "some-long-sm-id")
        #expect(state.maximumResumptionSeconds == 600)
    }

    @Test func resumesInsteadOfBinding() async throws {
        var lines = Array(try ScriptedServer.transcript("prosody-login").dropLast(2))  // no bind
        lines.append(.client("<resume xmlns='urn:xmpp:sm:3' previd='some-long-sm-id' h='7'/>"))
        lines.append(.server("<resumed xmlns='urn:xmpp:sm:3' previd='some-long-sm-id' h='3'/>"))
        let previous = try JID("juliet@prosody.test/balcony")
        let server = ScriptedServer(lines: lines, password: Self.password)
        var configuration = XMPPClientConfiguration(jid: try JID("juliet@prosody.test"), credential: .password(Self.password))
        configuration.streamManagement = true
        var negotiator = StreamNegotiator(configuration: configuration, connection: server, inbound: server.inbound.makeAsyncIterator(),
                                          resumption: (id: "some-long-sm-id", handled: 7, jid: previous))
        let session = try await negotiator.negotiate()
        #expect(server.mismatch == nil)
        #expect(session.boundJID == previous)
        guard case .resumed(let handled) = session.streamManagement else {
            Issue.record("not resumed: \(session.streamManagement)")
            return
        }
        #expect(handled == 3)
    }

    @Test func aPinnedPLUSAccountRefusesAStrippedOffer() async throws {
        // A man in the middle with a trusted certificate strips -PLUS: the pin catches it (DESIGN.md).
        var lines = try ScriptedServer.transcript("ejabberd-login")
        for index in lines.indices {
            if case .server(let xml) = lines[index], xml.contains("SCRAM-SHA-1-PLUS") {
                lines[index] = .server(xml.replacingOccurrences(of: "<mechanism>SCRAM-SHA-1-PLUS</mechanism>", with: ""))
            }
        }
        let error = await #expect(throws: XMPPClientError.self) {
            _ = try await Self.negotiate(lines, domain: "ejabberd.test") {
                $0.saslPin = SASLPin(strongestMechanism: .scramSHA1Plus, strongestChannelBinding: .tlsUnique)
            }
        }
        guard case .authentication? = error?.kind else {
            Issue.record("expected the pin to refuse the downgrade, got \(String(describing: error))")
            return
        }
    }
}
