import TestSupport
import XMPPClient
import XMPPCore
import XMPPXML

/// Fresh accounts on the local test servers, one set per test, so tests never share a roster, a
/// blocklist or a vCard. Both servers allow in-band registration on loopback (Fixtures/servers/).
enum TestAccounts {
    struct Account: Sendable {
        var jid: JID
        var password: String
    }

    /// Registers a new account on `server` with a raw XEP-0077 §3.1 request (no module involved,
    /// so the registration module's own tests stay independent of this helper).
    static func register(on server: ServerEnvironment.Server, prefix: String = "t") async throws -> Account {
        let localpart = "\(prefix)\(StanzaID.make().lowercased().prefix(10))"
        let password = StanzaID.make()
        var configuration = try Servers.configuration(server, jid: "\(localpart)@\(server.domain)", tlsMax: .v1_2)
        configuration.credential = .unauthenticated
        let client = XMPPClient(configuration: configuration)
        try await client.connect()
        var query = XMLElement("query", namespace: "jabber:iq:register")
        query.append(XMLElement("username", namespace: "jabber:iq:register", text: localpart))
        query.append(XMLElement("password", namespace: "jabber:iq:register", text: password))
        do {
            _ = try await client.send(IQ(.set, payload: query))
        } catch {
            await client.disconnect()
            throw error
        }
        await client.disconnect()
        return Account(jid: try JID("\(localpart)@\(server.domain)"), password: password)
    }

    /// A fresh account, logged in, with `modules` registered before connecting.
    static func connectedClient(on server: ServerEnvironment.Server, modules: [any XMPPModule] = [],
                                prefix: String = "t") async throws -> (client: XMPPClient, account: Account) {
        let account = try await register(on: server, prefix: prefix)
        let client = try await connect(account, on: server, modules: modules)
        return (client, account)
    }

    /// Logs `account` in with `modules` registered.
    static func connect(_ account: Account, on server: ServerEnvironment.Server, modules: [any XMPPModule] = [],
                        resource: String? = nil) async throws -> XMPPClient {
        var jid = account.jid
        if let resource { jid = try JID(localpart: jid.localpart, domainpart: jid.domainpart, resourcepart: resource) }
        // TLS 1.2: both servers then offer SCRAM-SHA-1-PLUS over tls-unique, which ejabberd 23.01
        // verifies correctly only there, and Prosody logs in about 40 ms faster (see README).
        let configuration = try Servers.configuration(server, jid: jid.description, password: account.password, tlsMax: .v1_2)
        let client = XMPPClient(configuration: configuration)
        await client.register(modules)
        try await client.connect()
        return client
    }
}
