import XMPPCore

/// What stream negotiation settled (RFC 6120 §4.3): the facts `xmppkit connect --json` prints.
public struct NegotiatedSession: Sendable {
    /// The full JID bound (RFC 6120 §7); on an unauthenticated stream, the server's domain.
    public var boundJID: JID
    public var streamID: String?
    /// The SASL mechanism used; nil on an unauthenticated stream (XEP-0077 §3).
    public var mechanism: SASLMechanismName?
    public var channelBinding: ChannelBindingType?
    public var tls: TLSSessionInfo?
    public var compression: String?
    /// The features offered after authentication (binding, stream management, CSI…).
    public var features: StreamFeatures
    /// SCRAM credentials derived during login, for logging in later without the password.
    public var scramCredentials: SCRAMCredentials?
    /// The account's updated SASL pin.
    public var saslPin: SASLPin?
    /// XEP-0198: enabled, resumed, or not in use.
    public var streamManagement: StreamManagementOutcome = .unavailable

    /// False for a stream left unauthenticated for in-band registration (XEP-0077 §3).
    public var isAuthenticated: Bool { mechanism != nil }

    /// Whether this connection resumed an earlier session (XEP-0198 §5) instead of starting one.
    public var isResumed: Bool {
        if case .resumed = streamManagement { return true }
        return false
    }
}
