import NIOCore
import NIOPosix
import TestSupport
import Testing
import XMPPCore
import XMPPXML

/// Issue "Foundation": both real servers answer a plain TCP connection with a stream header and
/// features, read through XMPPXML. Fails (never skips) when the servers are not running.
@Suite struct StreamHeaderTests {
    static let environment = Result { try ServerEnvironment.load() }

    @Test(arguments: ["prosody", "ejabberd"])
    func serverAnswersWithAStreamHeaderAndFeatures(serverName: String) async throws {
        let environment = try Self.environment.get()
        let server = try #require(environment.servers.first { $0.name == serverName })
        let events = try await RawStream.open(host: server.host, port: server.port, domain: server.domain)

        guard case .streamOpened(let header)? = events.first else {
            Issue.record("\(serverName) sent no stream header: \(events)")
            return
        }
        #expect(header.contentNamespace == XMPPNamespace.client)
        #expect(header.version == "1.0")
        #expect(header.from == server.domain)
        #expect(header.id.map { !$0.isEmpty } == true, "RFC 6120 §4.7.3: the receiving entity sets a stream id")

        let features = events.compactMap { event -> XMLElement? in
            if case .element(let element) = event, element.name == "features", element.namespace == XMPPNamespace.streams { return element }
            return nil
        }.first
        let starttls = try #require(features?.child("starttls", namespace: XMPPNamespace.tls), "\(serverName) offers no STARTTLS")
        _ = starttls
    }

    @Test func aStreamToAnUnknownHostIsRefusedWithHostUnknown() async throws {
        let server = try Self.environment.get().prosody
        let events = try await RawStream.open(host: server.host, port: server.port, domain: "no-such-host.test", until: { event in
            if case .element(let element) = event { return element.name == "error" }
            return event == .streamClosed
        })
        let error = events.compactMap { event -> StreamError? in
            if case .element(let element) = event, element.name == "error", element.namespace == XMPPNamespace.streams {
                return StreamError(element: element)
            }
            return nil
        }.first
        #expect(error?.condition == .hostUnknown, "RFC 6120 §4.9.3.6")
    }
}

/// Opens a TCP connection, sends an initial stream header, and collects parsed events until `until`
/// says stop (by default: the stream features), within `timeout`.
enum RawStream {
    struct Timeout: Error, CustomStringConvertible {
        var description: String
    }

    static func open(host: String, port: Int, domain: String, timeout: Duration = .seconds(10),
                     until done: @escaping @Sendable (XMLStreamEvent) -> Bool = { event in
                         if case .element(let element) = event { return element.name == "features" }
                         return false
                     }) async throws -> [XMLStreamEvent] {
        try await withThrowingTaskGroup(of: [XMLStreamEvent].self) { group in
            group.addTask { try await exchange(host: host, port: port, domain: domain, until: done) }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw Timeout(description: "no answer from \(host):\(port) within \(timeout)")
            }
            let result = try await group.next() ?? []
            group.cancelAll()
            return result
        }
    }

    private static func exchange(host: String, port: Int, domain: String,
                                 until done: @Sendable (XMLStreamEvent) -> Bool) async throws -> [XMLStreamEvent] {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        var header: [UInt8] = []
        try XMLStreamHeader(contentNamespace: XMPPNamespace.client, attributes: [
            XMLAttribute("to", value: domain), XMLAttribute("version", value: "1.0"), .lang("en"),
        ]).serialize(into: &header)
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(bytes: header))
            let parser = XMLStreamParser()
            var events: [XMLStreamEvent] = []
            for try await buffer in inbound {
                let new = try buffer.withUnsafeReadableBytes { try parser.feed($0) }
                events += new
                if new.contains(where: done) { break }
            }
            return events
        }
    }
}
