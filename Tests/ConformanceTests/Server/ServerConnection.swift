import Foundation
import NIOCore
import XMPPClient
import XMPPCore
import XMPPXML

/// One TCP connection of a ``ConformanceTestServer``: the RFC 6120 stream state machine (header,
/// features, errors, close; STARTTLS, SASL, binding), then the bound session's stanzas, stream
/// management (XEP-0198), CSI (XEP-0352) and compression (XEP-0138). Lives on its channel's
/// event loop; other sessions reach it through a ``SessionHandle``.
final class ServerConnection: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    enum Phase {
        case plaintext
        /// Over TLS, before SASL.
        case secured
        /// After SASL success, before binding.
        case authenticated
        case bound
    }

    /// How long a dropped session waits for resumption (XEP-0198 §5 `max`).
    static let resumptionTimeout = TimeAmount.seconds(30)

    let options: ServerOptions
    let directory: ServerDirectory
    let connectionID: Int
    var context: ChannelHandlerContext?
    private let parser = XMLStreamParser()
    var phase = Phase.plaintext
    var tls: TLSSessionInfo?
    var compressed = false
    /// The SASL exchange under way (ServerSASL.swift).
    var sasl: SASLExchange?
    /// The authenticated account.
    var user: String?
    /// The bound full JID.
    var jid: JID?
    var streamManagement: StreamManagementState?
    /// SASL attempts on this stream.
    var saslAttempts = 0
    var resumable = false
    private var headerSent = false
    private var streamID = ""
    private var plaintextStreamID: String?
    private var closing = false
    /// The client closed its stream: no resumption.
    private var closedCleanly = false
    /// Elements that came with `<starttls/>` (kept only by the injection misbehaviour).
    private var injected: [XMLElement] = []

    init(options: ServerOptions, directory: ServerDirectory, connectionID: Int) {
        self.options = options
        self.directory = directory
        self.connectionID = connectionID
    }

    func breaks(_ id: String) -> Bool { options.breaks(id) }

    // MARK: - Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        closing = true
        endSession()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        closing = true
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted(let info)? = event as? TLSEvent {
            tls = info
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        var bytes = Array(unwrapInboundIn(data).readableBytesView)
        bytes = RestrictedXMLFilter.apply(to: bytes, options: options)
        if breaks("rfc6120-whitespace-keepalive"), phase == .bound, let first = bytes.first, [0x20, 0x09, 0x0A, 0x0D].contains(first) {
            streamError("bad-format", text: "whitespace")
            return
        }
        let events: [XMLStreamEvent]
        do {
            events = try parser.feed(bytes)
        } catch {
            malformed(error)
            return
        }
        for (index, event) in events.enumerated() {
            guard !closing else { return }
            if handle(event) {
                // The stream restarted: what came with the element belongs to the old stream and
                // is dropped (§5.4.3.3: bytes before TLS never count after it).
                if case .element(let element) = event, element.name == "starttls", breaks("rfc6120-tls-injection") {
                    injected = events[(index + 1)...].compactMap { if case .element(let element) = $0 { element } else { nil } }
                }
                return
            }
        }
    }

    /// Handles one event; true when it restarted the stream.
    private func handle(_ event: XMLStreamEvent) -> Bool {
        switch event {
        case .streamOpened(let header):
            streamOpened(header)
            return false
        case .streamClosed:
            closedCleanly = true
            if breaks("rfc6120-stream-close-reply") {
                close()
            } else {
                write("</stream:stream>")
                close()
            }
            return false
        case .element(let element):
            return handle(element)
        }
    }

    /// The parser refused the client's bytes (RFC 6120 §4.9.3, §11).
    private func malformed(_ error: XMLStreamError) {
        switch error.condition {
        case .invalidNamespace:
            // The misbehaviour refuses with the wrong condition.
            streamError(breaks("rfc6120-stream-error-invalid-namespace") ? "bad-namespace-prefix" : "invalid-namespace",
                        withHeader: !breaks("rfc6120-stream-error-header-first"))
        case .notWellFormed:
            if breaks("rfc6120-stream-error-not-well-formed") {
                close()
                return
            }
            streamError("not-well-formed")
        default:
            streamError(error.condition.rawValue)
        }
    }

    // MARK: - Stream (RFC 6120 §4)

    /// After `<proceed/>`, `<success/>` or `<compressed/>` the client opens a new stream (§4.3.3).
    func restartStream() {
        parser.reset()
        headerSent = false
    }

    private func streamOpened(_ header: XMLStreamHeader) {
        headerSent = false
        if header.contentNamespace != XMPPNamespace.client, !breaks("rfc6120-stream-error-content-namespace") {
            streamError("invalid-namespace")
            return
        }
        if header.to != options.domain {
            // The misbehaviour refuses with the wrong condition.
            streamError(breaks("rfc6120-stream-error-host-unknown") ? "improper-addressing" : "host-unknown")
            return
        }
        sendHeader(version: breaks("rfc6120-stream-version") ? (header.version ?? "1.0") : "1.0")
        if !injected.isEmpty {
            // The injection misbehaviour: the plaintext that came with <starttls/> is answered now.
            let elements = injected
            injected = []
            for element in elements where element.name == "iq" {
                write(ServerStanza.result(element))
            }
        }
        sendFeatures()
    }

    private func sendHeader(version: String) {
        if breaks("rfc6120-stream-header-id") {
            // The same id for every stream of this phase, whatever the connection.
            streamID = "conformance-fixed-id-\(phase)"
        } else if phase == .secured, breaks("rfc6120-stream-id-after-tls"), let previous = plaintextStreamID {
            streamID = previous
        } else {
            streamID = StanzaID.make()
        }
        if phase == .plaintext { plaintextStreamID = streamID }
        let content = breaks("rfc6120-stream-header-reply") ? XMPPNamespace.server : XMPPNamespace.client
        let from = breaks("rfc6120-stream-header-from") ? "other.test" : options.domain
        write("<?xml version='1.0'?><stream:stream xmlns='\(content)' xmlns:stream='\(XMPPNamespace.streams)' "
              + "id='\(streamID)' from='\(from)' version='\(Self.escape(version))' xml:lang='en'>")
        headerSent = true
    }

    private func sendFeatures() {
        guard !breaks("rfc6120-stream-features") else { return }
        var body = ""
        let caps = DirectoryState.capsElement(options: options)
        let register = "<register xmlns='http://jabber.org/features/iq-register'/>"
        switch phase {
        case .plaintext:
            if !breaks("rfc6120-tls-offered") {
                body += "<starttls xmlns='\(XMPPNamespace.tls)'><required/></starttls>"
            }
            if breaks("rfc4616-plain-cleartext") {
                body += "<mechanisms xmlns='\(XMPPNamespace.sasl)'><mechanism>PLAIN</mechanism></mechanisms>"
            }
            body += register + caps
        case .secured:
            if breaks("rfc6120-tls-no-reoffer") { body += "<starttls xmlns='\(XMPPNamespace.tls)'/>" }
            body += mechanismsElement()
            body += "<sasl-channel-binding xmlns='\(XMPPNamespace.channelBindingTypes)'>"
            if !breaks("xep0440-channel-binding-types") {
                body += offeredBindings.map { "<channel-binding type='\($0.rawValue)'/>" }.joined()
            }
            body += "</sasl-channel-binding>"
            body += register + caps
        case .authenticated, .bound:
            if breaks("rfc6120-sasl-no-reoffer") { body += mechanismsElement() }
            body += "<bind xmlns='\(XMPPNamespace.bind)'/>"
            body += "<session xmlns='\(XMPPNamespace.session)'><optional/></session>"
            body += "<sm xmlns='\(XMPPNamespace.streamManagement)'/>"
            body += "<csi xmlns='\(XMPPNamespace.clientStateIndication)'/>"
            body += "<ver xmlns='urn:xmpp:features:rosterver'/>"
            if !compressed {
                body += "<compression xmlns='\(XMPPNamespace.compressionFeature)'><method>zlib</method></compression>"
            }
            body += caps
        }
        write("<stream:features>\(body)</stream:features>")
    }

    /// Sends a stream error and closes the stream (§4.9.1.1); our header first if not yet sent (§4.9.1.2).
    func streamError(_ condition: String, withHeader: Bool = true, text: String? = nil) {
        guard !closing else { return }
        if withHeader, !headerSent { sendHeader(version: "1.0") }
        var body = "<\(condition) xmlns='\(XMPPNamespace.streamErrors)'/>"
        if breaks("rfc6120-stream-error-format") {
            // §4.9.4 allows one application-specific condition, not two.
            body += "<first xmlns='urn:xmppkit:conformance:server'/><second xmlns='urn:xmppkit:conformance:server'/>"
        }
        if let text { body += "<text xmlns='\(XMPPNamespace.streamErrors)'>\(Self.escape(text))</text>" }
        let close = breaks("rfc6120-stream-error-then-close") ? "" : "</stream:stream>"
        let declaration = headerSent ? "" : " xmlns:stream='\(XMPPNamespace.streams)'"
        write("<stream:error\(declaration)>\(body)</stream:error>\(close)")
        self.close()
    }

    /// Closes the TCP connection once everything written has gone out.
    func close() {
        guard let context else { return }
        closing = true
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(capacity: 0))).whenComplete { _ in
            channel.close(promise: nil)
        }
    }

    /// The session moved to another connection (XEP-0198 §5).
    func closeAfterTakeover() {
        jid = nil
        user = nil
        closing = true
        context?.close(promise: nil)
    }

    // MARK: - Elements

    /// One top-level element; true when it restarted the stream.
    private func handle(_ element: XMLElement) -> Bool {
        switch (element.name, element.namespace) {
        case ("starttls", XMPPNamespace.tls):
            return startTLS()
        case ("auth", XMPPNamespace.sasl):
            return auth(element)
        case ("response", XMPPNamespace.sasl):
            return response(element)
        case ("abort", XMPPNamespace.sasl):
            abort()
            return false
        case ("compress", XMPPNamespace.compression):
            return compress(element)
        case (_, XMPPNamespace.streamManagement):
            handleStreamManagement(element)
            return false
        case ("active", XMPPNamespace.clientStateIndication), ("inactive", XMPPNamespace.clientStateIndication):
            guard phase == .bound else { streamError("not-authorized"); return false }
            if element.name == "inactive", breaks("xep0352-csi") { streamError("undefined-condition") }
            return false
        default:
            break
        }
        guard ServerStanza.isStanza(element) else {
            // §4.9.3.23: a first-level element we do not know.
            if breaks("rfc6120-stream-error-unsupported-stanza-type") { return false }
            streamError(phase == .bound ? "unsupported-stanza-type" : "not-authorized")
            return false
        }
        switch phase {
        case .plaintext, .secured:
            stanzaBeforeAuthentication(element)
        case .authenticated:
            stanzaBeforeBinding(element)
        case .bound:
            streamManagement?.received()
            routeStanza(element)
        }
        return false
    }

    /// §6.4 / §4.9.3.12: nothing but registration (XEP-0077, over TLS) before SASL.
    private func stanzaBeforeAuthentication(_ element: XMLElement) {
        if phase == .secured, element.name == "iq", element.child("query", namespace: DirectoryState.register) != nil {
            write(directory.update { state in (state.handleUnauthenticatedRegistration(element), []) })
            return
        }
        if breaks("rfc6120-stanza-before-auth") {
            // Route it as if the stream were authenticated.
            if element.name == "iq" { write(ServerStanza.result(element)) }
            if element.name == "message", case .jid(let to) = ServerStanza.address(element.attribute("to")) {
                directory.update { state in
                    guard let local = state.localUser(to) else { return ((), []) }
                    return ((), state.deliveries(element, to: local) { to.resourcepart == nil || $0.resource == to.resourcepart })
                }
            }
            return
        }
        streamError("not-authorized")
    }

    /// §7: binding (and the legacy session IQ) before anything else.
    private func stanzaBeforeBinding(_ element: XMLElement) {
        guard element.name == "iq", let bind = element.child("bind", namespace: XMPPNamespace.bind),
              element.attribute("type") == "set", let user, let context else {
            if element.name == "iq", element.child("session", namespace: XMPPNamespace.session) != nil {
                write(ServerStanza.result(element))
                return
            }
            streamError("not-authorized")
            return
        }
        let requested = bind.childText("resource", namespace: XMPPNamespace.bind)?.trimmingWhitespace
        let handle = SessionHandle(connectionID: connectionID, channel: context.channel, connection: self)
        let bound = directory.update { state in (state.bind(user: user, requested: requested, handle: handle), []) }
        switch bound {
        case .failure(.notAuthorized):
            write(ServerStanza.error(element, "not-authorized"))
        case .failure(.resourceConstraint):
            write(ServerStanza.error(element, "resource-constraint"))
        case .success(let resource):
            guard let full = try? JID(localpart: user, domainpart: options.domain, resourcepart: resource) else {
                write(ServerStanza.error(element, "internal-server-error"))
                return
            }
            jid = full
            phase = .bound
            var answer = XMLElement("bind", namespace: XMPPNamespace.bind)
            let shown = breaks("rfc6120-bind-generated") && (requested ?? "").isEmpty ? full.bareString : full.description
            answer.append(XMLElement("jid", namespace: XMPPNamespace.bind, text: shown))
            write(ServerStanza.result(element, answer))
        }
    }

    private func routeStanza(_ element: XMLElement) {
        guard let jid else { return }
        switch element.name {
        case "message": directory.update { state in ((), state.routeMessage(element, from: jid)) }
        case "presence": directory.update { state in ((), state.routePresence(element, from: jid)) }
        default: directory.update { state in ((), state.routeIQ(element, from: jid)) }
        }
    }

    /// A stanza from another session (or the server) for this one.
    func deliver(_ stanza: XMLElement) {
        guard !closing, phase == .bound else { return }
        streamManagement?.sent(stanza)
        write(stanza)
    }

    private func endSession() {
        guard let user, jid != nil else { return }
        let connectionID = self.connectionID
        if resumable, !closedCleanly, let id = streamManagement?.id, let context {
            // XEP-0198 §5: keep the session for resumption, for a while.
            directory.update { state in
                state.detach(user: user, connectionID: connectionID)
                return ((), [])
            }
            let directory = self.directory
            context.eventLoop.scheduleTask(in: Self.resumptionTimeout) {
                directory.update { state in ((), state.expire(id: id)) }
            }
            return
        }
        directory.update { state in ((), state.endSession(user: user, connectionID: connectionID)) }
    }

    // MARK: - Writing

    func write(_ element: XMLElement) {
        guard let bytes = try? element.serialized(inheritedNamespace: XMPPNamespace.client) else { return }
        write(ByteBuffer(bytes: bytes))
    }

    func write(_ text: String) {
        write(ByteBuffer(string: text))
    }

    private func write(_ buffer: ByteBuffer) {
        guard let context, context.channel.isActive else { return }
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }

    /// `text` escaped for an attribute or text node.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: "'", with: "&apos;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
