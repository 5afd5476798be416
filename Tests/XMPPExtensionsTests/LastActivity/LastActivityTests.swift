import Testing
import XMPPCore
import XMPPXML
@testable import XMPPExtensions

@Suite("Last activity value (XEP-0012)")
struct LastActivityTests {
    private func result(_ fixture: String) throws -> LastActivity {
        let iq = try IQ(element: XEPExample.stanza(fixture))
        return try LastActivity(element: try #require(iq.payload))
    }

    @Test("§2 Example 2, §3 Example 5, §4 Example 8, §5 Example 11")
    func examples() throws {
        #expect(try result("0012/response.xml") == LastActivity(seconds: 903))
        #expect(try result("0012/offline-response.xml") == LastActivity(seconds: 903, status: "Heading Home"))
        #expect(try result("0012/online-response.xml") == LastActivity(seconds: 123))
        #expect(try result("0012/server-response.xml") == LastActivity(seconds: 123_456))
        #expect(try result("0012/server-response.xml").duration == .seconds(123_456))
    }

    @Test("§2, §7: what the seconds mean follows the form of the JID asked")
    func meaning() throws {
        #expect(LastActivity.Meaning(for: try JID("juliet@capulet.com")) == .sinceLastLogout)
        #expect(LastActivity.Meaning(for: try JID("juliet@capulet.com/balcony")) == .idle)
        #expect(LastActivity.Meaning(for: try JID("capulet.com")) == .uptime)
    }

    @Test("Serialization matches §3 Example 5")
    func serialization() throws {
        let iq = try IQ(element: XEPExample.stanza("0012/offline-response.xml"))
        #expect(LastActivity(seconds: 903, status: "Heading Home").element == iq.payload)
        #expect(LastActivity(seconds: 0).element == XMLElement("query", namespace: LastActivity.namespace, attributes: ["seconds": "0"]))
    }

    @Test("xs:unsignedLong: '+', surrounding whitespace and the largest value are accepted", arguments: [
        ("0", UInt64(0)), ("+42", 42), (" 7\n", 7), ("18446744073709551615", UInt64.max), ("000123", 123),
    ])
    func lexicalForms(text: String, value: UInt64) throws {
        let element = XMLElement("query", namespace: LastActivity.namespace, attributes: ["seconds": text])
        #expect(try LastActivity(element: element).seconds == value)
    }

    @Test("Hostile 'seconds': negative, huge, non-numeric or missing is bad-request", arguments: [
        "-1", "-0", "18446744073709551616", "99999999999999999999999999999999999999", "abc", "12abc", "1.5", "1e9",
        "", " ", "0x10", "٣", "+", "++1", "1 2", String(repeating: "9", count: 100_000),
    ])
    func hostileSeconds(text: String) throws {
        let element = XMLElement("query", namespace: LastActivity.namespace, attributes: ["seconds": text])
        let error = #expect(throws: StanzaError.self) { try LastActivity(element: element) }
        #expect(error?.condition == .badRequest)
    }

    @Test("A result without 'seconds', or with another payload, is bad-request")
    func missingSeconds() throws {
        for element in [XMLElement("query", namespace: LastActivity.namespace),
                        XMLElement("query", namespace: "jabber:iq:version", attributes: ["seconds": "1"])] {
            let error = #expect(throws: StanzaError.self) { try LastActivity(element: element) }
            #expect(error?.condition == .badRequest)
        }
    }

    @Test("The largest seconds saturate as a Duration instead of trapping")
    func saturatingDuration() {
        #expect(LastActivity(seconds: .max).duration == .seconds(Int64.max))
    }
}
