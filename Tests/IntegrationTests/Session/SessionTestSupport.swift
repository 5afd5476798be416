import Logging
import TestSupport
@testable import XMPPClient
import XMPPCore
import XMPPXML

/// Builds clients for the local test servers.
enum Servers {
    static let environment = Result { try ServerEnvironment.load() }

    static func server(_ name: String) throws -> ServerEnvironment.Server {
        let environment = try environment.get()
        guard let server = environment.servers.first(where: { $0.name == name }) else {
            throw ServerEnvironment.Unavailable(description: "no server named \(name)")
        }
        return server
    }

    static func configuration(_ server: ServerEnvironment.Server, jid: String? = nil, password: String? = nil,
                              transport: XMPPClientConfiguration.Transport = .startTLS, tlsMax: TLSVersion? = nil,
                              mechanism: SASLMechanismName? = nil) throws -> XMPPClientConfiguration {
        let account = try JID(jid ?? server.userJID)
        var tls = TLSConfiguration(trust: .certificateAuthorities(file: try environment.get().caFile), serverName: account.domainpart)
        tls.maximumVersion = tlsMax
        var sasl = SASLPolicy()
        if mechanism == .plain { sasl.allowPlain = true }
        // Forcing a mechanism without channel binding where -PLUS is offered is a deliberate opt-out.
        if let mechanism, !mechanism.usesChannelBinding { sasl.requireChannelBindingWhenOffered = false }
        var logger = Logger(label: "xmppkit.test")
        logger.logLevel = .warning
        return XMPPClientConfiguration(
            jid: account, credential: .password(password ?? server.password), host: server.host,
            port: transport == .directTLS ? server.tlsPort : server.port, transport: transport, tls: tls, sasl: sasl,
            preferredMechanism: mechanism, requestTimeout: .seconds(10), connectTimeout: .seconds(15), logger: logger)
    }

    /// A ping to the account's own server (XEP-0199), the smallest round trip.
    static func ping(_ client: XMPPClient, domain: String) async throws -> IQ {
        try await client.send(IQ(.get, to: try JID(domain), payload: XMLElement("ping", namespace: "urn:xmpp:ping")))
    }
}
