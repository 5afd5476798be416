import Logging
import XMPPCore
import XMPPXML

/// Negotiates a client stream (RFC 6120 §4.3): STARTTLS (§5), SASL (§6), optional compression
/// (XEP-0138), resource binding (§7), restarting the stream where the RFC says to.
///
/// It reads inbound frames from the iterator it is given and writes through the connection, so a
/// test can drive it with a scripted server exactly as a socket would.
struct StreamNegotiator<Inbound: AsyncIteratorProtocol> where Inbound.Element == XMPPInboundFrame {
    let configuration: XMPPClientConfiguration
    let connection: any XMPPConnection
    var inbound: Inbound
    var compression: Bool
    /// XEP-0198: enable stream management after binding.
    var streamManagement: Bool
    /// XEP-0198 §5: the session to resume instead of binding, with the JID it was bound to.
    var resumption: (id: String, handled: UInt32, jid: JID)?

    private var tls: TLSSessionInfo?
    private var streamID: String?

    init(configuration: XMPPClientConfiguration, connection: any XMPPConnection, inbound: Inbound,
         resumption: (id: String, handled: UInt32, jid: JID)? = nil) {
        self.configuration = configuration
        self.connection = connection
        self.inbound = inbound
        self.compression = configuration.compression
        self.streamManagement = configuration.streamManagement
        self.resumption = resumption
    }

    var logger: Logger { configuration.logger }

    mutating func negotiate() async throws -> NegotiatedSession {
        var features = try await openStream()
        var authentication: SASLOutcome?
        var compressionMethod: String?
        while true {
            if tls == nil {
                if configuration.transport == .startTLS, features.startTLS.offered {
                    try await startTLS()
                    features = try await openStream()
                    continue
                }
                if !configuration.allowPlaintext && !isWebSocketTLS {
                    throw XMPPClientError(.tlsRequired)
                }
            }
            if case .unauthenticated = configuration.credential {
                // XEP-0077 §3: register on the stream as it is after TLS; nothing is bound.
                return NegotiatedSession(boundJID: try serverDomainJID(), streamID: streamID, mechanism: nil, channelBinding: nil,
                                         tls: tls, compression: nil, features: features, scramCredentials: nil, saslPin: nil)
            }
            if authentication == nil {
                authentication = try await authenticate(features: features)
                features = try await openStream()
                continue
            }
            if compression, compressionMethod == nil, !isWebSocket, features.compressionMethods.contains("zlib") {
                try await startCompression()
                compressionMethod = "zlib"
                features = try await openStream()
                continue
            }
            guard features.bind, let authentication else {
                throw XMPPClientError(.protocolViolation("the server offers no resource binding after authentication (RFC 6120 §7.4)"))
            }
            var session = NegotiatedSession(boundJID: configuration.jid, streamID: streamID, mechanism: authentication.mechanism,
                                            channelBinding: authentication.channelBinding, tls: tls, compression: compressionMethod,
                                            features: features, scramCredentials: authentication.credentials, saslPin: authentication.pin)
            if let resumption, features.streamManagement,
               let handled = try await resume(previousID: resumption.id, handled: resumption.handled) {
                session.boundJID = resumption.jid
                session.streamManagement = .resumed(serverHandled: handled)
                return session
            }
            session.boundJID = try await bind()
            if streamManagement, features.streamManagement, let state = try await enableStreamManagement() {
                session.streamManagement = .enabled(state)
            }
            return session
        }
    }

    /// XEP-0138 is for TCP; WebSocket has its own compression (RFC 7692), not used here.
    var isWebSocket: Bool {
        if case .webSocket = configuration.transport { return true }
        return false
    }

    /// A `wss://` WebSocket is encrypted below XMPP; RFC 7395 §3.9 leaves STARTTLS out.
    var isWebSocketTLS: Bool {
        if case .webSocket(let url) = configuration.transport { return url.lowercased().hasPrefix("wss://") }
        return false
    }

