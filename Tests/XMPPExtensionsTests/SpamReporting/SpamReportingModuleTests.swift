import Testing
import XMPPClient
import XMPPCore
import XMPPXML
@testable import XMPPExtensions

@Suite("Spam reporting (XEP-0377 0.4.1)")
struct SpamReportingModuleTests {
    @Test("§4 Example 2 and §5 Example 4: reports are read and written back unchanged")
    func payloads() throws {
        let basic = try XEPExample.stanza("0377/report-basic.xml")
        let report = try SpamReport(element: basic)
        #expect(report == SpamReport(reason: .spam))
        #expect(report.element == BlockingTestXML.trimmed(basic))
        let optIn = try SpamReport(element: XEPExample.stanza("0377/report-opt-in.xml"))
        #expect(optIn.reportOrigin && optIn.thirdParty)
        #expect(optIn.texts.first?.language == "en")
        #expect(optIn.texts.first?.text.contains("Never came trouble") == true)
        #expect(try SpamReport(element: optIn.element) == optIn)
        #expect(SpamReport.Reason(rawValue: "urn:example:other") == .other("urn:example:other"))
    }

    @Test("§6 Examples 5–6: report() sends a block whose item carries the report, stanza ids first")
    func blockWithReport() async throws {
        let host = try ScriptedModuleHost(jid: "juliet@example.com/chamber") { request in
            request.payload?.name == "blocklist"
                ? request.makeResult(payload: BlockingCommand.blocklist([]).element) : request.makeResult()
        }
        let reporting = await host.start(SpamReportingModule())
        let romeo = try JID("romeo@example.net")
        try await reporting.report(romeo, SpamReport(reason: .abuse))
        let sixth = try IQ(element: XEPExample.stanza("0377/block-with-stanza-ids.xml"))
        let expected = try SpamReport(element: #require(sixth.payload?.elements.first?.elements.first))
        #expect(expected.stanzaIDs == [StanzaIDReference(by: romeo, id: "28482-98726-73623"), StanzaIDReference(by: romeo, id: "38383-38018-18385")])
        try await reporting.report(romeo, expected)
        let blocks = await host.sentRequests.filter { $0.payload?.name == "block" }
        #expect(blocks.count == 2)
        #expect(blocks[0].payload == BlockingTestXML.trimmed(try IQ(element: XEPExample.stanza("0377/block-with-report.xml")).payload))
        let sentReport = try SpamReport(element: #require(blocks[1].payload?.elements.first?.elements.first))
        #expect(sentReport == expected)
        #expect(blocks[1].payload?.elements.first?.elements.first?.elements.map(\.name) == ["stanza-id", "stanza-id", "text"])
        // The BlockingModule it used is the registered one, so the block is in its cache.
        let blocking = try #require(await host.module(BlockingModule.self))
        #expect(await blocking.cachedBlocklist == [romeo])
    }

    @Test("A stanza id is taken from a received message only when stamped by the archive we name")
    func stanzaIDFromMessage() throws {
        let message = try Message(element: XEPExample.parse("""
            <message from='romeo@example.net/orchard' to='juliet@example.com/chamber' type='chat'>
              <body>buy now</body>
              <stanza-id xmlns='urn:xmpp:sid:0' by='mallory@evil.example' id='forged'/>
              <stanza-id xmlns='urn:xmpp:sid:0' by='juliet@example.com' id='real-1'/>
            </message>
            """)[0])
        #expect(StanzaIDReference(in: message, by: try JID("juliet@example.com")) == StanzaIDReference(by: try JID("juliet@example.com"), id: "real-1"))
        #expect(StanzaIDReference(in: message, by: try JID("other@example.com")) == nil)
    }

    @Test("Malformed reports are bad-request", arguments: [
        "<report xmlns='urn:xmpp:reporting:1'/>",
        "<report xmlns='urn:xmpp:reporting:1' reason=''/>",
        "<report xmlns='urn:xmpp:reporting:1' reason='urn:xmpp:reporting:spam'><stanza-id xmlns='urn:xmpp:sid:0' id='1'/></report>",
        "<report xmlns='urn:xmpp:reporting:1' reason='urn:xmpp:reporting:spam'><stanza-id xmlns='urn:xmpp:sid:0' by='a@b@c' id='1'/></report>",
        "<report xmlns='urn:xmpp:reporting:0' reason='urn:xmpp:reporting:spam'/>",
    ])
    func malformed(xml: String) throws {
        let element = try XEPExample.parse(xml)[0]
        #expect(throws: StanzaError.self) { _ = try SpamReport(element: element) }
    }

    @Test("§3: support is the server's urn:xmpp:reporting:1 feature")
    func discovery() async throws {
        let host = try ScriptedModuleHost { request in
            request.makeResult(payload: DiscoInfo(identities: [DiscoIdentity(category: "server", type: "im")],
                                                  features: ["urn:xmpp:blocking", "urn:xmpp:reporting:1"]).element)
        }
        let reporting = await host.start(SpamReportingModule())
        #expect(try await reporting.isSupportedByServer())
    }
}
