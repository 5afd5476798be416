import XMPPClient
import XMPPCore
import XMPPXML

/// The negotiation steps of RFC 6120 on a probe, each throwing ``CheckSetupError`` when the
/// server does not get the probe through it: a check that builds on a step reports `error`, and
/// only the check testing that step itself reports `fail`.
extension StreamProbe {
    /// What the server answered to a stream header: its header and the features after it.
    public struct Opening: Sendable {
        public var header: XMLStreamHeader
        public var features: StreamFeatures
        /// The TLS session under this stream, when there is one.
        public var tls: TLSSessionInfo?
    }

    /// How a SASL exchange ended (RFC 6120 §6.4.5, §6.4.6).
    public enum SASLOutcome: Sendable {
        case success(XMLElement)
        /// `<failure/>`, with its condition's name.
        case failure(XMLElement, condition: String?)
        /// `<success/>` whose additional data the mechanism refused, e.g. a wrong SCRAM server
        /// signature (RFC 5802 §5.1 `v=`).
        case unverifiedSuccess(XMLElement, reason: String)
    }

    /// The initial stream header of RFC 6120 §4.7 as a client writes it.
    /// `prolog` goes between the XML declaration and the stream element.
    public static func header(to domain: String, version: String? = "1.0", streamNamespace: String = XMPPNamespace.streams,
                              contentNamespace: String = XMPPNamespace.client, prolog: String = "") -> String {
        let version = version.map { " version='\($0)'" } ?? ""
        return "<?xml version='1.0'?>\(prolog)<stream:stream xmlns='\(contentNamespace)' xmlns:stream='\(streamNamespace)' "
            + "to='\(domain)'\(version) xml:lang='en'>"
    }

    /// Sends a header and reads the server's header.
    public func openStream(to domain: String) async throws(CheckSetupError) -> XMLStreamHeader {
        try await send(Self.header(to: domain))
        return try await expectHeader()
    }

    /// Sends a header and reads the server's header and features.
    public func open(to domain: String) async throws(CheckSetupError) -> Opening {
        let header = try await openStream(to: domain)
        return Opening(header: header, features: try await expectFeatures(), tls: nil)
    }

    /// Reads the server's stream header.
    public func expectHeader() async throws(CheckSetupError) -> XMLStreamHeader {
        let event = await next()
        guard case .header(let header)? = event else {
            throw CheckSetupError("expected the server's stream header, got \(Self.describe(event))")
        }
        return header
    }

    /// Reads `<stream:features/>`.
    public func expectFeatures() async throws(CheckSetupError) -> StreamFeatures {
        let element = try await expectElement()
        guard element.name == "features", element.namespace == XMPPNamespace.streams else {
            throw CheckSetupError("expected <stream:features/>, got \(element)")
        }
        return StreamFeatures(element: element)
    }

    /// Reads the next top-level element.
    public func expectElement(within timeout: Duration = StreamProbe.defaultTimeout) async throws(CheckSetupError) -> XMLElement {
        let event = await next(within: timeout)
        guard case .element(let element)? = event else {
            throw CheckSetupError("expected an element, got \(Self.describe(event))")
        }
        return element
    }

    /// Negotiates STARTTLS (RFC 6120 §5.4) and reopens the stream.
    @discardableResult
    public func startTLS(domain: String, tls: TLSConfiguration) async throws(CheckSetupError) -> Opening {
        try await send("<starttls xmlns='\(XMPPNamespace.tls)'/>")
        let answer = try await expectElement()
        guard answer.name == "proceed", answer.namespace == XMPPNamespace.tls else {
            throw CheckSetupError("STARTTLS refused: \(answer)")
        }
        try await startTLS(tls)
        let event = await next(within: .seconds(10))
        guard case .tlsEstablished(let info) = event else {
            throw CheckSetupError("TLS handshake failed: \(Self.describe(event))")
        }
        var opening = try await open(to: domain)
        opening.tls = info
        return opening
    }

    /// Authenticates with `mechanism` (RFC 6120 §6.4). Throws only when the exchange itself
    /// breaks down.
    public func authenticate(_ mechanism: some SASLMechanism) async throws(CheckSetupError) -> SASLOutcome {
        var mechanism = mechanism
        do {
            let initial = try mechanism.initialResponse()
            let payload = initial.map { $0.isEmpty ? "=" : Base64.encode($0) } ?? ""
            try await send("<auth xmlns='\(XMPPNamespace.sasl)' mechanism='\(mechanism.name.rawValue)'>\(payload)</auth>")
            while true {
                let answer = try await expectElement()
                guard answer.namespace == XMPPNamespace.sasl else {
                    throw CheckSetupError("unexpected answer during SASL: \(answer)")
                }
                switch answer.name {
                case "challenge":
                    guard let challenge = Base64.decode(answer.text.trimmingWhitespace) else {
                        throw CheckSetupError("the challenge is not base64: \(answer)")
                    }
                    let response = try mechanism.respond(to: challenge)
                    try await send("<response xmlns='\(XMPPNamespace.sasl)'>\(Base64.encode(response))</response>")
                case "success":
                    let text = answer.text.trimmingWhitespace
                    do {
                        try mechanism.verifySuccess(text.isEmpty ? nil : Base64.decode(text))
                    } catch {
                        return .unverifiedSuccess(answer, reason: "\(error)")
                    }
                    return .success(answer)
                case "failure":
                    return .failure(answer, condition: answer.elements.first { $0.name != "text" }?.name)
                default:
                    throw CheckSetupError("unexpected answer during SASL: \(answer)")
                }
            }
        } catch let error as CheckSetupError {
            throw error
        } catch {
            throw CheckSetupError("SASL \(mechanism.name.rawValue): \(error)")
        }
    }

