import Testing
import XMPPClient
import XMPPCore
import XMPPExtensions

/// XEP-0157 against the real servers: Prosody's `contact_info` (mod_server_contact_info) and
/// ejabberd's mod_disco `server_info` are configured in Fixtures/servers/ with abuse, feedback and
/// admin addresses, each an xmpp: and (for abuse and feedback) a mailto: URI.
@Suite("Contact addresses against the real servers")
struct ContactAddressesIntegrationTests {
    @Test("§3: the serverinfo form in the server's disco#info, read into JIDs and mailboxes", arguments: ["prosody", "ejabberd"])
    func serverAddresses(serverName: String) async throws {
        let server = try Servers.server(serverName)
        let (client, _) = try await TestAccounts.connectedClient(on: server, modules: [ContactAddressesModule()])
        let module = try #require(await client.module(ContactAddressesModule.self))
        #expect(try await module.isSupportedByServer())
        let addresses = try #require(try await module.serverAddresses())
        for role in ServerContactAddresses.Role.allCases where !addresses[role].isEmpty {
            print("[contact-addresses] \(serverName): \(role.rawValue) = \(addresses[role].map(\.uri))")
        }
        let domain = server.domain
        #expect(addresses.jids(for: .abuse) == [try JID("abuse@\(domain)")])
        #expect(addresses.abuse.compactMap(\.email) == ["abuse@\(domain)"])
        #expect(addresses.jids(for: .feedback) == [try JID("feedback@\(domain)")])
        #expect(addresses.feedback.compactMap(\.email) == ["feedback@\(domain)"])
        #expect(addresses.jids(for: .admin) == [try JID("admin@\(domain)")])
        #expect(addresses.sales.isEmpty && addresses.security.isEmpty && addresses.status.isEmpty && addresses.support.isEmpty)
        await client.disconnect()
    }
}
