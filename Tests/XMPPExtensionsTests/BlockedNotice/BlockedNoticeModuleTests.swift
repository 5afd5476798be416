import Synchronization
import Testing
import XMPPClient
import XMPPCore
import XMPPXML
@testable import XMPPExtensions

@Suite("Blocked-notice protocol (Specs/blocked-notice.md)")
struct BlockedNoticeModuleTests {
    /// A server with private storage (XEP-0049) and a blocklist (XEP-0191), counting storage writes.
    final class FakeServer: Sendable {
        let stored = Mutex<XMLElement?>(nil)
        let writes = Mutex(0)
        let blocklist: @Sendable (IQ) throws -> IQ

        init(blocked: [String] = [], stored: XMLElement? = nil) {
            blocklist = BlockingModuleTests.server(initial: blocked)
            self.stored.withLock { $0 = stored }
        }

        var responder: @Sendable (IQ) throws -> IQ {
            { [self] request in
                guard let payload = request.payload, payload.namespace == PrivateStorageQuery.namespace else {
                    return try blocklist(request)
                }
                guard let fragment = try PrivateStorageQuery(element: payload).fragments.first else {
                    return request.makeError(StanzaError(.notAcceptable))
                }
                if request.kind == .set {
                    stored.withLock { $0 = fragment }
                    writes.withLock { $0 += 1 }
                    return request.makeResult()
                }
                let value = stored.withLock { $0 } ?? XMLElement(fragment.name, namespace: fragment.namespace)
                return request.makeResult(payload: PrivateStorageQuery([value]).element)
            }
        }

        var storedJIDs: [String] {
            stored.withLock { $0 }.map { BlockedByStorage(element: $0, limit: .max).jids.map(\.description) } ?? []
        }
    }

    static func notice(_ notice: BlockedNotice, from: String, type: String = "normal", extra: String = "") -> String {
        "<message from='\(from)' to='romeo@montague.net' type='\(type)' id='n\(StanzaID.make())'><\(notice.rawValue) xmlns='urn:xmppkit:blocked-notice:0'/>\(extra)</message>"
    }

    @Test("§2.1: the notice is a bodiless normal message to the bare JID with the store hint")
    func messageShape() throws {
        let message = BlockedNotice.blocked.message(to: try JID("romeo@montague.net/phone"))
        #expect(message.kind == .normal)
        #expect(message.to == (try JID("romeo@montague.net")))
        #expect(message.body == nil)
        #expect(message.element.child("blocked", namespace: BlockedNotice.namespace) != nil)
        #expect(message.element.child("store", namespace: "urn:xmpp:hints") != nil)
        let parsed = try Message(element: XEPExample.parse(message.element.description)[0])
        #expect(BlockedNotice(in: parsed) == .blocked)
        #expect(BlockedNotice(in: BlockedNotice.unblocked.message(to: try JID("a@b"))) == .unblocked)
    }

    @Test("§4.2: a notice is stored, then raises an event; a duplicate changes nothing; unblocked removes")
    func receiving() async throws {
        let server = FakeServer()
        let host = try ScriptedModuleHost(jid: "romeo@montague.net/orchard", responder: server.responder)
        let notices = await host.start(BlockedNoticeModule())
        var events = notices.events.makeAsyncIterator()
        try await host.receive(xml: Self.notice(.blocked, from: "juliet@capulet.lit/balcony"))
        #expect(await events.next() == .blockedMe(try JID("juliet@capulet.lit")))
        // The event follows the storage write: the stored set already has the blocker.
        #expect(server.storedJIDs == ["juliet@capulet.lit"])
        #expect(try await notices.refresh() == [try JID("juliet@capulet.lit")])
        #expect(await notices.usersWhoBlockedMe() == [try JID("juliet@capulet.lit")])
        try await host.receive(xml: Self.notice(.blocked, from: "juliet@capulet.lit"))
        try await host.receive(xml: Self.notice(.blocked, from: "tybalt@capulet.lit"))
        #expect(await events.next() == .blockedMe(try JID("tybalt@capulet.lit")))
        #expect(server.writes.withLock { $0 } == 2)
        try await host.receive(xml: Self.notice(.unblocked, from: "juliet@capulet.lit"))
        #expect(await events.next() == .unblockedMe(try JID("juliet@capulet.lit")))
        #expect(server.storedJIDs == ["tybalt@capulet.lit"])
        #expect(try await notices.refresh() == [try JID("tybalt@capulet.lit")])
        #expect(await notices.usersWhoBlockedMe() == [try JID("tybalt@capulet.lit")])
        #expect(server.writes.withLock { $0 } == 3)
    }

