import Logging
import NIOCore
import NIOPosix
import XMPPClient
import XMPPCore
import XMPPXML

/// A raw XMPP connection for conformance checks: it writes exactly the bytes a check asks for,
/// well-formed or not, and reads the server's answers through the same parser the client uses
/// (so the server's own bytes are held to RFC 6120 §11 too).
///
/// Every write and every event read goes into the check's ``Transcript``.
public final class StreamProbe: Sendable {
    /// How long ``next(within:)`` waits by default.
    public static let defaultTimeout: Duration = .seconds(5)

    let channel: any Channel
    let label: String
    let transcript: Transcript
    private let mailbox: ProbeMailbox

    private init(channel: any Channel, mailbox: ProbeMailbox, label: String, transcript: Transcript) {
        self.channel = channel
        self.mailbox = mailbox
        self.label = label
        self.transcript = transcript
    }

    /// Opens a TCP connection (TLS from the first byte when `directTLS` is given, XEP-0368).
    static func connect(host: String, port: Int, directTLS: TLSConfiguration? = nil, label: String,
                        transcript: Transcript, timeout: Duration = .seconds(10)) async throws(CheckSetupError) -> StreamProbe {
        let mailbox = ProbeMailbox()
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(timeout.timeAmount)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let directTLS {
                            try channel.pipeline.syncOperations.addHandler(OpenSSLTLSHandler(configuration: directTLS, logger: quietLogger))
                        }
                        try channel.pipeline.syncOperations.addHandler(XMPPStreamDecoder())
                        try channel.pipeline.syncOperations.addHandler(ProbeInboundHandler(mailbox: mailbox))
                    }
                }
                .connect(host: host, port: port).get()
            transcript.record("\(label) connected to \(host):\(port)")
            return StreamProbe(channel: channel, mailbox: mailbox, label: label, transcript: transcript)
        } catch {
            throw CheckSetupError("cannot connect to \(host):\(port): \(error)")
        }
    }

    /// Writes `text` as it is, in one write.
    public func send(_ text: String) async throws(CheckSetupError) {
        transcript.record("\(label) → \(text)")
        do {
            try await channel.writeAndFlush(channel.allocator.buffer(string: text))
        } catch {
            throw CheckSetupError("\(label): write failed: \(error)")
        }
    }

    /// Writes `element` serialized (inside `jabber:client` unless it has its own namespace).
    public func send(_ element: XMLElement) async throws(CheckSetupError) {
        let text: String
        do {
            text = try element.serializedString(inheritedNamespace: XMPPNamespace.client)
        } catch {
            throw CheckSetupError("cannot serialize \(element.name): \(error)")
        }
        try await send(text)
    }

    /// The next event, or nil when nothing arrived within `timeout`.
    public func next(within timeout: Duration = StreamProbe.defaultTimeout) async -> ProbeEvent? {
        let event = await mailbox.next(within: timeout, on: channel.eventLoop)
        switch event {
        case .header(let header)?:
            let attributes = header.attributes.map { "\($0.name)='\($0.value)'" }.joined(separator: " ")
            transcript.record("\(label) ← <stream:stream xmlns='\(header.contentNamespace ?? "")' \(attributes)> (stream ns \(header.namespace))")
        case .element(let element)?: transcript.record("\(label) ← \(element)")
        case .streamClosed?: transcript.record("\(label) ← </stream:stream>")
        case .tlsEstablished(let info)?: transcript.record("\(label) ← TLS established (\(info.versionString), \(info.cipherSuite))")
        case .malformed(let error)?: transcript.record("\(label) ← malformed input: \(error)")
        case .transportError(let error)?: transcript.record("\(label) ← transport error: \(error)")
        case .disconnected?: transcript.record("\(label) ← connection closed")
        case nil: transcript.record("\(label) ← (nothing within \(timeout))")
        }
        return event
    }

    /// Puts TLS under the stream parser (after `<proceed/>`, RFC 6120 §5.4.3.3); the handshake's
    /// end arrives as ``ProbeEvent/tlsEstablished(_:)``.
    func startTLS(_ configuration: TLSConfiguration) async throws(CheckSetupError) {
        do {
            try await channel.eventLoop.submit { [channel] in
                try channel.pipeline.syncOperations.addHandler(OpenSSLTLSHandler(configuration: configuration, logger: quietLogger),
                                                               position: .first)
            }.get()
        } catch {
            throw CheckSetupError("\(label): cannot start TLS: \(error)")
        }
    }

    /// Puts zlib under the stream parser (after `<compressed/>`, XEP-0138 §3).
    func startCompression() async throws(CheckSetupError) {
        do {
            try await channel.eventLoop.submit { [channel] in
                let decoder = try channel.pipeline.syncOperations.handler(type: XMPPStreamDecoder.self)
                try channel.pipeline.syncOperations.addHandler(ZlibCompressionHandler(), position: .before(decoder))
            }.get()
        } catch {
            throw CheckSetupError("\(label): cannot start compression: \(error)")
        }
    }

    /// Whether the TCP connection is still up.
    public var isOpen: Bool { channel.isActive }

    /// Drops the TCP connection without closing the stream: the "real drop" stream management
    /// resumes from (XEP-0198 §5).
    public func drop() async {
        transcript.record("\(label) ✂ connection dropped")
        try? await channel.close()
    }

    /// Closes the connection; safe to call more than once.
    public func close() async {
        try? await channel.close()
    }
}

/// The TLS handler's logger for probes: checks that skip verification on purpose
/// (`rfc6120-tls-proceed`) must not print the warning meant for applications that do.
private let quietLogger: Logger = {
    var logger = Logger(label: "xmppkit.conform.tls")
    logger.logLevel = .critical
    return logger
}()
