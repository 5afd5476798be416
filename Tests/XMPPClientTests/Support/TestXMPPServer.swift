import Foundation
import NIOCore
import NIOPosix
import Synchronization
import TestSupport
@testable import XMPPClient
import XMPPCore
import XMPPXML

/// A scriptable XMPP server on a real socket (NIOPosix, 127.0.0.1, a port the system picks), for
/// tests that need a server which misbehaves on purpose.
///
/// By default it speaks just enough RFC 6120 to get a client through: the stream header and
/// features (§4.3), STARTTLS (§5.4, with ``OpenSSLTLSHandler`` in server mode and the test CA's
/// certificate for `xmpp.test`), SASL with SCRAM-SHA-1(-PLUS) (RFC 5802, channel binding checked
/// against the server's own TLS session) or PLAIN (§6), and resource binding (§7); afterwards it
/// answers IQ requests with an empty result and ignores the rest.
///
/// Every point where it answers is a ``Step``; ``Configuration/behavior`` sees each one and may
/// replace the standard answer with any ``Action``: other bytes, silence, a hang-up, or a flood
/// written as fast as the client reads. Every byte each connection received is recorded
/// (``ConnectionRecord``), with the point where TLS began, so tests can check what left the client
/// in the clear.
///
/// It is bounded and stops itself: floods end at ``Configuration/maximumFloodBytes``, and after
/// ``Configuration/lifetime`` the server and its connections close even if the test never calls
/// ``stop()``.
final class TestXMPPServer: Sendable {
    /// How far a connection's stream has come.
    enum Phase: Sendable, Hashable, CustomStringConvertible {
        /// Before TLS.
        case plaintext
        /// Over TLS, before SASL.
        case secured
        /// After SASL success.
        case authenticated

        var description: String {
            switch self {
            case .plaintext: "plaintext"
            case .secured: "secured"
            case .authenticated: "authenticated"
            }
        }
    }

    /// A point where the server answers the client.
    enum Step: Sendable, Hashable {
        /// The TCP connection opened. Standard: nothing (the client speaks first).
        case connected
        /// The client opened a stream. Standard: our header and ``Configuration/features(for:)``.
        case streamHeader(Phase)
        /// `<starttls/>`. Standard: `<proceed/>`, then the TLS handshake.
        case startTLS
        /// `<auth/>`. Standard: the SCRAM challenge, or PLAIN's verdict.
        case auth
        /// `<response/>`. Standard: SCRAM's final verdict.
        case response
        /// The resource-binding IQ. Standard: a result with the full JID.
        case bind
        /// Binding has been answered. Standard: nothing.
        case established
        /// Any later top-level element. Standard: an empty result for an IQ get/set, else nothing.
        case stanza
        /// `</stream:stream>`. Standard: ours, then close.
        case streamClosed
    }

    /// What the behavior is asked about.
    struct Request: Sendable {
        var step: Step
        /// The client's element (nil for ``Step/connected``, ``Step/streamHeader(_:)``,
        /// ``Step/established`` and ``Step/streamClosed``).
        var element: XMLElement?
        /// The connection's number, from 0 in the order they were accepted.
        var connection: Int
    }

    /// How the server answers one ``Step``.
    indirect enum Action: Sendable {
        /// What a conforming server does.
        case standard
        /// These bytes instead (over TLS once it is up), then wait for the client.
        case send(String)
        case sendBytes([UInt8])
        /// No answer at all.
        case silence
        /// Close the TCP connection (no stream error, no close_notify).
        case close
        /// Write a flood, paced by the client's reading; see ``Flood``.
        case flood(Flood)
        /// Answers `<starttls/>` with `<proceed/>` followed, in the same write, by `plaintext`
        /// (the STARTTLS injection attack), then starts TLS.
        case proceedInjecting(String)
        /// Each in turn.
        case sequence([Action])
    }

    /// Bytes written as fast as the client takes them: `prefix`, then `unit` `count` times, then
    /// `suffix`. Never more than ``Configuration/maximumFloodBytes`` of units.
    struct Flood: Sendable {
        var prefix: [UInt8]
        var unit: [UInt8]
        var count: Int
        var suffix: [UInt8]

        /// Whether each unit is a complete top-level element, so that answers to the client's
        /// IQs may be written between units instead of after the flood.
        var unitsAreStanzas: Bool { prefix.isEmpty && suffix.isEmpty }

        init(prefix: String = "", unit: String, count: Int, suffix: String = "") {
            self.prefix = Array(prefix.utf8)
            self.unit = Array(unit.utf8)
            self.count = count
            self.suffix = Array(suffix.utf8)
        }

        /// The same stanza `count` times.
        static func stanzas(_ stanza: String, count: Int) -> Flood {
            Flood(unit: stanza, count: count)
        }

        /// One element of about `bytes` bytes: `open`, `filler` repeated, `close`.
        static func element(open: String, filler: String, bytes: Int, close: String = "") -> Flood {
            Flood(prefix: open, unit: filler, count: max(1, bytes / max(1, filler.utf8.count)), suffix: close)
        }

