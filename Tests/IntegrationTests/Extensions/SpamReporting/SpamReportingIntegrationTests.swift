import Testing
import XMPPClient
import XMPPCore
import XMPPExtensions
import XMPPXML

@Suite("Spam reporting (XEP-0377) against the real servers")
struct SpamReportingIntegrationTests {
    @Test("Neither server advertises urn:xmpp:reporting:1; a report still blocks (XEP-0377 §6: MUST block as without it)",
          arguments: ["prosody", "ejabberd"])
    func reportBlocks(serverName: String) async throws {
        let server = try Servers.server(serverName)
        let (client, account) = try await TestAccounts.connectedClient(on: server, modules: [SpamReportingModule(), BlockingModule()])
        let reporting = try #require(await client.module(SpamReportingModule.self))
        let supported = try await reporting.isSupportedByServer()
        print("XEP-0377 \(serverName): urn:xmpp:reporting:1 advertised -> \(supported)")
        #expect(supported == false)
        let spammer = try JID("spammer@\(server.domain)")
        let report = SpamReport(reason: .spam, stanzaIDs: [StanzaIDReference(by: account.jid, id: "28482-98726-73623")],
                                texts: [SpamReport.Text("buy now", language: "en")], reportOrigin: true)
        try await reporting.report(spammer, report)
        let blocking = try #require(await client.module(BlockingModule.self))
        #expect(try await blocking.blocklist(refresh: true) == [spammer])
        await client.disconnect()
    }
}
