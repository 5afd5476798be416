import Testing
import XMPPClient
import XMPPCore
import XMPPXML
@testable import XMPPExtensions

@Suite("vcard-temp module (XEP-0054)")
struct VCardModuleTests {
    @Test("§3.1: our own vCard is asked for with no 'to'; Example 2 is the answer")
    func ownVCard() async throws {
        let answer = try IQ(element: XEPExample.stanza("0054/own-vcard-result.xml"))
        let host = try ScriptedModuleHost(jid: "stpeter@jabber.org/roundabout") { $0.makeResult(payload: answer.payload) }
        let module = await host.start(VCardModule())
        let vcard = try await module.vCard()
        #expect(vcard.nickname == "stpeter")
        let request = try #require(await host.sentRequests.first)
        let expected = try IQ(element: XEPExample.stanza("0054/own-vcard-request.xml"))
        #expect(request.kind == .get)
        #expect(request.to == nil)
        #expect(request.payload == expected.payload)
    }

    @Test("§3.1 Examples 3 and 4: no vCard of our own reads as an empty one")
    func ownVCardMissing() async throws {
        for fixture in ["0054/no-vcard-item-not-found.xml", "0054/no-vcard-empty.xml"] {
            let answer = try IQ(element: XEPExample.stanza(fixture))
            let host = try ScriptedModuleHost(jid: "stpeter@jabber.org/roundabout") { request in
                answer.kind == .error ? request.makeError(try #require(answer.error)) : request.makeResult(payload: answer.payload)
            }
            let module = await host.start(VCardModule())
            #expect(try await module.vCard().isEmpty, "\(fixture)")
            #expect(try await module.vCard(of: JID("stpeter@jabber.org")).isEmpty, "\(fixture) by bare JID")
        }
    }

    @Test("§3.3: another user's vCard is asked of the bare JID; Example 10's error is the server's")
    func otherVCard() async throws {
        let answer = try IQ(element: XEPExample.stanza("0054/other-vcard-result.xml"))
        let host = try ScriptedModuleHost(jid: "stpeter@jabber.org/roundabout") { $0.makeResult(payload: answer.payload) }
        let module = await host.start(VCardModule())
        let vcard = try await module.vCard(of: JID("jer@jabber.org"))
        #expect(vcard.nickname == "jer")
        let request = try #require(await host.sentRequests.first)
        let expected = try IQ(element: XEPExample.stanza("0054/other-vcard-request.xml"))
        #expect(request.to == expected.to)
        #expect(request.payload == expected.payload)

        let missing = try IQ(element: XEPExample.stanza("0054/other-no-vcard.xml"))
        await host.setResponder { $0.makeError(missing.error ?? StanzaError(.undefinedCondition)) }
        let error = await #expect(throws: StanzaError.self) { try await module.vCard(of: JID("nobody@jabber.org")) }
        #expect(error?.condition == .serviceUnavailable)
    }

    @Test("§3.2: the whole vCard is stored with an IQ set and no 'to'; §3.2 Example 7's refusal is thrown")
    func setVCard() async throws {
        let request = try IQ(element: XEPExample.stanza("0054/update-request.xml"))
        let vcard = try VCard(element: try #require(request.payload))
        let host = try ScriptedModuleHost(jid: "stpeter@jabber.org/roundabout") { $0.makeResult() }
        let module = await host.start(VCardModule())
        try await module.setVCard(vcard)
        let sent = try #require(await host.sentRequests.first)
        #expect(sent.kind == .set)
        #expect(sent.to == nil)
        #expect(try VCard(element: try #require(sent.payload)) == vcard)

        let forbidden = try IQ(element: XEPExample.stanza("0054/update-forbidden.xml"))
        await host.setResponder { $0.makeError(forbidden.error ?? StanzaError(.undefinedCondition)) }
        let error = await #expect(throws: StanzaError.self) { try await module.setVCard(vcard) }
        #expect(error?.condition == .forbidden)
    }

    @Test("§4: support is the server's vcard-temp feature (Example 12)")
    func support() async throws {
        let disco = try IQ(element: XEPExample.stanza("0054/disco-info-result.xml"))
        let host = try ScriptedModuleHost(jid: "juliet@capulet.lit/balcony") { $0.makeResult(payload: disco.payload) }
        let module = await host.start(VCardModule())
        #expect(try await module.isSupportedByServer())
        let request = try #require(await host.sentRequests.first)
        #expect(request.to == (try JID("capulet.lit")))

        let bare = try ScriptedModuleHost { $0.makeResult(payload: XMLElement("query", namespace: DiscoInfo.namespace)) }
        #expect(try await !bare.start(VCardModule()).isSupportedByServer())
    }
}
