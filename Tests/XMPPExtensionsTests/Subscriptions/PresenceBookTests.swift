import Testing
import XMPPCore
import XMPPXML
@testable import XMPPExtensions

@Suite("Presence book")
struct PresenceBookTests {
    static func presence(_ xml: String) throws -> Presence {
        try Presence(element: XEPExample.parse(xml)[0])
    }

    @Test("The last presence per full JID is kept, newest first")
    func lastPerResource() throws {
        var book = PresenceBook()
        #expect(book.record(try Self.presence("<presence from='a@x/1'/>")))
        #expect(book.record(try Self.presence("<presence from='a@x/2'><show>dnd</show></presence>")))
        #expect(book.record(try Self.presence("<presence from='a@x/1'><show>away</show></presence>")))
        let all = book.presences(of: try JID("a@x/whatever"))
        #expect(all.map(\.from?.resourcepart) == ["1", "2"])
        #expect(all.first?.show == .away)
        #expect(book.presence(of: try JID("a@x/2"))?.show == .dnd)
    }

    @Test("RFC 6121 §4.3.2: an unavailable presence from the bare JID stands for every resource")
    func bareUnavailable() throws {
        var book = PresenceBook()
        book.record(try Self.presence("<presence from='a@x/1'/>"))
        book.record(try Self.presence("<presence from='a@x/2'/>"))
        book.record(try Self.presence("<presence from='a@x' type='unavailable'/>"))
        #expect(book.presences(of: try JID("a@x")).count == 1)
        #expect(!book.isAvailable(try JID("a@x")))
        book.record(try Self.presence("<presence from='a@x/3'/>"))
        #expect(book.presences(of: try JID("a@x")).map(\.from?.resourcepart) == ["3"])
    }

    @Test("Best presence: the highest priority among available resources")
    func best() throws {
        var book = PresenceBook()
        book.record(try Self.presence("<presence from='a@x/low'><priority>-1</priority></presence>"))
        book.record(try Self.presence("<presence from='a@x/high'><priority>10</priority></presence>"))
        book.record(try Self.presence("<presence from='a@x/gone' type='unavailable'><priority>50</priority></presence>"))
        #expect(book.bestPresence(of: try JID("a@x"))?.from?.resourcepart == "high")
    }

    @Test("Subscription presences and presences without 'from' are not recorded")
    func notRecorded() throws {
        var book = PresenceBook()
        #expect(!book.record(try Self.presence("<presence/>")))
        #expect(!book.record(try Self.presence("<presence from='a@x' type='subscribe'/>")))
        #expect(!book.record(try Self.presence("<presence from='a@x' type='probe'/>")))
        #expect(book.knownContacts.isEmpty)
    }

    @Test("Limits: resources evict offline ones first; a full book makes room only from offline contacts")
    func limits() throws {
        var book = PresenceBook(maximumContacts: 2, maximumResourcesPerContact: 2)
        book.record(try Self.presence("<presence from='a@x/1'/>"))
        book.record(try Self.presence("<presence from='a@x/2' type='unavailable'/>"))
        book.record(try Self.presence("<presence from='a@x/3'/>"))
        #expect(Set(book.presences(of: try JID("a@x")).compactMap(\.from?.resourcepart)) == ["1", "3"])
        book.record(try Self.presence("<presence from='b@x/1' type='unavailable'/>"))
        #expect(book.record(try Self.presence("<presence from='c@x/1'/>")), "b has no resource online: it makes room")
        #expect(Set(book.knownContacts.map(\.description)) == ["a@x", "c@x"])
        #expect(!book.record(try Self.presence("<presence from='d@x/1'/>")), "everyone is online: d is not recorded")
    }
}
