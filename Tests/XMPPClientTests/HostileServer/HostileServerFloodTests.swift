import Foundation
import Synchronization
import TestSupport
import Testing
@testable import XMPPClient
import XMPPCore
import XMPPXML

/// Issue "Client session", hostile servers that flood: one element or token without end, a
/// 100 MB element, endless whitespace, and endless small stanzas. The parser limits
/// (``XMLParserLimits``, 1 MiB per stanza and per text run by default) must end every oversized
/// element with `.malformedInput(policy-violation)` at once, and the process's resident memory may
/// grow by less than ``HostileServerFloodTests/memoryBound`` however much the server pushes.
///
/// Serialized: each test measures the whole process's memory.
@Suite(.serialized) struct HostileServerFloodTests {
    static let connectTimeout: Duration = .seconds(5)  // roomy: CI runs this beside the whole suite on 2 cores
    static let memoryBound = 64 << 20

    static let message = "<message from='romeo@xmpp.test/orchard' to='juliet-hostile@xmpp.test/test' type='chat' id='m'><body>Wherefore art thou?</body></message>"

    static func start(behavior: @escaping @Sendable (TestXMPPServer.Request) -> TestXMPPServer.Action,
                      connectTimeout: Duration = connectTimeout, requestTimeout: Duration = .seconds(5)) async throws -> (TestXMPPServer, XMPPClient) {
        let pki = try TLSTestPKI.get()
        var configuration = TestXMPPServer.Configuration(pki: pki)
        configuration.behavior = behavior
        let server = try await TestXMPPServer.start(configuration)
        let client = XMPPClient(configuration: Hostile.quiet(try server.clientConfiguration(
            pki: pki, connectTimeout: connectTimeout, requestTimeout: requestTimeout)))
        return (server, client)
    }

    // MARK: - Oversized

    struct FloodCase: Sendable, CustomTestStringConvertible {
        enum When: Sendable { case afterBinding, insteadOfFeatures }
        var testDescription: String
        var when: When
        var flood: TestXMPPServer.Flood
        /// `.timeout` rather than `.malformedInput(policy-violation)`.
        var expectsTimeout = false
    }

    static let body = String(repeating: "a", count: 1024)

    static let floods: [FloodCase] = [
        FloodCase(testDescription: "an endless text node", when: .afterBinding,
                  flood: .endless(prefix: "<message type='chat'><body>", unit: body)),
        FloodCase(testDescription: "a 100 MB element", when: .afterBinding,
                  flood: .element(open: "<message type='chat'><body>", filler: String(repeating: "x", count: 64 * 1024),
                                  bytes: 100 << 20, close: "</body></message>")),
        FloodCase(testDescription: "an endless attribute value", when: .afterBinding,
                  flood: .endless(prefix: "<message to='", unit: body)),
        FloodCase(testDescription: "an endless element name", when: .afterBinding,
                  flood: .endless(prefix: "<m", unit: body)),
        FloodCase(testDescription: "endless nesting", when: .afterBinding,
                  flood: .endless(prefix: "<message>", unit: "<x>")),
        FloodCase(testDescription: "endless empty children", when: .afterBinding,
                  flood: .endless(prefix: "<message>", unit: "<x/>")),
        FloodCase(testDescription: "endless children with text", when: .afterBinding,
                  flood: .endless(prefix: "<message>", unit: "<body>hi</body>")),
        FloodCase(testDescription: "an endless text node instead of features", when: .insteadOfFeatures,
                  flood: .endless(prefix: HostileServerTests.header + "<stream:features><x>", unit: body)),
        FloodCase(testDescription: "endless whitespace instead of features", when: .insteadOfFeatures,
                  flood: .endless(prefix: HostileServerTests.header, unit: String(repeating: " ", count: 1024)),
                  expectsTimeout: true),
    ]

    /// An element or token without end: a typed error within the timeout, memory bounded by
    /// the parser limits, the connection closed.
    @Test(arguments: HostileServerFloodTests.floods)
    func oversizedFlood(_ testCase: FloodCase) async throws {
        let flood = testCase.flood
        let (server, client) = try await Self.start(behavior: { request in
            switch (testCase.when, request.step) {
            case (.afterBinding, .established): .flood(flood)
            case (.insteadOfFeatures, .streamHeader(.plaintext)): .flood(flood)
            default: .standard
            }
        })
        let start = ContinuousClock.now
        let (error, growth): (XMPPClientError?, Int) = try await ResidentMemoryProbe.peakGrowth {
            switch testCase.when {
            case .insteadOfFeatures:
                return try await Hostile.failingConnect(client).0
            case .afterBinding:
                _ = try await Hostile.within(.seconds(10), "connect()") { try await client.connect() }
                let state = try await Hostile.ended(client, within: .seconds(10))
                #expect(state == .connectionFailed)
                return await client.lastError
            }
        }
        let elapsed = ContinuousClock.now - start
        let pushed = server.connections.first?.floodBytesWritten ?? 0
        print("HostileServer flood '\(testCase.testDescription)': \(error.map { "\($0)" } ?? "no error") after \(elapsed); "
              + "server pushed \(ResidentMemoryProbe.megabytes(pushed)); peak RSS growth \(ResidentMemoryProbe.megabytes(growth))")
        if testCase.expectsTimeout {
            guard case .timeout? = error?.kind else {
                Issue.record("expected .timeout, got \(String(describing: error))")
                return
            }
            #expect(elapsed < Self.connectTimeout + HostileServerTests.slack)
        } else {
            guard case .malformedInput(let xml)? = error?.kind else {
                Issue.record("expected .malformedInput(policy-violation), got \(String(describing: error))")
                return
            }
            #expect(xml.condition == .policyViolation)
            #expect(elapsed < Self.connectTimeout + HostileServerTests.slack, "no hang (took \(elapsed))")
        }
        #expect(growth < Self.memoryBound, "resident memory grew by \(ResidentMemoryProbe.megabytes(growth))")
        #expect(server.connections.first?.floodFinished == false, "the client read the whole flood instead of hanging up")
        _ = try await Hostile.within(.seconds(10), "the server seeing the close") {
            while server.connections.contains(where: { !$0.isClosed }) { try await Task.sleep(for: .milliseconds(10)) }
        }
        Hostile.expectNothingSecretBeforeTLS(server)
        await server.stop()
    }

