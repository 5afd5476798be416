import Synchronization
import Testing
import XMPPClient
import XMPPCore
import XMPPXML
@testable import XMPPExtensions

/// A module that records what it was handed, for checking the dispatcher's routing.
private actor RecordingModule: XMPPModule {
    nonisolated let features = ["urn:test:recording"]
    nonisolated let routes: [StanzaRoute] = [.iq("query", "urn:test:recording"), .message("note", "urn:test:recording")]
    private(set) var log: [String] = []
    private var context = ModuleContext.unattached

    func attach(_ context: ModuleContext) async {
        self.context = context
        log.append("attach")
    }

    func sessionStarted(resumed: Bool) async { log.append("started(\(resumed))") }

    func handleRequest(_ request: IQ) async throws(StanzaError) -> IQ? {
        log.append("request \(request.id ?? "")")
        switch request.payload?.attribute("answer") {
        case "error": throw StanzaError(.notAllowed)
        case "nil": return nil
        default:
            // Slow on purpose: later stanzas must still be handled after this one, in order.
            try? await Task.sleep(for: .milliseconds(20))
            return request.makeResult()
        }
    }

    func handleMessage(_ message: Message) async { log.append("message \(message.id ?? "")") }
}

private actor PresenceWatcher: XMPPModule {
    nonisolated let features: [String] = []
    nonisolated let routes: [StanzaRoute] = [.anyPresence]
    private(set) var seen: [String] = []
    func handlePresence(_ presence: Presence) async { seen.append(presence.id ?? "") }
}

@Suite("Module dispatch (RFC 6120 §8.4 and ordering)")
struct ModuleDispatcherTests {
    @Test("A routed request reaches its module; an unrouted one is service-unavailable; errors thrown become error replies")
    func routing() async throws {
        let host = try ScriptedModuleHost()
        let module = await host.start(RecordingModule())
        try await host.receive(xml: "<iq type='get' id='1' from='a@b/c'><query xmlns='urn:test:recording'/></iq>")
        try await host.receive(xml: "<iq type='get' id='2' from='a@b/c'><query xmlns='urn:test:unknown'/></iq>")
        try await host.receive(xml: "<iq type='set' id='3' from='a@b/c'><query xmlns='urn:test:recording' answer='error'/></iq>")
        try await host.receive(xml: "<iq type='set' id='4' from='a@b/c'><query xmlns='urn:test:recording' answer='nil'/></iq>")
        let sent = try await host.waitForSent(count: 4).map { try IQ(element: $0) }
        let byID = Dictionary(uniqueKeysWithValues: sent.map { ($0.id ?? "", $0) })
        #expect(byID["1"]?.kind == .result)
        #expect(byID["2"]?.error?.condition == .serviceUnavailable)
        #expect(byID["3"]?.error?.condition == .notAllowed)
        #expect(byID["4"]?.error?.condition == .serviceUnavailable)
        #expect(await module.log == ["attach", "started(false)", "request 1", "request 3", "request 4"])
    }

    @Test("A module sees its stanzas one at a time, in arrival order, even when it is slow")
    func ordering() async throws {
        let host = try ScriptedModuleHost()
        let module = await host.start(RecordingModule())
        for index in 0..<20 {
            if index.isMultiple(of: 2) {
                try await host.receive(xml: "<iq type='get' id='\(index)' from='a@b/c'><query xmlns='urn:test:recording'/></iq>")
            } else {
                try await host.receive(xml: "<message id='\(index)' from='a@b/c'><note xmlns='urn:test:recording'/></message>")
            }
        }
        _ = await host.waitForSent(count: 10)
        // The last message may still be in the mailbox when the last reply goes out.
        for _ in 0..<500 where await module.log.count < 22 { try await Task.sleep(for: .milliseconds(10)) }
        let log = await module.log.dropFirst(2)
        #expect(Array(log) == (0..<20).map { $0.isMultiple(of: 2) ? "request \($0)" : "message \($0)" })
    }

    @Test("Messages without a routed payload are not delivered; every presence reaches an anyPresence module")
    func payloadMatching() async throws {
        let host = try ScriptedModuleHost()
        let module = await host.start(RecordingModule())
        let watcher = await host.start(PresenceWatcher())
        try await host.receive(xml: "<message id='plain' from='a@b/c'><body>hi</body></message>")
        try await host.receive(xml: "<presence id='p1' from='a@b/c'/><presence id='p2' type='subscribe' from='a@b'/>")
        try await host.receive(xml: "<message id='noted' from='a@b/c'><body>hi</body><note xmlns='urn:test:recording'/></message>")
        for _ in 0..<200 {
            let moduleCount = await module.log.count, watcherCount = await watcher.seen.count
            if moduleCount >= 3 && watcherCount >= 2 { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        let log = await module.log
        let seen = await watcher.seen
        #expect(log == ["attach", "started(false)", "message noted"])
        #expect(seen == ["p1", "p2"])
    }

    @Test("A type registers once; features are the sorted union; lookups by type work")
    func registration() async throws {
        let host = try ScriptedModuleHost()
        let first = await host.register(RecordingModule())
        let second = await host.register(RecordingModule())
        #expect(first === second)
        await host.register(ServiceDiscoveryModule())
        #expect(await host.advertisedFeatures == [DiscoInfo.namespace, DiscoItem.namespace, "urn:test:recording"])
        #expect(await host.module(RecordingModule.self) === first)
        #expect(await host.module(EntityCapabilitiesModule.self) == nil)
    }

    @Test("A module used before registration throws notRegistered, not a crash")
    func unattached() async throws {
        let discovery = ServiceDiscoveryModule()
        await #expect(throws: XMPPClientError.self) { try await discovery.serverInfo() }
    }
}