        /// Without end (until ``Configuration/maximumFloodBytes``, or the client hangs up).
        static func endless(prefix: String = "", unit: String) -> Flood {
            Flood(prefix: prefix, unit: unit, count: Int.max)
        }
    }

    struct Configuration: Sendable {
        var domain = TLSTestPKI.serverName
        var username = "juliet-hostile"
        var password = "pencil-7f3c9a1e-secret"
        var certificateChainFile: String
        var privateKeyFile: String
        var tlsMinimumVersion: TLSVersion = .v1_2
        var tlsMaximumVersion: TLSVersion?
        /// Offer `<starttls/>` before TLS, and mark it `<required/>`.
        var offerStartTLS = true
        var requireStartTLS = true
        /// SASL mechanisms offered before TLS (ejabberd offers PLAIN there).
        var mechanismsBeforeTLS: [String] = []
        /// SASL mechanisms offered over TLS. The server implements SCRAM-SHA-1(-PLUS) and PLAIN.
        var mechanisms = ["SCRAM-SHA-1-PLUS", "SCRAM-SHA-1"]
        /// SCRAM's iteration count (RFC 5802 §5.1 `i=`); the minimum the client accepts keeps tests fast.
        var iterations = 4096
        /// Bytes of one flood at most, whatever it asks for.
        var maximumFloodBytes = 512 << 20
        /// After this the server closes itself and every connection.
        var lifetime: TimeAmount = .seconds(60)
        /// Sees every step; the default answers every one as a conforming server does.
        var behavior: @Sendable (Request) -> Action = { _ in .standard }

        /// The test CA's certificate for `xmpp.test` (``TLSTestPKI``).
        init(pki: TLSTestPKI) {
            certificateChainFile = pki.serverCertificate
            privateKeyFile = pki.serverKey
        }

        var jid: String { "\(username)@\(domain)" }

        /// The standard `<stream:features/>` of each phase.
        func features(for phase: Phase) -> String {
            var body = ""
            switch phase {
            case .plaintext:
                if offerStartTLS {
                    body += "<starttls xmlns='\(XMPPNamespace.tls)'>\(requireStartTLS ? "<required/>" : "")</starttls>"
                }
                body += Self.mechanismsElement(mechanismsBeforeTLS)
            case .secured:
                body += Self.mechanismsElement(mechanisms)
            case .authenticated:
                body += "<bind xmlns='\(XMPPNamespace.bind)'/>"
            }
            return "<stream:features>\(body)</stream:features>"
        }

        static func mechanismsElement(_ names: [String]) -> String {
            guard !names.isEmpty else { return "" }
            return "<mechanisms xmlns='\(XMPPNamespace.sasl)'>" + names.map { "<mechanism>\($0)</mechanism>" }.joined() + "</mechanisms>"
        }

        /// Our stream header (RFC 6120 §4.7), answering a client's.
        func streamHeader(id: String) -> String {
            "<?xml version='1.0'?><stream:stream xmlns='\(XMPPNamespace.client)' xmlns:stream='\(XMPPNamespace.streams)' "
                + "id='\(id)' from='\(domain)' version='1.0' xml:lang='en'>"
        }
    }

    let configuration: Configuration
    /// The port it listens on, on 127.0.0.1.
    let port: Int
    private let channel: any Channel
    private let state = Mutex(State())

    private struct State {
        var records: [ConnectionRecord] = []
        var children: [any Channel] = []
        var stopped = false
        var lifetime: Scheduled<Void>?
    }

    /// Every connection accepted so far, in order.
    var connections: [ConnectionRecord] { state.withLock { $0.records } }

    private init(configuration: Configuration, channel: any Channel, port: Int) {
        self.configuration = configuration
        self.channel = channel
        self.port = port
    }

    /// Listens on 127.0.0.1, on a port the system picks.
    static func start(_ configuration: Configuration) async throws -> TestXMPPServer {
        let registry = ChildRegistry()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard let server = registry.server else { throw ChannelError.ioOnClosedChannel }
                    let record = server.accept(channel)
                    let recorder = TestXMPPServerRecorder(record)
                    try channel.pipeline.syncOperations.addHandler(recorder)
                    try channel.pipeline.syncOperations.addHandler(
                        TestXMPPServerConnection(configuration: configuration, record: record, recorder: recorder))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        guard let port = channel.localAddress?.port else {
            try? await channel.close()
            throw ChannelError.unknownLocalAddress
        }
        let server = TestXMPPServer(configuration: configuration, channel: channel, port: port)
        registry.server = server
        let lifetime = channel.eventLoop.scheduleTask(in: configuration.lifetime) { server.stopNow() }
        server.state.withLock { $0.lifetime = lifetime }
        return server
    }

    private func accept(_ child: any Channel) -> ConnectionRecord {
        state.withLock { state in
            let record = ConnectionRecord(number: state.records.count)
            state.records.append(record)
            state.children.append(child)
            if state.stopped { child.close(promise: nil) }
            return record
        }
    }

