import Testing
import XMPPClient
import XMPPCore
import XMPPXML
@testable import XMPPExtensions

@Suite("Presence subscriptions (RFC 6121 §3)")
struct PresenceSubscriptionModuleTests {
    /// What the module sent, without the `id` it adds (the RFC's ids are examples).
    static func sentPresence(_ host: ScriptedModuleHost, count: Int) async throws -> XMLElement {
        var element = try #require(await host.waitForSent(count: count).last)
        element.setAttribute("id", to: nil)
        return element
    }

    static func expected(_ fixture: String) throws -> XMLElement {
        var element = try XEPExample.stanza(fixture)
        element.setAttribute("id", to: nil)
        return element
    }

    @Test("§3.1.1, §3.1.5, §3.3.1: subscribe, approve, deny and unsubscribe send the RFC's presences to the bare JID")
    func outbound() async throws {
        let host = try ScriptedModuleHost(jid: "romeo@example.net/orchard")
        let module = PresenceSubscriptionModule()
        await host.start(module)
        try await module.subscribe(to: try JID("juliet@example.com/balcony"))
        #expect(try await Self.sentPresence(host, count: 1) == Self.expected("rfc6121/subscribe-request.xml"))
        #expect(await host.waitForSent(count: 1).last?.attribute("id")?.isEmpty == false)
        try await module.unsubscribe(from: try JID("juliet@example.com"))
        #expect(try await Self.sentPresence(host, count: 2) == Self.expected("rfc6121/unsubscribe-request.xml"))

        let juliet = try ScriptedModuleHost(jid: "juliet@example.com/balcony")
        let julietModule = PresenceSubscriptionModule()
        await juliet.start(julietModule)
        try await julietModule.approve(try JID("romeo@example.net"))
        #expect(try await Self.sentPresence(juliet, count: 1) == Self.expected("rfc6121/subscribed-approve.xml"))
        try await julietModule.deny(try JID("romeo@example.net"))
        #expect(try await Self.sentPresence(juliet, count: 2) == Self.expected("rfc6121/unsubscribed-deny.xml"))
    }

    @Test("§3.1.3–§3.3.3: inbound subscription presences become typed events, from the bare JID")
    func inbound() async throws {
        let juliet = try ScriptedModuleHost(jid: "juliet@example.com/balcony")
        let module = PresenceSubscriptionModule()
        await juliet.start(module)
        let events = ModuleEventRecorder(module.events)
        let romeo = try JID("romeo@example.net")
        try await juliet.receive(XEPExample.stanza("rfc6121/subscribe-inbound.xml"))
        try await juliet.receive(XEPExample.stanza("rfc6121/unsubscribe-inbound.xml"))
        let romeoSide = try ScriptedModuleHost(jid: "romeo@example.net/orchard")
        let romeoModule = PresenceSubscriptionModule()
        await romeoSide.start(romeoModule)
        let romeoEvents = ModuleEventRecorder(romeoModule.events)
        try await romeoSide.receive(XEPExample.stanza("rfc6121/subscribed-inbound.xml"))
        try await romeoSide.receive(XEPExample.stanza("rfc6121/unsubscribed-inbound.xml"))
        #expect(await events.wait(count: 2) == [.subscriptionRequest(from: romeo), .unsubscribe(from: romeo)])
        let juliet2 = try JID("juliet@example.com")
        #expect(await romeoEvents.wait(count: 2) == [.subscribed(by: juliet2), .unsubscribed(by: juliet2)])
        #expect(await juliet.sent.isEmpty, "manual policy: nothing is answered for the user")
    }

    @Test("A pending request is remembered until approved, and dropped when the requester unsubscribes")
    func pendingRequests() async throws {
        let host = try ScriptedModuleHost()
        let module = PresenceSubscriptionModule()
        await host.start(module)
        let events = ModuleEventRecorder(module.events)
        try await host.receive(XEPExample.stanza("rfc6121/subscribe-inbound.xml"))
        _ = await events.wait(count: 1)
        let romeo = try JID("romeo@example.net")
        #expect(await module.pendingRequests == [romeo])
        try await module.approve(romeo)
        #expect(await module.pendingRequests.isEmpty)
    }

    @Test("Policy approveAll answers §3.1.5's subscribed at once and reports autoApproved")
    func autoApprove() async throws {
        let host = try ScriptedModuleHost()
        let module = PresenceSubscriptionModule(policy: .approveAll)
        await host.start(module)
        let events = ModuleEventRecorder(module.events)
        try await host.receive(XEPExample.stanza("rfc6121/subscribe-inbound.xml"))
        #expect(try await Self.sentPresence(host, count: 1) == Self.expected("rfc6121/subscribed-approve.xml"))
        #expect(await events.wait(count: 1) == [.autoApproved(from: try JID("romeo@example.net"))])
        #expect(await module.pendingRequests.isEmpty)
    }

