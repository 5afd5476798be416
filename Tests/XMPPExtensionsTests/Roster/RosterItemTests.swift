import Foundation
import Testing
import XMPPClient
import XMPPCore
import XMPPXML
@testable import XMPPExtensions

@Suite("Roster items and queries (RFC 6121 §2.1)")
struct RosterItemTests {
    @Test("§2.2: the roster result is read, with its version, names, subscriptions and groups")
    func readsResult() throws {
        let iq = try IQ(element: XEPExample.stanza("rfc6121/roster-result.xml"))
        let result = try RosterQuery.result(try #require(iq.payload))
        #expect(result.invalid == 0)
        #expect(result.query.version == "ver11")
        #expect(result.query.items == [
            RosterItem(jid: try JID("romeo@example.net"), name: "Romeo", subscription: .both, groups: ["Friends"]),
            RosterItem(jid: try JID("mercutio@example.com"), name: "Mercutio", subscription: .from),
            RosterItem(jid: try JID("benvolio@example.net"), name: "Benvolio", subscription: .both),
        ])
    }

    @Test("§2.1.4: an empty roster is an empty <query/> with a version")
    func emptyRoster() throws {
        let iq = try IQ(element: XEPExample.stanza("rfc6121/roster-result-empty-roster.xml"))
        let result = try RosterQuery.result(try #require(iq.payload))
        #expect(result.query == RosterQuery(version: "ver9", items: []))
    }

    @Test("§2.1.2: every attribute survives writing and reading back")
    func roundTrip() throws {
        let item = RosterItem(jid: try JID("nurse@example.com"), name: "Nurse", subscription: .to, ask: .subscribe,
                              approved: true, groups: ["Servants", "Capulets"])
        #expect(try RosterItem(element: item.element) == item)
        let query = RosterQuery(version: "v1", items: [item])
        #expect(try RosterQuery.push(query.element) == query)
    }

    @Test("§2.1.2.5: no 'subscription' means none; §3.1.2's push shows ask='subscribe'")
    func defaultsAndAsk() throws {
        let iq = try IQ(element: XEPExample.stanza("rfc6121/subscribe-push-ask.xml"))
        let push = try RosterQuery.push(try #require(iq.payload))
        #expect(push.items == [RosterItem(jid: try JID("juliet@example.com"), subscription: .none, ask: .subscribe)])
        let bare = try RosterItem(element: XEPExample.parse("<item xmlns='jabber:iq:roster' jid='nurse@example.com'/>")[0])
        #expect(bare.subscription == .none && bare.ask == nil && !bare.approved && bare.groups.isEmpty)
    }

    @Test("§3.4.2: a pre-approved item shows approved='true'")
    func approved() throws {
        let iq = try IQ(element: XEPExample.stanza("rfc6121/preapproval-push.xml"))
        let payload = try #require(iq.payload)
        let item = try #require(try RosterQuery.push(payload).items.first)
        #expect(item.approved)
        #expect(item.subscription == .none)
    }

    @Test("A roster set carries only jid, name and groups (§2.1.2.1, §2.1.2.2, §2.1.2.5), as §2.3.1 and §2.4.1 show")
    func requestElement() throws {
        let add = try IQ(element: XEPExample.stanza("rfc6121/add-set.xml"))
        let expected = try #require(add.payload?.child("item", namespace: RosterItem.namespace)).withoutIndentation
        let item = RosterItem(jid: try JID("nurse@example.com"), name: "Nurse", subscription: .both, ask: .subscribe,
                              approved: true, groups: ["Servants"])
        #expect(item.requestElement == expected)
        let delete = try IQ(element: XEPExample.stanza("rfc6121/delete-set.xml"))
        let removal = RosterItem(jid: try JID("nurse@example.com"), name: "ignored", subscription: .remove, groups: ["ignored"])
        #expect(removal.requestElement == (try #require(delete.payload?.child("item", namespace: RosterItem.namespace))))
    }

    @Test("Malformed items are typed errors (§2.1.2, §2.3.3)", arguments: [
        ("<item/>", StanzaError.Condition.badRequest),                                         // §2.1.2.3: no jid
        ("<item jid=''/>", .jidMalformed),
        ("<item jid='a@b@c'/>", .jidMalformed),
        ("<item jid='@example.com'/>", .jidMalformed),
        ("<item jid='x@example.com' subscription='mutual'/>", .badRequest),                   // §2.1.2.5
        ("<item jid='x@example.com' ask='unsubscribe'/>", .badRequest),                       // §2.1.2.2
        ("<item jid='x@example.com' approved='yes'/>", .badRequest),                          // §2.1.2.1
        ("<item jid='x@example.com'><group>A</group><group>A</group></item>", .badRequest),   // §2.3.3
        ("<item jid='x@example.com'><group></group></item>", .notAcceptable),                 // §2.3.3
    ])
    func malformedItem(xml: String, condition: StanzaError.Condition) throws {
        let wrapped = xml.replacingOccurrences(of: "<item", with: "<item xmlns='jabber:iq:roster'")
        let element = try XEPExample.parse(wrapped)[0]
        let error = #expect(throws: StanzaError.self) { try RosterItem(element: element) }
        #expect(error?.condition == condition)
    }

    @Test("§2.1.6 rule 1: a push carries exactly one item")
    func pushItemCount() throws {
        for items in ["", "<item jid='a@example.com'/><item jid='b@example.com'/>"] {
            let query = try XEPExample.parse("<query xmlns='jabber:iq:roster'>\(items)</query>")[0]
            let error = #expect(throws: StanzaError.self) { try RosterQuery.push(query) }
            #expect(error?.condition == .badRequest)
        }
    }

    @Test("A result skips each invalid item alone and keeps the rest; 'remove' is not a state")
    func resultSkipsInvalidItems() throws {
        let query = try XEPExample.parse("""
            <query xmlns='jabber:iq:roster' ver='v'>
              <item jid='good@example.com'/>
              <item name='no jid'/>
              <item jid='a@b@c'/>
              <item jid='odd@example.com' subscription='mutual'/>
              <item jid='gone@example.com' subscription='remove'/>
              <item jid='dup@example.com'><group>G</group><group>G</group></item>
              <item jid='also-good@example.com' subscription='to'/>
            </query>
            """)[0]
        let result = try RosterQuery.result(query)
        #expect(result.query.items.map(\.jid.description) == ["good@example.com", "also-good@example.com"])
        #expect(result.invalid == 5)
    }

    @Test("Not a roster query at all is bad-request")
    func notARoster() throws {
        let query = try XEPExample.parse("<query xmlns='jabber:iq:private'/>")[0]
        #expect(throws: StanzaError.self) { try RosterQuery.result(query) }
    }

    @Test("A snapshot is Codable and keeps every field")
    func snapshotCodable() throws {
        let snapshot = RosterSnapshot(version: "ver7", items: [
            RosterItem(jid: try JID("romeo@example.net"), name: "Romeo", subscription: .both, ask: .subscribe, approved: true, groups: ["Friends"]),
        ])
        let data = try JSONEncoder().encode(snapshot)
        #expect(try JSONDecoder().decode(RosterSnapshot.self, from: data) == snapshot)
    }

    @Test("The versioning stream feature is found (RFC 6121 §2.6.1, XEP-0237 §2.1 Example 1)")
    func streamFeature() throws {
        #expect(RosterVersioning.isAdvertised(in: StreamFeatures(element: try XEPExample.stanza("0237/stream-features.xml"))))
        #expect(RosterVersioning.isAdvertised(in: StreamFeatures(element: try XEPExample.stanza("rfc6121/versioning-stream-features.xml"))))
        #expect(!RosterVersioning.isAdvertised(in: StreamFeatures(element: try XEPExample.stanza("rfc6121/preapproval-stream-features.xml"))))
        #expect(!RosterVersioning.isAdvertised(in: nil))
    }
}
