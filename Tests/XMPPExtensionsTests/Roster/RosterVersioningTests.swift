import Testing
import XMPPClient
import XMPPCore
import XMPPXML
@testable import XMPPExtensions

@Suite("Roster versioning (RFC 6121 §2.6, XEP-0237)")
struct RosterVersioningTests {
    static let romeo = "romeo@montague.lit/home"

    static func cachedSnapshot() throws -> RosterSnapshot {
        RosterSnapshot(version: "ver14", items: [
            RosterItem(jid: try JID("tybalt@shakespeare.lit"), subscription: .both),
            RosterItem(jid: try JID("bill@shakespeare.lit"), subscription: .to),
        ])
    }

    static func versioningFeatures() throws -> StreamFeatures {
        StreamFeatures(element: try XEPExample.stanza("0237/stream-features.xml"))
    }

    @Test("XEP-0237 Examples 2–4: the stored version is sent, an empty result keeps the cache, and the interim pushes update it")
    func emptyResultThenInterimPushes() async throws {
        let host = try ScriptedModuleHost(jid: Self.romeo) { _ in try IQ(element: XEPExample.stanza("0237/empty-result.xml")) }
        await host.setStreamFeatures(try Self.versioningFeatures())
        let roster = RosterModule(snapshot: try Self.cachedSnapshot())
        let events = ModuleEventRecorder(roster.events)
        await host.start(roster)
        let loaded = await events.wait(count: 1)
        #expect(loaded.first == .loaded(items: try Self.cachedSnapshot().items.sorted { $0.jid.description < $1.jid.description },
                                        version: "ver14", unchanged: true))
        let expectedGet = try IQ(element: XEPExample.stanza("0237/roster-get-versioned.xml"))
        #expect(await host.sentRequests.first?.payload == expectedGet.payload?.withoutIndentation)

        let tybalt = try JID("tybalt@shakespeare.lit")
        let oldTybalt = try #require(await roster.item(for: tybalt))
        let oldBill = try #require(await roster.item(for: try JID("bill@shakespeare.lit")))
        for push in try XEPExample.stanzas("0237/interim-pushes.xml") { try await host.receive(push) }
        let replies = await host.waitForSent(count: 5).dropFirst()
        #expect(replies.count == 4)
        #expect(replies.allSatisfy { $0.attribute("type") == "result" })
        #expect(await roster.version == "ver96")
        let bill = RosterItem(jid: try JID("bill@shakespeare.lit"), subscription: .both)
        let nurse = RosterItem(jid: try JID("nurse@shakespeare.lit"), name: "Nurse", subscription: .to, groups: ["Servants"])
        let juliet = RosterItem(jid: try JID("juliet@shakespeare.lit"), name: "Juliet", subscription: .both, groups: ["VIPs"])
        #expect(await roster.items == [bill, juliet, nurse])
        #expect(await events.wait(count: 5).dropFirst() == [
            .itemRemoved(oldTybalt), .itemChanged(old: oldBill, new: bill),
            .itemChanged(old: nil, new: nurse), .itemChanged(old: nil, new: juliet),
        ])
        #expect(await roster.snapshot() == RosterSnapshot(version: "ver96", items: [bill, juliet, nurse]))
    }

    @Test("RFC 6121 §2.6.3: a full result replaces the cache and its version")
    func fullResultReplacesCache() async throws {
        let host = try ScriptedModuleHost(jid: Self.romeo) { request in
            try RosterXML.result(for: request, "<item jid='nurse@capulet.lit' name='Nurse' subscription='both'/>", ver: "ver20")
        }
        await host.setStreamFeatures(try Self.versioningFeatures())
        let roster = RosterModule(snapshot: try Self.cachedSnapshot())
        let events = ModuleEventRecorder(roster.events)
        await host.start(roster)
        _ = await events.wait(count: 1)
        #expect(await roster.items.map(\.jid.description) == ["nurse@capulet.lit"])
        #expect(await roster.version == "ver20")
    }

    @Test("RFC 6121 §2.6.2: without a stored version the get bootstraps with ver=''")
    func bootstrapsWithEmptyVersion() async throws {
        let host = try ScriptedModuleHost(jid: Self.romeo) { request in try RosterXML.result(for: request, "", ver: "ver1") }
        await host.setStreamFeatures(try Self.versioningFeatures())
        let roster = RosterModule()
        await host.register(roster)
        try await roster.fetch()
        #expect(await host.sentRequests.first?.payload?.attribute("ver") == "")
        #expect(await roster.version == "ver1")
    }

    @Test("RFC 6121 §2.6.2: a server that does not advertise versioning gets no 'ver', even with a stored version")
    func noVersionWithoutFeature() async throws {
        let host = try ScriptedModuleHost(jid: Self.romeo) { request in try RosterXML.result(for: request, "<item jid='a@b.c'/>") }
        let roster = RosterModule(snapshot: try Self.cachedSnapshot())
        await host.register(roster)
        try await roster.fetch()
        #expect(await host.sentRequests.first?.payload?.attribute("ver") == nil)
        #expect(await roster.version == nil)
        #expect(await roster.items.map(\.jid.description) == ["a@b.c"])
        #expect(await !roster.isVersioningSupported())
    }

    @Test("usesVersioning: false sends no 'ver' even where the server offers it")
    func versioningOff() async throws {
        let host = try ScriptedModuleHost(jid: Self.romeo) { request in try RosterXML.result(for: request, "") }
        await host.setStreamFeatures(try Self.versioningFeatures())
        let roster = RosterModule(snapshot: try Self.cachedSnapshot(), usesVersioning: false)
        await host.register(roster)
        try await roster.fetch()
        #expect(await host.sentRequests.first?.payload?.attribute("ver") == nil)
        #expect(await roster.isVersioningSupported())
    }

    @Test("An empty result to a bootstrap get (ver='') vouches for nothing cached: the copy starts empty")
    func emptyResultToBootstrap() async throws {
        let host = try ScriptedModuleHost(jid: Self.romeo) { _ in try IQ(element: XEPExample.stanza("0237/empty-result.xml")) }
        await host.setStreamFeatures(try Self.versioningFeatures())
        let roster = RosterModule(snapshot: RosterSnapshot(version: nil, items: try Self.cachedSnapshot().items))
        await host.register(roster)
        let items = try await roster.fetch()
        #expect(items.isEmpty)
        #expect(await host.sentRequests.first?.payload?.attribute("ver") == "")
    }

    @Test("A push without 'ver' leaves no version to match: the next get asks for everything")
    func pushWithoutVersionDropsVersion() async throws {
        let host = try ScriptedModuleHost(jid: Self.romeo) { _ in try IQ(element: XEPExample.stanza("0237/empty-result.xml")) }
        await host.setStreamFeatures(try Self.versioningFeatures())
        let roster = RosterModule(snapshot: try Self.cachedSnapshot())
        await RosterModuleTests.startLoaded(roster, on: host)
        try await host.receive(RosterXML.push("<item jid='new@shakespeare.lit'/>"))
        _ = await host.waitForSent(count: 2)
        #expect(await roster.version == nil)
    }

    @Test("restore(_:) replaces the local copy; snapshot() gives it back")
    func restore() async throws {
        let roster = RosterModule()
        let snapshot = try Self.cachedSnapshot()
        await roster.restore(snapshot)
        #expect(await roster.version == "ver14")
        #expect(Set(await roster.snapshot().items) == Set(snapshot.items))
    }
}