    // MARK: - Stream

    /// Sends a stream header (RFC 6120 §4.2) and reads the server's header and features.
    private mutating func openStream() async throws -> StreamFeatures {
        let header = XMLStreamHeader(contentNamespace: XMPPNamespace.client, attributes: [
            XMLAttribute("to", value: configuration.jid.domainpart),
            XMLAttribute("from", value: configuration.jid.bare.description),
            XMLAttribute("version", value: "1.0"),
            .lang("en"),
        ].filter { !(tls == nil && $0.name == "from") })  // §4.7.1: no 'from' before the stream is protected
        if logger.logLevel <= .trace { logger.trace("send", metadata: ["xmpp.stanza": "\(StanzaLog.describe(header))"]) }
        try await sendExplainingFailure(.streamHeader(header))
        while true {
            switch try await next() {
            case .streamOpened(let serverHeader):
                guard serverHeader.contentNamespace == XMPPNamespace.client else {
                    throw XMPPClientError(.protocolViolation("the server's stream has content namespace \(serverHeader.contentNamespace ?? "none"), not jabber:client (RFC 6120 §4.8.2)"))
                }
                guard let version = serverHeader.version, version.hasPrefix("1.") else {
                    throw XMPPClientError(.protocolViolation("the server's stream version is \(serverHeader.version ?? "missing"), not 1.x (RFC 6120 §4.7.5)"))
                }
                streamID = serverHeader.id
            case .element(let element) where element.name == "features" && element.namespace == XMPPNamespace.streams:
                return StreamFeatures(element: element)
            case .element(let element):
                throw XMPPClientError(.protocolViolation("expected stream features, got <\(element.name) xmlns='\(element.namespace)'/>"))
            case .streamClosed:
                throw XMPPClientError(.closed)
            }
        }
    }

    /// The next stream event; TLS news is recorded, stream errors thrown.
    mutating func next() async throws -> XMLStreamEvent {
        while true {
            guard let frame = try await inbound.next() else { throw XMPPClientError(.closed) }
            switch frame {
            case .tlsEstablished(let info):
                tls = info
                logger.debug("TLS established", metadata: ["xmpp.tls.version": "\(info.versionString)", "xmpp.tls.cipher": "\(info.cipherSuite)"])
            case .malformedInput(let error):
                try? await connection.send(.element(StreamError(error).element))  // RFC 6120 §4.9.1.2
                throw XMPPClientError(.malformedInput(error))
            case .event(.element(let element)) where element.name == "error" && element.namespace == XMPPNamespace.streams:
                throw XMPPClientError(.stream(StreamError(element: element)))
            case .event(let event):
                if logger.logLevel <= .trace { logger.trace("recv", metadata: ["xmpp.stanza": "\(StanzaLog.redacted(event))"]) }
                return event
            }
        }
    }

    /// Sends an element, logging it at trace with secrets redacted.
    mutating func send(_ element: XMLElement) async throws {
        if logger.logLevel <= .trace { logger.trace("send", metadata: ["xmpp.stanza": "\(StanzaLog.redacted(element))"]) }
        try await sendExplainingFailure(.element(element))
    }

    /// Sends a frame; when the write fails because the connection already died (a TLS handshake
    /// refusing the certificate closes it at once), reports why it died — the inbound side holds that
    /// error — rather than the write's "I/O on closed channel".
    private mutating func sendExplainingFailure(_ frame: XMPPOutboundFrame) async throws {
        do {
            try await connection.send(frame)
        } catch let writeError {
            do {
                while let frame = try await inbound.next() {
                    if case .malformedInput(let error) = frame { throw XMPPClientError(.malformedInput(error)) }
                }
            } catch let error as XMPPClientError {
                throw error
            } catch let error as TLSError {
                throw XMPPClientError(.tls(error))
            } catch let error as XMLStreamError {
                throw XMPPClientError(.malformedInput(error))
            }
            throw writeError
        }
    }

