import Testing
import XMPPClient
import XMPPCore
import XMPPXML
@testable import XMPPExtensions

@Suite("Contact addresses (XEP-0157)")
struct ContactAddressesTests {
    /// The §3 Example 2 answer to whatever disco#info request is asked.
    static func exampleHost() throws -> ScriptedModuleHost {
        try ScriptedModuleHost(jid: "juliet@shakespeare.lit/chamber") { request in
            var element = try XEPExample.stanza("0157/serverinfo.xml")
            element.setAttribute("id", to: request.id)
            return try IQ(element: element)
        }
    }

    @Test("§3 Example 2: every role is read; xmpp: URIs become JIDs, mailto: mailboxes")
    func readsExample() throws {
        let iq = try IQ(element: XEPExample.stanza("0157/serverinfo.xml"))
        let info = try DiscoInfo(element: try #require(iq.payload))
        let form = try #require(info.form(ofType: ServerContactAddresses.formType))
        let addresses = try ServerContactAddresses(form: form)
        #expect(addresses.abuse.map(\.uri) == ["mailto:abuse@shakespeare.lit", "xmpp:abuse@shakespeare.lit"])
        #expect(addresses.jids(for: .abuse) == [try JID("abuse@shakespeare.lit")])
        #expect(addresses.abuse.first?.email == "abuse@shakespeare.lit")
        #expect(addresses.jids(for: .admin) == [try JID("admins@shakespeare.lit")])
        #expect(addresses.feedback.map(\.kind) == [.web("http://shakespeare.lit/feedback.php"), .email("feedback@shakespeare.lit"),
                                                   .xmpp(try JID("feedback@shakespeare.lit"))])
        #expect(addresses.jids(for: .sales) == [try JID("bard@shakespeare.lit")])
        #expect(addresses.jids(for: .security) == [try JID("security@shakespeare.lit")])
        #expect(addresses.status.map(\.kind) == [.web("https://status.shakespeare.lit")])
        #expect(addresses.jids(for: .support) == [try JID("support@shakespeare.lit")])
        #expect(try ServerContactAddresses(form: addresses.form) == addresses)
    }

    @Test("§3 Examples 1 and 2: the module asks the server's bare domain and reads the form")
    func moduleReadsServer() async throws {
        let host = try Self.exampleHost()
        let module = await host.start(ContactAddressesModule())
        let addresses = try #require(try await module.serverAddresses())
        #expect(addresses.jids(for: .feedback) == [try JID("feedback@shakespeare.lit")])
        #expect(try await module.isSupportedByServer())
        let request = try #require(await host.sentRequests.first)
        let expected = try IQ(element: XEPExample.stanza("0157/disco-request.xml"))
        #expect(request.to == expected.to)
        #expect(request.kind == .get)
        #expect(request.payload?.name == "query" && request.payload?.namespace == DiscoInfo.namespace)
    }

    @Test("No serverinfo form: nil and not supported")
    func noForm() async throws {
        let host = try ScriptedModuleHost(jid: "juliet@shakespeare.lit/chamber") { request in
            request.makeResult(payload: DiscoInfo(identities: [DiscoIdentity(category: "server", type: "im")], features: [DiscoInfo.namespace]).element)
        }
        let module = await host.start(ContactAddressesModule())
        #expect(try await module.serverAddresses() == nil)
        #expect(try await module.isSupportedByServer() == false)
    }

    @Test("XMPP and mailto URIs per RFC 5122 and RFC 6068", arguments: [
        ("xmpp:admins@example.org?message", "jid admins@example.org"),
        ("xmpp://guest@example.com/support@example.com?message;subject=Hi", "jid support@example.com"),
        ("XMPP:abuse%40example.org", "jid abuse@example.org"),
        ("xmpp:example.org", "jid example.org"),
        ("mailto:xmpp@example.org?subject=hello", "email xmpp@example.org"),
        ("mailto:a%2Bb@example.org,c@example.org", "email a+b@example.org"),
        ("https://example.org/abuse", "web https://example.org/abuse"),
        ("tel:+15551234", "other"),
        ("xmpp:", "other"),
        ("xmpp:a@b@c", "other"),
        ("xmpp:%zz@example.org", "other"),
        ("xmpp://authority-without-path", "other"),
        ("mailto:@example.org", "other"),
        ("abuse@example.org", "other"),
    ])
    func parsesURIs(uri: String, expected: String) {
        let kind = ContactAddress(uri: uri).kind
        let seen = switch kind {
        case .xmpp(let jid): "jid \(jid)"
        case .email(let mailbox): "email \(mailbox)"
        case .web(let url): "web \(url)"
        case .other: "other"
        }
        #expect(seen == expected)
    }

    @Test("A form of another FORM_TYPE is refused; unknown fields and empty values are ignored")
    func otherFormType() throws {
        #expect(throws: StanzaError.self) {
            _ = try ServerContactAddresses(form: DataForm(kind: .result, fields: [DataFormField(variable: "FORM_TYPE", type: .hidden, values: ["urn:x"])]))
        }
        let form = DataForm(kind: .result, fields: [
            DataFormField(variable: "FORM_TYPE", type: .hidden, values: [ServerContactAddresses.formType]),
            DataFormField(variable: "x-custom-addresses", values: ["xmpp:x@example.org"]),
            DataFormField(variable: "abuse-addresses", type: .other("x-uri-list"), values: ["", "  xmpp:abuse@example.org  "]),
        ])
        let addresses = try ServerContactAddresses(form: form)
        #expect(addresses.jids(for: .abuse) == [try JID("abuse@example.org")])
        #expect(addresses.admin.isEmpty && !addresses.isEmpty)
    }
}

@Suite("Contact addresses: hostile answers")
struct ContactAddressesHostileTests {
    @Test("100,000 addresses in one role are capped")
    func manyAddresses() throws {
        let values = (0..<100_000).map { "xmpp:user\($0)@example.org" }
        let form = DataForm(kind: .result, fields: [
            DataFormField(variable: "FORM_TYPE", type: .hidden, values: [ServerContactAddresses.formType]),
            DataFormField(variable: "support-addresses", values: values),
        ])
        let addresses = try ServerContactAddresses(form: form)
        #expect(addresses.support.count == ServerContactAddresses.maximumAddressesPerRole)
    }

    @Test("A malformed serverinfo form in disco#info is an error, not a crash")
    func malformedForm() async throws {
        let host = try ScriptedModuleHost(jid: "juliet@shakespeare.lit/chamber") { request in
            request.makeResult(payload: try XEPExample.parse("""
                <query xmlns='http://jabber.org/protocol/disco#info'><identity category='server' type='im'/>
                <x xmlns='jabber:x:data'><field var='FORM_TYPE'><value>http://jabber.org/network/serverinfo</value></field></x></query>
                """)[0])
        }
        let module = await host.start(ContactAddressesModule())
        await #expect(throws: StanzaError.self) { _ = try await module.serverAddresses() }
    }

    @Test("A 1 MB address that is no URI is kept as other")
    func hugeValue() {
        let address = ContactAddress(uri: "xmpp:" + String(repeating: "a", count: 1 << 20) + "@example.org")
        #expect(address.kind == .other, "a localpart over 1023 bytes is no JID (RFC 7622 §3.3)")
    }
}
