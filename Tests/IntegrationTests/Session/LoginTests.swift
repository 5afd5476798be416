import Testing
import TestSupport
@testable import XMPPClient
import XMPPCore
import XMPPXML

/// Issue "Client session": logging in to both real servers, every mechanism each offers, both TLS
/// transports, and the failures a user must be told about.
@Suite struct LoginTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var server: String
        var host: String?  // extra host key (sha256 / plain), nil for the main domain
        var mechanism: SASLMechanismName
        var tlsMax: TLSVersion
        var transport: XMPPClientConfiguration.Transport
        var binding: ChannelBindingType?
        var testDescription: String { "\(server)\(host.map { "/" + $0 } ?? "") \(mechanism) TLS≤\(tlsMax) \(transport)" }
    }

    /// What each server offers, as measured (Fixtures/servers/README.md).
    static let cases: [Case] = [
        Case(server: "prosody", mechanism: .scramSHA1, tlsMax: .v1_3, transport: .startTLS),
        Case(server: "prosody", mechanism: .scramSHA1Plus, tlsMax: .v1_2, transport: .startTLS, binding: .tlsUnique),
        Case(server: "prosody", mechanism: .scramSHA1Plus, tlsMax: .v1_2, transport: .directTLS, binding: .tlsUnique),
        Case(server: "prosody", mechanism: .scramSHA1, tlsMax: .v1_3, transport: .directTLS),
        Case(server: "prosody", mechanism: .plain, tlsMax: .v1_3, transport: .startTLS),
        Case(server: "prosody", host: "sha256", mechanism: .scramSHA256, tlsMax: .v1_3, transport: .startTLS),
        Case(server: "prosody", host: "sha256", mechanism: .scramSHA256Plus, tlsMax: .v1_2, transport: .startTLS, binding: .tlsUnique),
        Case(server: "ejabberd", mechanism: .scramSHA1, tlsMax: .v1_3, transport: .startTLS),
        Case(server: "ejabberd", mechanism: .scramSHA1Plus, tlsMax: .v1_2, transport: .startTLS, binding: .tlsUnique),
        Case(server: "ejabberd", mechanism: .scramSHA1Plus, tlsMax: .v1_2, transport: .directTLS, binding: .tlsUnique),
        Case(server: "ejabberd", mechanism: .plain, tlsMax: .v1_3, transport: .directTLS),
        Case(server: "ejabberd", host: "plain", mechanism: .scramSHA256, tlsMax: .v1_3, transport: .startTLS),
        Case(server: "ejabberd", host: "plain", mechanism: .scramSHA256Plus, tlsMax: .v1_2, transport: .startTLS, binding: .tlsUnique),
        Case(server: "ejabberd", host: "plain", mechanism: .scramSHA512, tlsMax: .v1_3, transport: .startTLS),
        Case(server: "ejabberd", host: "plain", mechanism: .scramSHA512Plus, tlsMax: .v1_2, transport: .directTLS, binding: .tlsUnique),
    ]

    @Test(arguments: LoginTests.cases)
    func logsInWithEveryMechanismTheServerOffers(_ testCase: Case) async throws {
        let server = try Servers.server(testCase.server)
        let jid = try testCase.host.map { key in try #require(server.extraHosts[key], "scripts/servers made no user on \(key)") }
        let client = XMPPClient(configuration: try Servers.configuration(
            server, jid: jid, transport: testCase.transport, tlsMax: testCase.tlsMax, mechanism: testCase.mechanism))
        let session = try await client.connect()
        #expect(session.mechanism == testCase.mechanism)
        #expect(session.channelBinding == testCase.binding)
        #expect(session.tls.map { $0.version <= testCase.tlsMax } == true)
        #expect(session.boundJID.bare == (try JID(jid ?? server.userJID)))
        let pong = try await Servers.ping(client, domain: session.boundJID.domainpart)
        #expect(pong.kind == .result)
        await client.disconnect()
        #expect(await client.state == .disconnected)
    }

    /// The default choice, with no mechanism forced: the strongest the server offers.
    @Test(arguments: ["prosody", "ejabberd"])
    func choosesSCRAMPLUSByDefaultOnTLS12(serverName: String) async throws {
        let client = XMPPClient(configuration: try Servers.configuration(try Servers.server(serverName), tlsMax: .v1_2))
        let session = try await client.connect()
        #expect(session.mechanism == .scramSHA1Plus)
        #expect(session.channelBinding == .tlsUnique)
        await client.disconnect()
    }

    /// Measured deviation: ejabberd 23.01 offers SCRAM-SHA-1-PLUS on TLS 1.3 but accepts only its own
    /// "tls-unique" there, which RFC 9266 §4 forbids on TLS 1.3; our RFC 9266 default, tls-exporter,
    /// is refused. If this starts passing, the server changed: update Fixtures/servers/README.md.
    @Test func ejabberdRefusesTLSExporterOnTLS13() async throws {
        let client = XMPPClient(configuration: try Servers.configuration(try Servers.server("ejabberd"), tlsMax: .v1_3))
        let error = await #expect(throws: XMPPClientError.self) { try await client.connect() }
        guard case .authentication(let sasl)? = error?.kind else {
            Issue.record("expected ejabberd to refuse tls-exporter, got \(String(describing: error))")
            return
        }
        #expect(sasl.failureCondition == .notAuthorized)
        #expect(await client.state == .authenticationFailed)
    }

    @Test(arguments: ["prosody", "ejabberd"])
    func aWrongPasswordIsAnAuthenticationFailure(serverName: String) async throws {
        let client = XMPPClient(configuration: try Servers.configuration(try Servers.server(serverName), password: "not the password", tlsMax: .v1_2))
        let error = await #expect(throws: XMPPClientError.self) { try await client.connect() }
        guard case .authentication(let sasl)? = error?.kind else {
            Issue.record("expected an authentication failure, got \(String(describing: error))")
            return
        }
        #expect(sasl.failureCondition == .notAuthorized)
        #expect(await client.state == .authenticationFailed)
    }

    @Test(arguments: ["prosody", "ejabberd"])
    func anUntrustedCertificateIsRefused(serverName: String) async throws {
        var configuration = try Servers.configuration(try Servers.server(serverName))
        configuration.tls.trust = .systemDefault  // the test CA is not in the system store
        let error = await #expect(throws: XMPPClientError.self) { try await XMPPClient(configuration: configuration).connect() }
        guard case .tls? = error?.kind else {
            Issue.record("expected a TLS error, got \(String(describing: error))")
            return
        }
    }

    @Test(arguments: ["prosody", "ejabberd"])
    func aCertificateForAnotherNameIsRefused(serverName: String) async throws {
        var configuration = try Servers.configuration(try Servers.server(serverName), transport: .directTLS)
        configuration.tls.serverName = "not-this-server.test"
        let error = await #expect(throws: XMPPClientError.self) { try await XMPPClient(configuration: configuration).connect() }
        guard case .tls? = error?.kind else {
            Issue.record("expected a TLS error, got \(String(describing: error))")
            return
        }
    }

    @Test func anUnreachableServerIsAConnectionFailure() async throws {
        var configuration = try Servers.configuration(try Servers.server("prosody"))
        configuration.port = 1
        let client = XMPPClient(configuration: configuration)
        let error = await #expect(throws: XMPPClientError.self) { try await client.connect() }
        guard case .connectionFailed? = error?.kind else {
            Issue.record("expected a connection failure, got \(String(describing: error))")
            return
        }
        #expect(await client.state == .connectionFailed)
    }

    @Test func ejabberdCompressesWhenAsked() async throws {
        var configuration = try Servers.configuration(try Servers.server("ejabberd"), tlsMax: .v1_2)
        configuration.compression = true
        let client = XMPPClient(configuration: configuration)
        let session = try await client.connect()
        #expect(session.compression == "zlib")
        for _ in 0..<20 { #expect(try await Servers.ping(client, domain: "ejabberd.test").kind == .result) }
        await client.disconnect()
    }

    /// RFC 6120 §8.4: a request nobody handles is answered service-unavailable.
    @Test(arguments: ["prosody", "ejabberd"])
    func unhandledRequestsAreAnsweredServiceUnavailable(serverName: String) async throws {
        let server = try Servers.server(serverName)
        let alice = XMPPClient(configuration: try Servers.configuration(server, tlsMax: .v1_2))
        let bob = XMPPClient(configuration: try Servers.configuration(server, jid: server.user2JID, password: server.password2, tlsMax: .v1_2))
        let aliceSession = try await alice.connect()
        try await bob.connect()
        let request = IQ(.get, to: aliceSession.boundJID, payload: XMLElement("query", namespace: "urn:example:unknown"))
        let error = await #expect(throws: StanzaError.self) { _ = try await bob.send(request) }
        #expect(error?.condition == .serviceUnavailable)
        await alice.disconnect()
        await bob.disconnect()
    }
}