    @Test("§4.3: a new session reads the stored set; another device's write is kept (re-read before write)")
    func sessionStartAndSecondDevice() async throws {
        let stored = BlockedByStorage([try JID("juliet@capulet.lit")]).element
        let server = FakeServer(stored: stored)
        let host = try ScriptedModuleHost(jid: "romeo@montague.net/orchard", responder: server.responder)
        let notices = await host.start(BlockedNoticeModule())
        #expect(await notices.usersWhoBlockedMe() == [try JID("juliet@capulet.lit")])
        // Another device stores a second blocker behind our back.
        let changed = BlockedByStorage([try JID("juliet@capulet.lit"), try JID("paris@verona.lit")]).element
        server.stored.withLock { $0 = changed }
        var events = notices.events.makeAsyncIterator()
        try await host.receive(xml: Self.notice(.blocked, from: "tybalt@capulet.lit"))
        #expect(await events.next() == .blockedMe(try JID("tybalt@capulet.lit")))
        #expect(server.storedJIDs == ["juliet@capulet.lit", "paris@verona.lit", "tybalt@capulet.lit"])
        #expect(try await notices.refresh().count == 3)
    }

    @Test("§4.1: notices that are not from another account's user are ignored", arguments: [
        notice(.blocked, from: "juliet@capulet.lit", type: "groupchat"),
        notice(.blocked, from: "juliet@capulet.lit", type: "error"),
        notice(.blocked, from: "capulet.lit"),
        notice(.blocked, from: "romeo@montague.net/other-device"),
        notice(.blocked, from: "room@conference.capulet.lit/juliet", extra: "<x xmlns='http://jabber.org/protocol/muc#user'/>"),
        notice(.blocked, from: "juliet@capulet.lit", extra: "<unblocked xmlns='urn:xmppkit:blocked-notice:0'/>"),
        "<message to='romeo@montague.net' type='normal'><blocked xmlns='urn:xmppkit:blocked-notice:0'/></message>",
        // A Carbons copy wraps the notice: not a direct child, so never routed (§4.1).
        "<message from='romeo@montague.net' type='normal'><sent xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client' from='juliet@capulet.lit' type='normal'><blocked xmlns='urn:xmppkit:blocked-notice:0'/></message></forwarded></sent></message>",
    ])
    func ignored(xml: String) async throws {
        let server = FakeServer()
        let host = try ScriptedModuleHost(jid: "romeo@montague.net/orchard", responder: server.responder)
        let notices = await host.start(BlockedNoticeModule())
        try await host.receive(xml: xml)
        // A valid notice afterwards is the first (and only) event.
        var events = notices.events.makeAsyncIterator()
        try await host.receive(xml: Self.notice(.blocked, from: "nurse@capulet.lit"))
        #expect(await events.next() == .blockedMe(try JID("nurse@capulet.lit")))
        #expect(await notices.usersWhoBlockedMe() == [try JID("nurse@capulet.lit")])
    }

    @Test("§5: a stranger's notice names only the stranger, whatever JIDs it carries")
    func strangerCannotNameOthers() async throws {
        let server = FakeServer()
        let host = try ScriptedModuleHost(jid: "romeo@montague.net/orchard", responder: server.responder)
        let notices = await host.start(BlockedNoticeModule())
        var events = notices.events.makeAsyncIterator()
        try await host.receive(xml: "<message from='mallory@evil.example/x' type='normal'><blocked xmlns='urn:xmppkit:blocked-notice:0' jid='juliet@capulet.lit'><item jid='tybalt@capulet.lit'/></blocked></message>")
        #expect(await events.next() == .blockedMe(try JID("mallory@evil.example")))
        #expect(server.storedJIDs == ["mallory@evil.example"])
    }

    @Test("§4.4: the set is bounded; a notice beyond the limit is dropped; storage is cut to the limit")
    func limit() async throws {
        var stored = XMLElement("blocked-by", namespace: BlockedNotice.namespace)
        for index in 0..<10 { stored.append(XMLElement("item", namespace: BlockedNotice.namespace, attributes: ["jid": "u\(index)@x.example"])) }
        for bad in ["", "a@b@c", "x.example", "u@x.example/res", "u1@x.example"] {
            stored.append(XMLElement("item", namespace: BlockedNotice.namespace, attributes: ["jid": bad]))
        }
        #expect(BlockedByStorage(element: stored, limit: 100).jids.count == 10)
        #expect(BlockedByStorage(element: stored, limit: 3).jids.count == 3)
        let server = FakeServer()
        let host = try ScriptedModuleHost(jid: "romeo@montague.net/orchard", responder: server.responder)
        let notices = await host.start(BlockedNoticeModule(limit: 2))
        var events = notices.events.makeAsyncIterator()
        for name in ["a", "b", "c"] { try await host.receive(xml: Self.notice(.blocked, from: "\(name)@x.example")) }
        try await host.receive(xml: Self.notice(.unblocked, from: "a@x.example"))
        #expect(await events.next() == .blockedMe(try JID("a@x.example")))
        #expect(await events.next() == .blockedMe(try JID("b@x.example")))
        #expect(await events.next() == .unblockedMe(try JID("a@x.example")))
        #expect(server.storedJIDs == ["b@x.example"])
    }

