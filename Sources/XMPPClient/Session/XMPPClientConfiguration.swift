import Logging
import XMPPCore
import XMPPXML

/// Everything an ``XMPPClient`` needs to connect. Defaults are the safe choices: STARTTLS required,
/// certificates verified against the system store, SCRAM only.
public struct XMPPClientConfiguration: Sendable {
    /// How the bytes travel.
    public enum Transport: Sendable, Hashable {
        /// TCP, upgraded with STARTTLS (RFC 6120 §5).
        case startTLS
        /// TLS from the first byte (XEP-0368).
        case directTLS
        /// RFC 7395: XMPP over WebSocket at `url` (`ws://` or `wss://`).
        case webSocket(url: String)
    }

    /// The account; with a resource, that resource is requested when binding (RFC 6120 §7.6).
    public var jid: JID
    /// A password, cached SCRAM credentials (RFC 5802 §5.1), or ANONYMOUS (RFC 4505).
    public var credential: SASLCredentials
    /// Where to connect; `nil` means DNS SRV for the JID's domain (RFC 6120 §3.2), else the domain itself.
    public var host: String?
    /// How SRV lookups are made when no host is given.
    public var resolver: SRVResolver = SRVResolver()
    /// The port; `nil` means 5222 for STARTTLS and 5223 for direct TLS.
    public var port: Int?
    public var transport: Transport
    public var tls: TLSConfiguration
    /// Allow a plaintext stream when the server offers no STARTTLS. Off by default: RFC 6120 §13.7.1.
    public var allowPlaintext: Bool
    public var sasl: SASLPolicy
    /// The account's SASL pin (the strongest mechanism and binding seen before); updated after login.
    public var saslPin: SASLPin?
    /// Use this mechanism or fail (never falls back).
    public var preferredMechanism: SASLMechanismName?
    /// XEP-0198: enable stream management (acks, and resumption after a drop) when offered.
    public var streamManagement: Bool
    /// XEP-0138: compress the stream with zlib when the server offers it.
    public var compression: Bool
    /// Reconnect after a connection that was established drops; nil never reconnects.
    public var reconnect: ReconnectPolicy?
    public var parserLimits: XMLParserLimits
    /// How long an IQ may wait for its answer.
    public var requestTimeout: Duration
    /// How many unread stanzas ``XMPPClient/stanzas`` keeps (the newest); nil keeps all. An app
    /// that works through modules only and never reads `stanzas` sets a small number, so nothing
    /// piles up there.
    public var stanzaBufferLimit: Int? = nil
    /// How long connecting and negotiating may take.
    public var connectTimeout: Duration
    public var logger: Logger

    public init(jid: JID, credential: SASLCredentials, host: String? = nil, port: Int? = nil, transport: Transport = .startTLS,
                tls: TLSConfiguration? = nil, allowPlaintext: Bool = false, sasl: SASLPolicy = SASLPolicy(),
                saslPin: SASLPin? = nil, preferredMechanism: SASLMechanismName? = nil,
                streamManagement: Bool = true, compression: Bool = false, reconnect: ReconnectPolicy? = ReconnectPolicy(),
                parserLimits: XMLParserLimits = XMLParserLimits(), requestTimeout: Duration = .seconds(30),
                connectTimeout: Duration = .seconds(30), logger: Logger = Logger(label: "xmppkit.client")) {
        self.jid = jid
        self.credential = credential
        self.host = host
        self.port = port
        self.transport = transport
        self.tls = tls ?? TLSConfiguration(serverName: jid.domainpart)
        self.allowPlaintext = allowPlaintext
        self.sasl = sasl
        self.saslPin = saslPin
        self.preferredMechanism = preferredMechanism
        self.streamManagement = streamManagement
        self.compression = compression
        self.reconnect = reconnect
        self.parserLimits = parserLimits
        self.requestTimeout = requestTimeout
        self.connectTimeout = connectTimeout
        self.logger = logger
    }

    var effectivePort: Int {
        if let port { return port }
        return transport == .directTLS ? 5223 : 5222
    }

    var effectiveHost: String { host ?? jid.domainpart }
}