    /// The next top-level element, which must be in `namespace`.
    mutating func nextElement(in namespace: String, during step: String) async throws -> XMLElement {
        let event = try await next()
        guard case .element(let element) = event else {
            throw XMPPClientError(.protocolViolation("the stream \(event == .streamClosed ? "closed" : "restarted") during \(step)"))
        }
        guard element.namespace == namespace else {
            throw XMPPClientError(.protocolViolation("unexpected <\(element.name) xmlns='\(element.namespace)'/> during \(step)"))
        }
        return element
    }

    // MARK: - STARTTLS (RFC 6120 §5.4)

    private mutating func startTLS() async throws {
        try await send(XMLElement("starttls", namespace: XMPPNamespace.tls))
        let answer = try await nextElement(in: XMPPNamespace.tls, during: "STARTTLS")
        guard answer.name == "proceed" else {
            throw XMPPClientError(.protocolViolation("the server answered STARTTLS with <\(answer.name)/> (RFC 6120 §5.4.2.2)"))
        }
        try await connection.startTLS(configuration.tls)
        while tls == nil {
            guard let frame = try await inbound.next() else { throw XMPPClientError(.closed) }
            switch frame {
            case .tlsEstablished(let info): tls = info
            case .malformedInput(let error): throw XMPPClientError(.malformedInput(error))
            case .event: throw XMPPClientError(.protocolViolation("the server sent XML before the TLS handshake finished"))
            }
        }
    }

    // MARK: - Compression (XEP-0138 §3)

    private mutating func startCompression() async throws {
        var compress = XMLElement("compress", namespace: XMPPNamespace.compression)
        compress.append(XMLElement("method", namespace: XMPPNamespace.compression, text: "zlib"))
        try await send(compress)
        let answer = try await nextElement(in: XMPPNamespace.compression, during: "compression")
        guard answer.name == "compressed" else {
            throw XMPPClientError(.protocolViolation("the server refused compression: \(answer.elements.first?.name ?? answer.name)"))
        }
        try await connection.startCompression()
    }

    // MARK: - Binding (RFC 6120 §7)

    private mutating func bind() async throws -> JID {
        var bind = XMLElement("bind", namespace: XMPPNamespace.bind)
        if let resource = configuration.jid.resourcepart {
            bind.append(XMLElement("resource", namespace: XMPPNamespace.bind, text: resource))
        }
        let request = IQ(.set, payload: bind)
        try await send(request.element)
        let element = try await nextElement(in: XMPPNamespace.client, during: "resource binding")
        let reply: IQ
        do { reply = try IQ(element: element) } catch {
            throw XMPPClientError(.protocolViolation("malformed binding reply: \(error)"))
        }
        guard reply.id == request.id else {
            throw XMPPClientError(.protocolViolation("binding reply has id \(reply.id ?? "none"), not \(request.id ?? "")"))
        }
        if reply.kind == .error {
            throw XMPPClientError(.bind(reply.error ?? StanzaError(.undefinedCondition)))
        }
        guard let text = reply.payload?.childText("jid", namespace: XMPPNamespace.bind), let jid = try? JID(text.trimmingWhitespace),
              jid.isFull else {
            throw XMPPClientError(.protocolViolation("the binding result carries no full JID (RFC 6120 §7.6.1)"))
        }
        guard jid.bare == configuration.jid.bare || isAnonymous else {
            throw XMPPClientError(.protocolViolation("the server bound \(jid), which is not our account \(configuration.jid.bare)"))
        }
        return jid
    }

    private func serverDomainJID() throws -> JID {
        do { return try JID(domainpart: configuration.jid.domainpart) } catch {
            throw XMPPClientError(.protocolViolation("\(error)"))
        }
    }

    private var isAnonymous: Bool {
        if case .anonymous = configuration.credential { return true }
        return false
    }

    var tlsSession: TLSSessionInfo? { tls }
}
