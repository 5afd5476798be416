import CBenchmarkSupport
import Logging
import XMPPClient
import XMPPCore
import XMPPXML

/// `xmppkit bench sessions`: login latency per mechanism against a real server, and how fast stanzas
/// from a loopback socket reach `XMPPClient.stanzas` compared with raw expat on the same bytes.
public struct SessionBenchmark: Sendable {
    /// One account on a real server, and how to reach it.
    public struct Account: Sendable {
        public var jid: String
        public var password: String
        public var host: String
        public var port: Int
        public var caFile: String

        public init(jid: String, password: String, host: String, port: Int, caFile: String) {
            self.jid = jid
            self.password = password
            self.host = host
            self.port = port
            self.caFile = caFile
        }
    }

    public struct LoginFigures: Sendable {
        public var label: String
        public var p50: Duration
        public var p99: Duration
        public var count: Int
    }

    public struct IngestFigures: Sendable {
        public var stanzas: Int
        public var clientStanzasPerSecond: Double
        public var expatStanzasPerSecond: Double
        public var ratio: Double { clientStanzasPerSecond / expatStanzasPerSecond }
    }

    public init() {}

    /// Logs in `count` times with `mechanism` (optionally capped at TLS 1.2 for -PLUS) and reports percentiles.
    public func measureLogins(_ account: Account, mechanism: SASLMechanismName, tlsMax: TLSVersion?, count: Int) async throws -> LoginFigures {
        let jid = try JID(account.jid)
        var tls = TLSConfiguration(trust: .certificateAuthorities(file: account.caFile), serverName: jid.domainpart)
        tls.maximumVersion = tlsMax
        var sasl = SASLPolicy()
        sasl.allowPlain = mechanism == .plain
        if !mechanism.usesChannelBinding { sasl.requireChannelBindingWhenOffered = false }
        var logger = Logger(label: "xmppkit.bench")
        logger.logLevel = .error
        let configuration = XMPPClientConfiguration(
            jid: jid, credential: .password(account.password), host: account.host, port: account.port, tls: tls, sasl: sasl,
            preferredMechanism: mechanism, streamManagement: false, reconnect: nil, logger: logger)
        var samples: [Duration] = []
        let clock = ContinuousClock()
        for _ in 0..<count {
            let client = XMPPClient(configuration: configuration)
            let start = clock.now
            try await client.connect()
            samples.append(clock.now - start)
            await client.disconnect()
        }
        samples.sort()
        func percentile(_ p: Double) -> Duration { samples[min(samples.count - 1, Int(Double(samples.count - 1) * p + 0.5))] }
        return LoginFigures(label: "\(mechanism)\(tlsMax.map { " (TLS ≤ \($0))" } ?? "")", p50: percentile(0.5), p99: percentile(0.99), count: count)
    }

    /// Streams `stanzaCount` messages and presences from a loopback server into a client, and parses
    /// the same bytes with raw expat.
    public func measureIngest(stanzaCount: Int) async throws -> IngestFigures {
        let stanzas = SyntheticStream.messagesAndPresences(count: stanzaCount)
        // Raw expat: the same stanza bytes inside a stream header, as the socket delivers them.
        let document = Array(SyntheticStream.header.utf8) + stanzas
        var counts = CExpatBaselineCounts()
        let clock = ContinuousClock()
        var expatBest = Duration.seconds(1_000)
        for _ in 0..<3 {
            counts = CExpatBaselineCounts()
            let elapsed = clock.measure {
                _ = document.withUnsafeBufferPointer { buffer in
                    buffer.withMemoryRebound(to: CChar.self) { CExpatBaseline_parse($0.baseAddress, $0.count, 16 * 1024, &counts) }
                }
            }
            expatBest = min(expatBest, elapsed)
        }

        let server = try await IngestServer.start(stanzas: stanzas)
        defer { Task { await server.stop() } }
        var logger = Logger(label: "xmppkit.bench")
        logger.logLevel = .error
        let configuration = XMPPClientConfiguration(
            jid: try JID("ingest.test"), credential: .anonymous, host: "127.0.0.1", port: server.port, allowPlaintext: true,
            streamManagement: false, reconnect: nil, logger: logger)
        let client = XMPPClient(configuration: configuration)
        let start = clock.now
        try await client.connect()
        var received = 0
        for await _ in client.stanzas {
            received += 1
            if received == stanzaCount { break }
        }
        let elapsed = clock.now - start
        await client.disconnect()
        return IngestFigures(stanzas: received, clientStanzasPerSecond: Double(received) / elapsed.seconds,
                             expatStanzasPerSecond: Double(counts.stanzas) / expatBest.seconds)
    }
}
