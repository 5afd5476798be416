import Testing
import XMPPClient
import XMPPCore
import XMPPXML
@testable import XMPPExtensions

@Suite("Entity capabilities (XEP-0115)")
struct EntityCapabilitiesTests {
    private func info(_ fixture: String) throws -> DiscoInfo {
        try DiscoInfo(element: XEPExample.stanza(fixture))
    }

    @Test("§5.2 simple example: verification string and SHA-1 ver")
    func simpleExample() throws {
        let info = try info("0115/simple-generation.xml")
        #expect(CapabilitiesHash.verificationString(for: info) ==
            "client/pc//Exodus 0.9.1<http://jabber.org/protocol/caps<http://jabber.org/protocol/disco#info<http://jabber.org/protocol/disco#items<http://jabber.org/protocol/muc<")
        #expect(try CapabilitiesHash.ver(for: info) == "QgayPKawpkPSDYmwT/WM94uAlu0=")
    }

    @Test("§5.3 complex example: languages and an extended form")
    func complexExample() throws {
        let info = try info("0115/complex-generation.xml")
        #expect(CapabilitiesHash.verificationString(for: info) ==
            "client/pc/el/Ψ 0.11<client/pc/en/Psi 0.11<http://jabber.org/protocol/caps<http://jabber.org/protocol/disco#info<http://jabber.org/protocol/disco#items<http://jabber.org/protocol/muc<urn:xmpp:dataforms:softwareinfo<ip_version<ipv4<ipv6<os<Mac<os_version<10.5.1<software<Psi<software_version<0.11<")
        #expect(try CapabilitiesHash.ver(for: info) == "q07IKJEyjvHSyhy//CH0CxmKi8w=")
    }

    @Test("§5.4: duplicate identities and non-hidden or repeated FORM_TYPEs are refused")
    func validation() throws {
        var info = try info("0115/complex-generation.xml")
        #expect(throws: Never.self) { try CapabilitiesHash.validate(info) }
        var duplicated = info
        duplicated.identities.append(duplicated.identities[0])
        #expect(throws: CapabilitiesHash.ValidationError.duplicateIdentity) { try CapabilitiesHash.validate(duplicated) }
        info.forms.append(info.forms[0])
        #expect(throws: CapabilitiesHash.ValidationError.duplicateFormType("urn:xmpp:dataforms:softwareinfo")) { try CapabilitiesHash.validate(info) }
        // Step 3.6: a form whose FORM_TYPE is not hidden is ignored, not fatal, and leaves the hash.
        var visible = try self.info("0115/complex-generation.xml")
        visible.forms[0].fields[0].type = .textSingle
        #expect(throws: Never.self) { try CapabilitiesHash.validate(visible) }
        #expect(CapabilitiesHash.verificationString(for: visible).hasSuffix("http://jabber.org/protocol/muc<"))
        var conflicting = try self.info("0115/complex-generation.xml")
        conflicting.forms[0].fields[0].values.append("urn:other")
        #expect(throws: CapabilitiesHash.ValidationError.conflictingFormType("urn:xmpp:dataforms:softwareinfo")) { try CapabilitiesHash.validate(conflicting) }
    }

    @Test("Our available presence carries <c/> with our current ver; disco answers at node#ver (§4, §6.2)")
    func decoratesPresence() async throws {
        let host = try ScriptedModuleHost()
        let caps = await host.start(EntityCapabilitiesModule(node: "https://example.com/app"))
        try await host.send(Presence(status: "here"))
        try await host.send(Presence(.unavailable))
        let sent = await host.waitForSent(count: 2)
        let c = try #require(sent[0].child("c", namespace: CapabilitiesElement.namespace).flatMap(CapabilitiesElement.init(element:)))
        #expect(c.hash == "sha-1")
        #expect(c.node == "https://example.com/app")
        #expect(try await c.ver == caps.currentVer())
        #expect(sent[1].child("c", namespace: CapabilitiesElement.namespace) == nil)
        try await host.receive(xml: "<iq type='get' id='q' from='romeo@montague.lit/orchard'><query xmlns='http://jabber.org/protocol/disco#info' node='https://example.com/app#\(c.ver)'/></iq>")
        let reply = try IQ(element: try #require(await host.waitForSent(count: 3).last))
        let info = try DiscoInfo(element: try #require(reply.payload))
        #expect(info.node == "https://example.com/app#\(c.ver)")
        #expect(try CapabilitiesHash.ver(for: info) == c.ver)
    }

    @Test("§4 Example 1 verified against the §5.2 answer; the hash is then reused without asking")
    func verifiesOthers() async throws {
        let answer = try info("0115/simple-generation.xml")
        let counter = Counter()
        let host = try ScriptedModuleHost { request in
            counter.increment()
            return request.makeResult(payload: answer.element)
        }
        let caps = await host.start(EntityCapabilitiesModule())
        let events = caps.events
        try await host.receive(XEPExample.stanza("0115/presence-with-caps.xml"))
        try await host.receive(xml: "<presence from='benvolio@montague.lit/street'><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='http://code.google.com/p/exodus' ver='QgayPKawpkPSDYmwT/WM94uAlu0='/></presence>")
        var verified: [JID] = []
        for await event in events {
            guard case .verified(let jid, let info) = event else { Issue.record("unexpected \(event)"); break }
            #expect(info.features.contains("http://jabber.org/protocol/muc"))
            verified.append(jid)
            if verified.count == 2 { break }
        }
        #expect(verified == [try JID("romeo@montague.lit/orchard"), try JID("benvolio@montague.lit/street")])
        #expect(counter.value == 1)
        let request = try #require(await host.sentRequests.first)
        #expect(request.payload?.attribute("node") == "http://code.google.com/p/exodus#QgayPKawpkPSDYmwT/WM94uAlu0=")
    }

    @Test("A hash that does not match the answer is reported and not trusted")
    func rejectsMismatch() async throws {
        let host = try ScriptedModuleHost { request in
            request.makeResult(payload: DiscoInfo(identities: [.pcClient], features: ["urn:xmpp:evil"]).element)
        }
        let caps = await host.start(EntityCapabilitiesModule())
        let events = caps.events
        try await host.receive(XEPExample.stanza("0115/presence-with-caps.xml"))
        for await event in events {
            guard case .verificationFailed(let jid, let ver, _) = event else { Issue.record("unexpected \(event)"); break }
            #expect(jid == (try JID("romeo@montague.lit/orchard")))
            #expect(ver == "QgayPKawpkPSDYmwT/WM94uAlu0=")
            break
        }
        #expect(await caps.capabilities(of: try JID("romeo@montague.lit/orchard")) == nil)
    }

    @Test("Legacy caps, unknown hashes and malformed <c/> are ignored without a query")
    func ignoresUnverifiable() async throws {
        let counter = Counter()
        let host = try ScriptedModuleHost { request in
            counter.increment()
            return request.makeError(StanzaError(.itemNotFound))
        }
        await host.start(EntityCapabilitiesModule())
        for c in ["<c xmlns='http://jabber.org/protocol/caps' node='n' ver='1.0' ext='a b'/>",
                  "<c xmlns='http://jabber.org/protocol/caps' hash='md5' node='n' ver='abc'/>",
                  "<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' ver='abc'/>",
                  "<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='n' ver=''/>"] {
            try await host.receive(xml: "<presence from='a@b/c'>\(c)</presence>")
        }
        // A last, verifiable one proves the earlier ones were processed (the mailbox is in order).
        try await host.receive(XEPExample.stanza("0115/presence-with-caps.xml"))
        _ = await host.waitForSent(count: 1)
        #expect(counter.value == 1)
    }
}