    @Test("Policy approveWhen decides per contact; a refusal is left to the app")
    func conditionalApprove() async throws {
        let host = try ScriptedModuleHost()
        let module = PresenceSubscriptionModule(policy: .approveWhen { $0.domainpart == "example.com" })
        await host.start(module)
        let events = ModuleEventRecorder(module.events)
        try await host.receive(xml: "<presence from='nurse@example.com' type='subscribe'/>")
        try await host.receive(XEPExample.stanza("rfc6121/subscribe-inbound.xml"))
        #expect(await events.wait(count: 2) == [
            .autoApproved(from: try JID("nurse@example.com")), .subscriptionRequest(from: try JID("romeo@example.net")),
        ])
        #expect(await host.sent.count == 1)
    }

    @Test("§3.4.1: pre-approval is sent only when the server advertises it")
    func preApproval() async throws {
        let host = try ScriptedModuleHost()
        let module = PresenceSubscriptionModule()
        await host.start(module)
        let romeo = try JID("romeo@example.net")
        #expect(await !module.isPreApprovalSupported())
        let error = await #expect(throws: StanzaError.self) { try await module.preApprove(romeo) }
        #expect(error?.condition == .featureNotImplemented)
        #expect(await host.sent.isEmpty)
        await host.setStreamFeatures(StreamFeatures(element: try XEPExample.stanza("rfc6121/preapproval-stream-features.xml")))
        #expect(await module.isPreApprovalSupported())
        try await module.preApprove(romeo)
        #expect(try await Self.sentPresence(host, count: 1).attribute("type") == "subscribed")
        #expect(try await Self.sentPresence(host, count: 1).attribute("to") == "romeo@example.net")
        #expect(try await module.isSupportedByServer())
    }

    @Test("Availability presences fill the presence book; subscription presences do not")
    func presenceBook() async throws {
        let host = try ScriptedModuleHost()
        let module = PresenceSubscriptionModule()
        await host.start(module)
        let events = ModuleEventRecorder(module.events)
        try await host.receive(xml: """
            <presence from='romeo@example.net/orchard'><priority>1</priority></presence>
            <presence from='romeo@example.net/mobile'><show>away</show><priority>5</priority></presence>
            <presence from='romeo@example.net' type='subscribe'/>
            <presence from='romeo@example.net/orchard' type='unavailable'/>
            """)
        _ = await events.wait(count: 4)
        let romeo = try JID("romeo@example.net")
        let presences = await module.presences(of: romeo)
        #expect(presences.map(\.from?.description) == ["romeo@example.net/orchard", "romeo@example.net/mobile"])
        #expect(presences.first?.kind == .unavailable)
        #expect(await module.bestPresence(of: romeo)?.from?.resourcepart == "mobile")
        #expect(await module.book.isAvailable(romeo))
    }

    @Test("A new session forgets presences; a resumed one keeps them")
    func sessionResets() async throws {
        let host = try ScriptedModuleHost()
        let module = PresenceSubscriptionModule()
        await host.start(module)
        let events = ModuleEventRecorder(module.events)
        try await host.receive(xml: "<presence from='romeo@example.net/orchard'/>")
        _ = await events.wait(count: 1)
        await module.sessionStarted(resumed: true)
        #expect(await module.presences(of: try JID("romeo@example.net")).count == 1)
        await module.sessionStarted(resumed: false)
        #expect(await module.presences(of: try JID("romeo@example.net")).isEmpty)
    }

    @Test("Hostile presences: no 'from', a flood of subscribe requests, a flood of resources — bounded, no crash")
    func hostile() async throws {
        let host = try ScriptedModuleHost()
        let module = PresenceSubscriptionModule(book: PresenceBook(maximumContacts: 100, maximumResourcesPerContact: 4),
                                                maximumPendingRequests: 50)
        await host.start(module)
        let events = ModuleEventRecorder(module.events)
        try await host.receive(xml: "<presence type='subscribe'/><presence/>")
        var flood = ""
        for index in 0..<500 { flood += "<presence from='spam\(index)@example.org' type='subscribe'/>" }
        for index in 0..<500 { flood += "<presence from='many@example.org/r\(index)'/>" }
        for index in 0..<500 { flood += "<presence from='c\(index)@example.org/x'/>" }
        try await host.receive(xml: flood)
        _ = await events.wait(count: 500 + 500 + 100)
        #expect(await module.pendingRequests.count == 50)
        #expect(await module.presences(of: try JID("many@example.org")).count == 4)
        #expect(await module.book.knownContacts.count <= 100)
        #expect(await host.sent.isEmpty)
    }
}