    @Test("§4.2: refresh() while a notice is being applied waits for it, so it lists the blocker before the event")
    func refreshWaitsForNotice() async throws {
        let server = FakeServer()
        let host = try ScriptedModuleHost(jid: "romeo@montague.net/orchard", responder: server.responder)
        let notices = await host.start(BlockedNoticeModule())
        #expect(try await notices.refresh() == [])
        let before = await host.sent.count
        try await host.receive(xml: Self.notice(.blocked, from: "juliet@capulet.lit"))
        // The notice's storage read has gone out: the module is applying it.
        _ = await host.waitForSent(count: before + 1)
        #expect(try await notices.refresh() == [try JID("juliet@capulet.lit")])
        await notices.settled()
        #expect(server.storedJIDs == ["juliet@capulet.lit"])
    }

    @Test("Storage that fails does not stop the event; the in-memory set still answers")
    func storageFailure() async throws {
        let host = try ScriptedModuleHost(jid: "romeo@montague.net/orchard") { $0.makeError(StanzaError(.serviceUnavailable)) }
        let notices = await host.start(BlockedNoticeModule())
        var events = notices.events.makeAsyncIterator()
        try await host.receive(xml: Self.notice(.blocked, from: "juliet@capulet.lit"))
        #expect(await events.next() == .blockedMe(try JID("juliet@capulet.lit")))
        #expect(await notices.usersWhoBlockedMe() == [try JID("juliet@capulet.lit")])
    }

    @Test("§3 step 1: block sends the notice first, then the block IQ; never to domains, full JIDs, ourselves or the already blocked")
    func blockOrdering() async throws {
        let server = FakeServer(blocked: ["paris@verona.lit"])
        let host = try ScriptedModuleHost(jid: "juliet@capulet.lit/balcony", responder: server.responder)
        let notices = await host.start(BlockedNoticeModule())
        _ = await notices.usersWhoBlockedMe()
        let before = await host.sent.count
        try await notices.block([JID("romeo@montague.net"), JID("montague.net"), JID("tybalt@capulet.lit/sword"),
                                 JID("juliet@capulet.lit"), JID("paris@verona.lit"), JID("romeo@montague.net")])
        let sent = Array(await host.sent.dropFirst(before))
        #expect(sent.map(\.name) == ["iq", "message", "iq"])
        #expect(sent[0].elements.first?.name == "blocklist")
        let notice = try Message(element: sent[1])
        #expect(notice.to == (try JID("romeo@montague.net")) && BlockedNotice(in: notice) == .blocked)
        #expect(sent[2].elements.first?.name == "block")
        #expect(try IQ(element: sent[2]).payload?.elements.count == 6)
    }

    @Test("§3 steps 2–3: unblock sends the IQ first, then the notices; unblock-all notifies the former list")
    func unblockOrdering() async throws {
        let server = FakeServer(blocked: ["romeo@montague.net", "montague.net", "paris@verona.lit"])
        let host = try ScriptedModuleHost(jid: "juliet@capulet.lit/balcony", responder: server.responder)
        let notices = await host.start(BlockedNoticeModule())
        _ = await notices.usersWhoBlockedMe()
        var before = await host.sent.count
        try await notices.unblock([JID("romeo@montague.net")])
        var sent = Array(await host.sent.dropFirst(before))
        #expect(sent.map(\.name) == ["iq", "iq", "message"])
        #expect(sent[1].elements.first?.name == "unblock")
        #expect(BlockedNotice(in: try Message(element: sent[2])) == .unblocked)
        before = await host.sent.count
        try await notices.unblockAll()
        sent = Array(await host.sent.dropFirst(before))
        #expect(sent.map(\.name) == ["iq", "iq", "message"])
        #expect(sent[0].elements.first?.name == "blocklist")
        #expect(try IQ(element: sent[1]).payload == BlockingCommand.unblock([]).element)
        #expect(try Message(element: sent[2]).to == (try JID("paris@verona.lit")))
    }

    @Test("unblockAll sends at most its notice limit")
    func unblockAllLimit() async throws {
        let server = FakeServer(blocked: (0..<20).map { "u\($0)@x.example" })
        let host = try ScriptedModuleHost(jid: "juliet@capulet.lit/balcony", responder: server.responder)
        let notices = await host.start(BlockedNoticeModule(unblockAllNoticeLimit: 5))
        _ = await notices.usersWhoBlockedMe()
        let before = await host.sent.count
        try await notices.unblockAll()
        #expect(await host.sent.dropFirst(before).filter { $0.name == "message" }.count == 5)
    }

    @Test("A failed block still sent the notice (it cannot be recalled) and throws the server's error")
    func failedBlock() async throws {
        let host = try ScriptedModuleHost(jid: "juliet@capulet.lit/balcony") { request in
            if request.payload?.name == "blocklist" { return request.makeResult(payload: BlockingCommand.blocklist([]).element) }
            if request.payload?.name == "block" { return request.makeError(StanzaError(.notAllowed)) }
            return request.makeError(StanzaError(.serviceUnavailable))
        }
        let notices = await host.start(BlockedNoticeModule())
        _ = await notices.usersWhoBlockedMe()
        await #expect(throws: StanzaError.self) { try await notices.block([JID("romeo@montague.net")]) }
        #expect(await host.sent.contains { $0.name == "message" })
    }
}