    // MARK: - Endless small stanzas

    static let floodStanzas = 30_000

    final class Counter: Sendable {
        private let value = Mutex(0)
        func increment() { value.withLock { $0 += 1 } }
        var count: Int { value.withLock { $0 } }
    }

    /// A flood of small valid stanzas, read by the application as they come: memory stays
    /// bounded, and an IQ sent mid-flood is answered (its result travels between flood stanzas).
    @Test func floodOfSmallStanzasConsumed() async throws {
        let (server, client) = try await Self.start(behavior: { request in
            request.step == .established ? .flood(.stanzas(Self.message, count: Self.floodStanzas)) : .standard
        }, requestTimeout: .seconds(30))  // a no-hang bound: other suites may load the machine
        let received = Counter()
        let consumer = Task {
            for await stanza in client.stanzas {
                if case .message = stanza { received.increment() }
                if received.count == Self.floodStanzas { return }
            }
        }
        let start = ContinuousClock.now
        let (pingTime, growth) = try await ResidentMemoryProbe.peakGrowth {
            _ = try await Hostile.within(.seconds(10), "connect()") { try await client.connect() }
            _ = try await Hostile.within(.seconds(10), "the flood's start") {
                while received.count < 1000 { try await Task.sleep(for: .milliseconds(5)) }
            }
            let pingStart = ContinuousClock.now
            let pong = try await client.send(IQ(.get, to: try JID("xmpp.test"), payload: XMLElement("ping", namespace: "urn:xmpp:ping")))
            #expect(pong.kind == .result)
            let pingTime = ContinuousClock.now - pingStart
            _ = try await Hostile.within(.seconds(40), "reading the flood") { await consumer.value }
            return pingTime
        }
        let elapsed = ContinuousClock.now - start
        let pushed = server.connections.first?.floodBytesWritten ?? 0
        print("HostileServer flood of \(Self.floodStanzas) small stanzas, consumed: \(ResidentMemoryProbe.megabytes(pushed)) in \(elapsed); "
              + "ping answered mid-flood in \(pingTime); peak RSS growth \(ResidentMemoryProbe.megabytes(growth))")
        #expect(received.count == Self.floodStanzas)
        #expect(await client.state == .connected)
        #expect(growth < Self.memoryBound, "resident memory grew by \(ResidentMemoryProbe.megabytes(growth))")
        _ = try await Hostile.within(.seconds(5), "disconnect()") { await client.disconnect() }
        await server.stop()
    }

    /// The same flood with nobody reading `client.stanzas`: the client stays responsive and
    /// disconnects cleanly, but every stanza waits in the stream's unbounded buffer. The growth is
    /// printed, not asserted (a finding: AsyncStream's default `.unbounded` buffering).
    @Test func floodOfSmallStanzasUnconsumed() async throws {
        let (server, client) = try await Self.start(behavior: { request in
            request.step == .established ? .flood(.stanzas(Self.message, count: Self.floodStanzas)) : .standard
        }, requestTimeout: .seconds(10))
        let start = ContinuousClock.now
        let (_, growth) = try await ResidentMemoryProbe.peakGrowth {
            _ = try await Hostile.within(.seconds(10), "connect()") { try await client.connect() }
            _ = try await Hostile.within(.seconds(40), "the flood") {
                while server.connections.first?.floodFinished != true { try await Task.sleep(for: .milliseconds(10)) }
            }
            // Written after the whole flood: when it is answered, every flood stanza has been routed.
            let pong = try await client.send(IQ(.get, to: try JID("xmpp.test"), payload: XMLElement("ping", namespace: "urn:xmpp:ping")))
            #expect(pong.kind == .result)
        }
        let elapsed = ContinuousClock.now - start
        #expect(await client.state == .connected)
        _ = try await Hostile.within(.seconds(5), "disconnect()") { await client.disconnect() }
        let buffered = Counter()
        _ = try await Hostile.within(.seconds(10), "draining the stream") {
            for await stanza in client.stanzas {
                if case .message = stanza { buffered.increment() }
                if buffered.count == Self.floodStanzas { break }
            }
        }
        let pushed = server.connections.first?.floodBytesWritten ?? 0
        print("HostileServer flood of \(Self.floodStanzas) small stanzas, unconsumed: \(ResidentMemoryProbe.megabytes(pushed)) in \(elapsed); "
              + "\(buffered.count) stanzas were buffered in client.stanzas; peak RSS growth \(ResidentMemoryProbe.megabytes(growth)) "
              + "(\(growth / max(1, buffered.count)) bytes per buffered stanza)")
        await server.stop()
    }
}