    /// Authenticates with SCRAM-SHA-1 and no channel binding and reopens the stream; throws unless
    /// the server accepts.
    public func login(_ account: ConformanceAccount, domain: String) async throws(CheckSetupError) -> Opening {
        let mechanism: SCRAMMechanism
        do {
            mechanism = try SCRAMMechanism(hash: .sha1, username: account.username, secret: .password(account.password))
        } catch {
            throw CheckSetupError("SCRAM: \(error)")
        }
        guard case .success = try await authenticate(mechanism) else {
            throw CheckSetupError("authentication as \(account.jid) failed")
        }
        return try await open(to: domain)
    }

    /// Binds `resource` (or lets the server choose, RFC 6120 §7) and returns the full JID.
    public func bind(resource: String? = nil) async throws(CheckSetupError) -> JID {
        var bind = XMLElement("bind", namespace: XMPPNamespace.bind)
        if let resource { bind.append(XMLElement("resource", namespace: XMPPNamespace.bind, text: resource)) }
        let reply = try await request(IQ(.set, payload: bind).element)
        guard reply.attribute("type") == "result",
              let text = reply.child("bind", namespace: XMPPNamespace.bind)?.childText("jid", namespace: XMPPNamespace.bind),
              let jid = try? JID(text) else {
            throw CheckSetupError("resource binding failed: \(reply)")
        }
        return jid
    }

    /// Sends an IQ and returns the reply with the same id; other elements read meanwhile are
    /// skipped (they are in the transcript).
    public func request(_ iq: XMLElement, within timeout: Duration = StreamProbe.defaultTimeout) async throws(CheckSetupError) -> XMLElement {
        guard let id = iq.attribute("id") else { throw CheckSetupError("an IQ without id") }
        try await send(iq)
        guard let reply = await reply(to: id, within: timeout) else {
            throw CheckSetupError("no reply to IQ \(id) within \(timeout)")
        }
        return reply
    }

    /// Waits for the IQ answering `id`; nil when the stream ends or the time runs out first.
    public func reply(to id: String, within timeout: Duration = StreamProbe.defaultTimeout) async -> XMLElement? {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            switch await next(within: deadline - clock.now) {
            case .element(let element)? where element.name == "iq" && element.attribute("id") == id:
                return element
            case .element?, .header?, .tlsEstablished?:
                continue
            case .streamClosed?, .malformed?, .transportError?, .disconnected?, nil:
                return nil
            }
        }
        return nil
    }

    /// Collects what arrives until the server answers a ping to itself: a barrier after which
    /// anything the server was going to send in reply to earlier stanzas has been sent (RFC 6120
    /// §10.1: stanzas on one stream are processed in order). Throws when the ping gets no answer.
    public func elementsBeforeBarrier(domain: String) async throws(CheckSetupError) -> [XMLElement] {
        let id = "barrier-" + StanzaID.make()
        try await send("<iq type='get' id='\(id)' to='\(domain)'><ping xmlns='urn:xmpp:ping'/></iq>")
        var seen: [XMLElement] = []
        while true {
            let event = await next()
            switch event {
            case .element(let element)? where element.name == "iq" && element.attribute("id") == id:
                return seen
            case .element(let element)?:
                seen.append(element)
            case .header?, .tlsEstablished?:
                continue
            default:
                throw CheckSetupError("the stream ended before the barrier ping was answered: \(Self.describe(event))")
            }
        }
    }

    /// How a stream ended, as ``streamEnding(within:)`` saw it.
    public struct Ending: Sendable {
        /// The `<stream:error/>`, if one came.
        public var error: XMLElement?
        /// Whether `</stream:stream>` came.
        public var closedStream: Bool
        /// Whether a stream header came at all (a server that answers with a bare error element
        /// has not opened a stream, and nothing in it can be read as a stream error).
        public var sawHeader: Bool
        /// Whether the header came before the error (RFC 6120 §4.9.1.2).
        public var headerFirst: Bool
        /// Everything read, described, for evidence.
        public var events: [String]
    }

    /// Reads until the stream ends (or `timeout` passes).
    public func streamEnding(within timeout: Duration = StreamProbe.defaultTimeout) async -> Ending {
        var ending = Ending(error: nil, closedStream: false, sawHeader: false, headerFirst: false, events: [])
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        loop: while clock.now < deadline {
            let event = await next(within: deadline - clock.now)
            ending.events.append(Self.describe(event))
            switch event {
            case .header?:
                ending.sawHeader = true
            case .element(let element)?:
                if let streamError = ProbeEvent.element(element).streamError, ending.error == nil {
                    ending.error = streamError
                    ending.headerFirst = ending.sawHeader
                }
            case .streamClosed?:
                ending.closedStream = true
            case .tlsEstablished?:
                continue
            case .malformed?, .transportError?, .disconnected?, nil:
                break loop
            }
        }
        return ending
    }

    static func describe(_ event: ProbeEvent?) -> String {
        switch event {
        case .header?: "the stream header"
        case .element(let element)?: "\(element)"
        case .streamClosed?: "</stream:stream>"
        case .tlsEstablished?: "the end of the TLS handshake"
        case .malformed(let error)?: "malformed input (\(error))"
        case .transportError(let error)?: "a transport error (\(error))"
        case .disconnected?: "the connection closing"
        case nil: "nothing (timed out)"
        }
    }
}