    /// Closes the listener and every connection.
    func stop() async {
        stopNow()
        try? await channel.closeFuture.get()
    }

    private func stopNow() {
        let children = state.withLock { state in
            state.stopped = true
            state.lifetime?.cancel()
            state.lifetime = nil
            return state.children
        }
        channel.close(promise: nil)
        for child in children { child.close(promise: nil) }
    }

    /// A client configuration for this server: the account, 127.0.0.1 and the port, trusting the
    /// test CA for `xmpp.test`, no reconnecting, and the given timeouts.
    func clientConfiguration(pki: TLSTestPKI, connectTimeout: Duration = .seconds(5), requestTimeout: Duration = .seconds(5),
                             tlsMaximumVersion: TLSVersion? = nil) throws -> XMPPClientConfiguration {
        var tls = TLSConfiguration(trust: .certificateAuthorities(file: pki.caFile), serverName: configuration.domain)
        tls.maximumVersion = tlsMaximumVersion
        return XMPPClientConfiguration(
            jid: try JID(configuration.jid), credential: .password(configuration.password), host: "127.0.0.1", port: port,
            transport: .startTLS, tls: tls, reconnect: nil, requestTimeout: requestTimeout, connectTimeout: connectTimeout)
    }
}

/// Lets the child initializer find the server it belongs to (set once, right after binding).
private final class ChildRegistry: Sendable {
    private let box = Mutex<TestXMPPServer?>(nil)
    var server: TestXMPPServer? {
        get { box.withLock { $0 } }
        set { box.withLock { $0 = newValue } }
    }
}

/// What one connection to a ``TestXMPPServer`` saw and did.
final class ConnectionRecord: Sendable, CustomStringConvertible {
    let number: Int
    private let state = Mutex(State())

    private struct State {
        var raw: [UInt8] = []
        var tlsStartOffset: Int?
        var tls: TLSSessionInfo?
        var elements: [(phase: TestXMPPServer.Phase, element: XMLElement)] = []
        var parseError: XMLStreamError?
        var floodBytesWritten = 0
        var floodFinished = false
        var closed = false
        var notes: [String] = []
    }

    init(number: Int) {
        self.number = number
    }

    /// Every byte received from the client before the server started TLS (all of them if it never
    /// did): what an eavesdropper saw.
    var bytesBeforeTLS: [UInt8] {
        state.withLock { Array($0.raw[..<($0.tlsStartOffset ?? $0.raw.count)]) }
    }
    /// Every byte received on the socket (ciphertext once TLS is up).
    var rawBytes: [UInt8] { state.withLock { $0.raw } }
    var tlsStarted: Bool { state.withLock { $0.tlsStartOffset != nil } }
    /// The server's view of the TLS session, once the handshake completed.
    var tls: TLSSessionInfo? { state.withLock { $0.tls } }
    /// Every top-level element the client sent, with the phase it arrived in.
    var elements: [(phase: TestXMPPServer.Phase, element: XMLElement)] { state.withLock { $0.elements } }
    /// Why the server stopped parsing the client's stream, if it did.
    var parseError: XMLStreamError? { state.withLock { $0.parseError } }
    /// Flood bytes the socket accepted (prefix and suffix included).
    var floodBytesWritten: Int { state.withLock { $0.floodBytesWritten } }
    /// Whether the whole flood was written.
    var floodFinished: Bool { state.withLock { $0.floodFinished } }
    var isClosed: Bool { state.withLock { $0.closed } }
    /// What the server did, in order, for failure messages.
    var notes: [String] { state.withLock { $0.notes } }

    var description: String {
        state.withLock { "connection \(number): \($0.notes.joined(separator: "; "))" }
    }

    func received(_ buffer: ByteBuffer) { state.withLock { $0.raw += buffer.readableBytesView } }
    func markTLSStart() { state.withLock { $0.tlsStartOffset = $0.raw.count } }
    func tlsEstablished(_ info: TLSSessionInfo) { state.withLock { $0.tls = info } }
    func received(_ element: XMLElement, in phase: TestXMPPServer.Phase) { state.withLock { $0.elements.append((phase, element)) } }
    func parseFailed(_ error: XMLStreamError) { state.withLock { $0.parseError = $0.parseError ?? error } }
    func wroteFlood(_ bytes: Int) { state.withLock { $0.floodBytesWritten += bytes } }
    func finishedFlood() { state.withLock { $0.floodFinished = true } }
    func closed() { state.withLock { $0.closed = true } }
    func note(_ text: String) { state.withLock { $0.notes.append(text) } }
}

/// First in the pipeline: records every byte as it came off the socket.
final class TestXMPPServerRecorder: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let record: ConnectionRecord

    init(_ record: ConnectionRecord) { self.record = record }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        record.received(unwrapInboundIn(data))
        context.fireChannelRead(data)
    }
}
