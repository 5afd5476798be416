import Synchronization
import Testing
import XMPPClient
import XMPPCore
import XMPPXML
@testable import XMPPExtensions

@Suite("Blocking command (XEP-0191)")
struct BlockingModuleTests {
    /// A server holding a blocklist, answering as XEP-0191 §3.2–§3.5 do.
    static func server(initial: [String] = []) -> (@Sendable (IQ) throws -> IQ) {
        let list = LockedList(initial)
        return { request in
            guard let payload = request.payload, payload.namespace == BlockingCommand.namespace else {
                return request.makeError(StanzaError(.serviceUnavailable))
            }
            switch try BlockingCommand(element: payload) {
            case .blocklist:
                return request.makeResult(payload: BlockingCommand.blocklist(try list.get().map { BlockItem(try JID($0)) }).element)
            case .block(let items):
                list.add(items.map(\.jid.description))
            case .unblock(let items):
                list.remove(items.isEmpty ? nil : items.map(\.jid.description))
            }
            return request.makeResult()
        }
    }

    @Test("§3.2 Examples 3–5: the blocklist request and results are read")
    func blocklistExamples() throws {
        let request = try IQ(element: XEPExample.stanza("0191/blocklist-request.xml"))
        #expect(try BlockingCommand(element: #require(request.payload)) == .blocklist([]))
        #expect(request.payload == BlockingCommand.blocklist([]).element)
        let result = try IQ(element: XEPExample.stanza("0191/blocklist-result.xml"))
        let command = try BlockingCommand(element: #require(result.payload))
        #expect(command.items.map(\.jid) == [try JID("romeo@montague.net"), try JID("iago@shakespeare.lit")])
        #expect(command.element == BlockingTestXML.trimmed(result.payload))
        let empty = try IQ(element: XEPExample.stanza("0191/blocklist-empty.xml"))
        #expect(try BlockingCommand(element: #require(empty.payload)) == .blocklist([]))
    }

    @Test("§3.3 Example 6, §3.4 Example 10, §3.5 Example 13: what we send is what the XEP shows")
    func requestsMatchExamples() async throws {
        let host = try ScriptedModuleHost(jid: "juliet@capulet.com/chamber", responder: Self.server())
        let blocking = await host.start(BlockingModule())
        try await blocking.block([JID("romeo@montague.net")])
        try await blocking.unblock([JID("romeo@montague.net")])
        try await blocking.unblockAll()
        let requests = await host.sentRequests
        // The first is the §3.2 fetch a client SHOULD make before blocking.
        #expect(requests.map { $0.payload?.name } == ["blocklist", "block", "unblock", "unblock"])
        #expect(requests[1].payload == BlockingTestXML.trimmed(try IQ(element: XEPExample.stanza("0191/block-request.xml")).payload))
        #expect(requests[1].kind == .set)
        #expect(requests[2].payload == BlockingTestXML.trimmed(try IQ(element: XEPExample.stanza("0191/unblock-request.xml")).payload))
        #expect(requests[3].payload == BlockingTestXML.trimmed(try IQ(element: XEPExample.stanza("0191/unblock-all-request.xml")).payload))
        #expect(requests.allSatisfy { $0.to == nil })
    }

    @Test("The cache follows our requests and is dropped on a new session, kept on a resumed one")
    func cache() async throws {
        let host = try ScriptedModuleHost(responder: Self.server(initial: ["iago@shakespeare.lit"]))
        // Registered without the host's session start: the test drives the lifecycle itself.
        let blocking = await host.register(BlockingModule())
        await blocking.sessionStarted(resumed: false)
        #expect(await blocking.cachedBlocklist == nil)
        #expect(try await blocking.blocklist() == [JID("iago@shakespeare.lit")])
        try await blocking.block([JID("romeo@montague.net"), JID("romeo@montague.net")])
        #expect(await blocking.cachedBlocklist == [try JID("iago@shakespeare.lit"), try JID("romeo@montague.net")])
        try await blocking.unblock([JID("iago@shakespeare.lit")])
        #expect(await blocking.cachedBlocklist == [try JID("romeo@montague.net")])
        await blocking.sessionStarted(resumed: true)
        #expect(await blocking.cachedBlocklist == [try JID("romeo@montague.net")])
        await blocking.sessionStarted(resumed: false)
        #expect(await blocking.cachedBlocklist == nil)
        try await blocking.unblockAll()
        #expect(await blocking.cachedBlocklist == [])
        await blocking.sessionEnded()
        #expect(await blocking.cachedBlocklist == nil)
        // The list fetched before the next start reaches the module (through its mailbox) is kept.
        _ = try await blocking.blocklist()
        await blocking.sessionStarted(resumed: false)
        #expect(await blocking.cachedBlocklist == [])
    }

    @Test("Empty block and unblock are refused before sending (an empty <unblock/> would unblock everyone)")
    func emptyRequests() async throws {
        let host = try ScriptedModuleHost(responder: Self.server())
        let blocking = await host.start(BlockingModule())
        await #expect(throws: StanzaError.self) { try await blocking.block([JID]()) }
        await #expect(throws: StanzaError.self) { try await blocking.unblock([]) }
        #expect(await host.sentRequests.isEmpty)
    }

    @Test("§3.3 Example 8, §3.4 Example 12, §3.5 Example 15: pushes are acknowledged, cached and announced")
    func pushes() async throws {
        let host = try ScriptedModuleHost(jid: "juliet@capulet.com/chamber", responder: Self.server())
        let blocking = await host.start(BlockingModule())
        _ = try await blocking.blocklist()
        var events = blocking.events.makeAsyncIterator()
        let pushes = try XEPExample.stanzas("0191/block-push.xml")
        try await host.receive(pushes[0])
        #expect(await events.next() == .blocked([try JID("romeo@montague.net")]))
        try await host.receive(XEPExample.stanzas("0191/unblock-push.xml")[0])
        #expect(await events.next() == .unblocked([try JID("romeo@montague.net")]))
        try await host.receive(pushes[0])
        #expect(await events.next() == .blocked([try JID("romeo@montague.net")]))
        #expect(await blocking.cachedBlocklist == [try JID("romeo@montague.net")])
        try await host.receive(XEPExample.stanzas("0191/unblock-all-push.xml")[0])
        #expect(await events.next() == .unblockedAll)
        #expect(await blocking.cachedBlocklist == [])
        let sent = await host.waitForSent(count: 5)
        let results = try sent.suffix(4).map { try IQ(element: $0) }
        #expect(results.allSatisfy { $0.kind == .result })
        #expect(results.map(\.id) == ["push1", "push3", "push1", "push5"])
    }

    @Test("A push from our bare JID is accepted; from a stranger or another resource it is refused and changes nothing")
    func pushesFromStrangers() async throws {
        let host = try ScriptedModuleHost(jid: "juliet@capulet.com/chamber", responder: Self.server())
        let blocking = await host.start(BlockingModule())
        _ = try await blocking.blocklist()
        let hostile = [
            "<iq from='mallory@evil.example' type='set' id='x1'><block xmlns='urn:xmpp:blocking'><item jid='nurse@capulet.com'/></block></iq>",
            "<iq from='capulet.com' type='set' id='x2'><unblock xmlns='urn:xmpp:blocking'/></iq>",
            "<iq from='juliet@capulet.com/balcony' type='set' id='x3'><block xmlns='urn:xmpp:blocking'><item jid='nurse@capulet.com'/></block></iq>",
        ]
        for xml in hostile { try await host.receive(xml: xml) }
        try await host.receive(xml: "<iq from='juliet@capulet.com' type='set' id='ok'><block xmlns='urn:xmpp:blocking'><item jid='tybalt@capulet.com'/></block></iq>")
        let sent = try await host.waitForSent(count: 5).suffix(4).map { try IQ(element: $0) }
        #expect(sent.prefix(3).allSatisfy { $0.error?.condition == .serviceUnavailable })
        #expect(sent.last?.kind == .result)
        #expect(await blocking.cachedBlocklist == [try JID("tybalt@capulet.com")])
    }

    @Test("Malformed pushes are bad-request and invalidate the cache", arguments: [
        "<iq type='set' id='m1'><block xmlns='urn:xmpp:blocking'/></iq>",
        "<iq type='set' id='m2'><block xmlns='urn:xmpp:blocking'><item/></block></iq>",
        "<iq type='set' id='m3'><block xmlns='urn:xmpp:blocking'><item jid='a@b@c'/></block></iq>",
        "<iq type='set' id='m4'><unblock xmlns='urn:xmpp:blocking'><item jid=''/></unblock></iq>",
        "<iq type='set' id='m5'><block xmlns='urn:xmpp:blocking'><entry jid='romeo@montague.net'/></block></iq>",
        "<iq type='get' id='m6'><block xmlns='urn:xmpp:blocking'><item jid='romeo@montague.net'/></block></iq>",
    ])
    func malformedPushes(xml: String) async throws {
        let host = try ScriptedModuleHost(responder: Self.server(initial: ["iago@shakespeare.lit"]))
        let blocking = await host.start(BlockingModule())
        _ = try await blocking.blocklist()
        try await host.receive(xml: xml)
        let reply = try IQ(element: #require(await host.waitForSent(count: 2).last))
        #expect(reply.kind == .error)
        #expect([.badRequest, .jidMalformed].contains(reply.error?.condition))
        if !xml.contains("type='get'") { #expect(await blocking.cachedBlocklist == nil) }
    }

    @Test("A malformed blocklist result is a StanzaError, not a crash", arguments: [
        "<blocklist xmlns='urn:xmpp:blocking'><item jid='@@'/></blocklist>",
        "<blocklist xmlns='urn:xmpp:blocking'><item/></blocklist>",
        "<block xmlns='urn:xmpp:blocking'><item jid='romeo@montague.net'/></block>",
        "<blocklist xmlns='urn:xmpp:blocking:wrong'/>",
    ])
    func malformedResult(xml: String) async throws {
        let payload = try XEPExample.parse(xml)[0]
        let host = try ScriptedModuleHost { $0.makeResult(payload: payload) }
        let blocking = await host.start(BlockingModule())
        await #expect(throws: StanzaError.self) { _ = try await blocking.blocklist() }
        #expect(await blocking.cachedBlocklist == nil)
    }

    @Test("§3.3 Example 9: a message bounced because we blocked its recipient is an event")
    func bouncedMessage() async throws {
        let host = try ScriptedModuleHost(jid: "juliet@capulet.com/chamber")
        let blocking = await host.start(BlockingModule())
        var events = blocking.events.makeAsyncIterator()
        // An unrelated error message first: it must not be reported.
        try await host.receive(xml: "<message type='error' from='nurse@capulet.com' id='n1'><error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>")
        try await host.receive(XEPExample.stanza("0191/blocked-error.xml"))
        #expect(await events.next() == .outboundBlocked(to: try JID("romeo@montague.net"), id: nil))
        let error = try #require(try Message(element: XEPExample.stanza("0191/blocked-error.xml")).error)
        #expect(error.isBlockedByUs)
        #expect(error.condition == .notAcceptable)
        #expect(StanzaError(element: StanzaError.blockedByUs.element()).isBlockedByUs)
    }

    @Test("A 100,000-item blocklist result is refused with resource-constraint without parsing the items")
    func hugeBlocklistResult() async throws {
        var huge = XMLElement("blocklist", namespace: BlockingCommand.namespace)
        huge.children.reserveCapacity(100_000)
        for index in 0..<100_000 {
            huge.append(XMLElement("item", namespace: BlockingCommand.namespace, attributes: ["jid": "spammer\(index)@example.net"]))
        }
        let payload = huge
        let host = try ScriptedModuleHost { $0.makeResult(payload: payload) }
        let blocking = await host.start(BlockingModule())
        do {
            _ = try await blocking.blocklist()
            Issue.record("a 100k-item blocklist was accepted")
        } catch let error as StanzaError {
            #expect(error.condition == .resourceConstraint)
        }
        #expect(await blocking.cachedBlocklist == nil)
        // A push of the same size is refused too, and the module still works afterwards.
        try await host.receive(IQ(.set, payload: XMLElement("block", namespace: BlockingCommand.namespace, children: huge.children)).element)
        let reply = try IQ(element: #require(await host.waitForSent(count: 2).last))
        #expect(reply.error?.condition == .resourceConstraint)
        await host.setResponder(Self.server(initial: ["romeo@montague.net"]))
        #expect(try await blocking.blocklist() == [JID("romeo@montague.net")])
    }

    @Test("A raised limit accepts a 100,000-item list, parsed once")
    func hugeBlocklistWithinRaisedLimit() async throws {
        var huge = XMLElement("blocklist", namespace: BlockingCommand.namespace)
        for index in 0..<100_000 {
            huge.append(XMLElement("item", namespace: BlockingCommand.namespace, attributes: ["jid": "spammer\(index)@example.net"]))
        }
        let payload = huge
        let host = try ScriptedModuleHost { $0.makeResult(payload: payload) }
        let blocking = await host.start(BlockingModule(itemLimit: 200_000))
        #expect(try await blocking.blocklist().count == 100_000)
    }

    @Test("What the stream parser does with a 100,000-item blocklist: the stanza is over its default limits")
    func parserLimitsStopHugeBlocklist() throws {
        var xml = "<iq type='result' id='b1'><blocklist xmlns='urn:xmpp:blocking'>"
        for index in 0..<100_000 { xml += "<item jid='s\(index)@x.example'/>" }
        xml += "</blocklist></iq>"
        do {
            _ = try XMLStreamParser.parseElement(Array(xml.utf8))
            Issue.record("a 100k-child element passed the parser's default limits")
        } catch {
            #expect(error.condition == .policyViolation)
        }
        // With the byte limit lifted, the 50,000-children limit stops it.
        var limits = XMLParserLimits()
        limits.maxStanzaBytes = 1 << 30
        do {
            _ = try XMLStreamParser.parseElement(Array(xml.utf8), limits: limits)
            Issue.record("a 100k-child element passed the parser's child limit")
        } catch {
            #expect(error.condition == .policyViolation)
        }
    }
}

/// A list shared by a test's responder closure.
final class LockedList: Sendable {
    private let storage: Mutex<[String]>

    init(_ initial: [String]) {
        storage = Mutex(initial)
    }

    func get() -> [String] { storage.withLock { $0 } }

    func add(_ values: [String]) {
        storage.withLock { list in
            for value in values where !list.contains(value) { list.append(value) }
        }
    }

    /// Removes `values`, or everything when nil.
    func remove(_ values: [String]?) {
        storage.withLock { list in
            guard let values else { list = []; return }
            list.removeAll { values.contains($0) }
        }
    }
}
