/// What an account accepts in SASL negotiation (RFC 6120 §6.3.3: the client chooses the
/// mechanism). The defaults are safe: SCRAM only, channel binding whenever the server offers it,
/// no PLAIN.
///
/// Nothing here ever falls back silently: when the offer does not meet the policy, selection
/// throws (``SASLMechanismSelector``).
public struct SASLPolicy: Sendable, Codable, Hashable {
    /// The weakest mechanism accepted, in the strength order of ``SASLMechanismName/known``.
    /// Default SCRAM-SHA-1. Does not govern ANONYMOUS (used only when the caller asks for an
    /// anonymous login) nor PLAIN (see ``allowPlain``). Channel binding ranks above the hash, so
    /// a minimum of SCRAM-SHA-256 still admits SCRAM-SHA-1-PLUS; to exclude a hash outright,
    /// leave its mechanisms out of ``preferredOrder``.
    public var minimumMechanism: SASLMechanismName

    /// Whether PLAIN (RFC 4616) may be used when no acceptable SCRAM mechanism is offered.
    /// Default false. Setting it admits PLAIN although it sits below every SCRAM minimum, but
    /// never over an unencrypted stream, whatever this says.
    public var allowPlain: Bool

    /// Whether a `-PLUS` mechanism must be used when the server offers one (RFC 5802 §6 says a
    /// client that supports channel binding MUST then use it). Default true; if TLS then gives no
    /// usable binding type, selection fails with ``SASLError/channelBindingUnavailable``.
    public var requireChannelBindingWhenOffered: Bool

    /// The mechanisms in the order tried, most preferred first; mechanisms absent from the list
    /// are never used. Default: ``SASLMechanismName/known``, strongest first.
    public var preferredOrder: [SASLMechanismName]

    /// The SCRAM iteration counts accepted from a server (`i=`, RFC 5802 §5.1). Default
    /// ``SCRAMMechanism/defaultIterationCounts`` (4096...1,000,000).
    public var scramIterationCounts: ClosedRange<Int>

    /// The channel-binding type to use when the server offers `-PLUS` but no XEP-0440 list,
    /// instead of the RFC default (tls-exporter on TLS 1.3, tls-unique on TLS 1.2; see
    /// ``SASLMechanismSelector``). Default nil: the RFC default. For a server known to bind
    /// differently (e.g. one that offers only tls-unique even on TLS 1.3).
    public var channelBindingWhenUnadvertised: ChannelBindingType?

    public init(
        minimumMechanism: SASLMechanismName = .scramSHA1,
        allowPlain: Bool = false,
        requireChannelBindingWhenOffered: Bool = true,
        preferredOrder: [SASLMechanismName] = SASLMechanismName.known.reversed(),
        scramIterationCounts: ClosedRange<Int> = SCRAMMechanism.defaultIterationCounts,
        channelBindingWhenUnadvertised: ChannelBindingType? = nil
    ) {
        self.minimumMechanism = minimumMechanism
        self.allowPlain = allowPlain
        self.requireChannelBindingWhenOffered = requireChannelBindingWhenOffered
        self.preferredOrder = preferredOrder
        self.scramIterationCounts = scramIterationCounts
        self.channelBindingWhenUnadvertised = channelBindingWhenUnadvertised
    }
}
