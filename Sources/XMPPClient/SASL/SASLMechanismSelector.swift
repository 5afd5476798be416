/// Chooses the SASL mechanism and channel binding for a login (the client's choice of RFC 6120
/// §6.3.3) from the server's offer, the TLS session, the credentials, the account's policy and
/// its pin. It either returns a choice that meets the policy or throws: it never falls back
/// silently.
///
/// The rules, in order:
/// 1. **Pin.** If the account's ``SASLPin`` records a stronger mechanism, or a stronger XEP-0440
///    channel-binding type, than the server offers now, throw
///    ``SASLError/downgradeDetected(pinned:offered:)`` (a man in the middle stripping `-PLUS`).
/// 2. **Channel-binding type.** With a XEP-0440 list, the strongest type both in the list and
///    provided by TLS (tls-exporter > tls-server-end-point > tls-unique). Without one, the
///    **default**: the policy's ``SASLPolicy/channelBindingWhenUnadvertised`` if set and
///    provided; otherwise on TLS 1.3 `tls-exporter` (RFC 9266 §3 makes it SCRAM's default for
///    TLS 1.3), else on TLS 1.2 `tls-unique` (RFC 5802 §6's default, and the only type the Debian
///    servers, Prosody 0.12 and ejabberd 23.01, implement), in each case falling back to
///    `tls-server-end-point` (RFC 5929 §4) if that is all TLS provides. On TLS 1.2 `tls-exporter`
///    is never a default: RFC 9266 §3 allows it there only with the extended master secret,
///    which the server cannot be assumed to use. No TLS, no binding.
/// 3. **Candidates.** Offered mechanisms, in ``SASLPolicy/preferredOrder``, that the credentials
///    can drive (a password: SCRAM and PLAIN; cached credentials: SCRAM over their hash;
///    anonymous: ANONYMOUS only) and the policy accepts: at least
///    ``SASLPolicy/minimumMechanism``, PLAIN only with ``SASLPolicy/allowPlain`` and TLS, `-PLUS`
///    only with a binding type from step 2, and, when ``SASLPolicy/requireChannelBindingWhenOffered``
///    and the server offers any `-PLUS`, only `-PLUS`.
/// 4. **Forcing.** A `preferred` mechanism (the CLI's `--mechanism`) is used if it is offered and
///    a candidate; otherwise selection throws (``SASLError/mechanismNotOffered(_:)``,
///    ``SASLError/policyViolation(_:)``, ``SASLError/plainWithoutTLS``).
/// 5. **GS2 flag.** `p=type` for `-PLUS`; for plain SCRAM, `y` when the client could bind and the
///    server offered no `-PLUS` at all (RFC 5802 §6), else `n`.
public enum SASLMechanismSelector {
    /// Chooses a mechanism; see the type's documentation for the rules.
    ///
    /// - Parameters:
    ///   - offered: the `<mechanism/>` names of the stream features (RFC 6120 §6.4.1); invalid
    ///     and unknown names are ignored.
    ///   - channelBindingTypes: the types of XEP-0440's `<sasl-channel-binding/>`, nil when the
    ///     server sent none (types XMPPKit does not know are left out by the caller).
    ///   - transport: no TLS, TLS 1.2 or TLS 1.3.
    ///   - availableBindings: the binding data the TLS session provides, by type (empty without
    ///     TLS).
    ///   - credentials: what the account authenticates with.
    ///   - policy: what the account accepts.
    ///   - pin: what this account's server has offered at its best (nil for a first login or
    ///     after a reset).
    ///   - preferred: a mechanism the caller insists on; nil to choose the strongest.
    public static func select(
        offered: [String],
        channelBindingTypes: [ChannelBindingType]?,
        transport: SASLTransportSecurity,
        availableBindings: [ChannelBindingType: [UInt8]],
        credentials: SASLCredentials,
        policy: SASLPolicy = SASLPolicy(),
        pin: SASLPin? = nil,
        preferred: SASLMechanismName? = nil
    ) throws(SASLError) -> SASLSelection {
        var mechanisms: [SASLMechanismName] = []
        for name in offered {
            if let mechanism = SASLMechanismName(rawValue: name), mechanism.isKnown, !mechanisms.contains(mechanism) {
                mechanisms.append(mechanism)
            }
        }
        let bindings = transport.isEncrypted ? availableBindings.filter { !$0.value.isEmpty } : [:]

        // 1. Pin.
        let offer = SASLPin(offering: mechanisms, channelBindingTypes: channelBindingTypes)
        if let pin, pin.isWeakened(by: offer) {
            throw .downgradeDetected(pinned: pin, offered: offer)
        }

        // 2. Channel-binding type.
        let bindingType = chooseBindingType(
            advertised: channelBindingTypes, transport: transport, available: bindings, policy: policy)
        let plusOffered = mechanisms.contains(where: \.usesChannelBinding)
        let mustBind = policy.requireChannelBindingWhenOffered && plusOffered && credentials != .anonymous

        // 3. Candidates.
        func refusal(_ mechanism: SASLMechanismName, credentials: SASLCredentials) -> SASLError? {
            guard policy.preferredOrder.contains(mechanism) else {
                return .policyViolation("\(mechanism) is not in the policy's preferred order")
            }
            switch mechanism {
            case .anonymous:
                guard credentials == .anonymous else {
                    return .policyViolation("ANONYMOUS is used only for an anonymous login")
                }
                return nil
            case .plain:
                guard case .password = credentials else {
                    return .policyViolation("PLAIN needs the password")
                }
                guard transport.isEncrypted else { return .plainWithoutTLS }
                guard policy.allowPlain else { return .policyViolation("PLAIN is not allowed by the policy") }
                if mustBind { return .policyViolation("the server offers channel binding, which the policy requires") }
                return nil
            default:
                guard let hash = mechanism.scramHash else {
                    return .policyViolation("\(mechanism) is not implemented")
                }
                switch credentials {
                case .anonymous:
                    return .policyViolation("an anonymous login uses ANONYMOUS only")
                case .unauthenticated:
                    return .policyViolation("an unauthenticated stream uses no mechanism")
                case .scram(let cached) where cached.hash != hash:
                    return .credentialsOutdated
                default:
                    break
                }
                guard let strength = mechanism.strength, let minimum = policy.minimumMechanism.strength,
                      strength >= minimum
                else {
                    return .policyViolation("\(mechanism) is weaker than the minimum \(policy.minimumMechanism)")
                }
                if mechanism.usesChannelBinding {
                    guard bindingType != nil else { return .channelBindingUnavailable }
                } else if mustBind {
                    return .policyViolation("the server offers channel binding (-PLUS), which the policy requires")
                }
                return nil
            }
        }

        let chosen: SASLMechanismName
        if let preferred {
            guard mechanisms.contains(preferred) else { throw .mechanismNotOffered(preferred) }
            if let error = refusal(preferred, credentials: credentials) { throw error }
            chosen = preferred
        } else if let first = policy.preferredOrder.first(where: {
            mechanisms.contains($0) && refusal($0, credentials: credentials) == nil
        }) {
            chosen = first
        } else {
            throw noCandidateError(
                mechanisms: mechanisms, credentials: credentials, mustBind: mustBind, bindingType: bindingType,
                transport: transport, policy: policy, refusal: refusal)
        }

        // 5. GS2 flag.
        let channelBinding: SCRAMChannelBinding
        if chosen.usesChannelBinding, let bindingType, let data = bindings[bindingType] {
            channelBinding = .bound(bindingType, data: data)
        } else if chosen.scramHash != nil, !plusOffered, bindingType != nil {
            channelBinding = .supportedButNotOffered
        } else {
            channelBinding = .unsupported
        }

        let current = offer ?? SASLPin(strongestMechanism: chosen)
        let updatedPin = pin?.raised(to: current) ?? current
        return SASLSelection(
            mechanism: chosen, channelBinding: channelBinding, updatedPin: updatedPin,
            scramIterationCounts: policy.scramIterationCounts, transport: transport)
    }

    /// Step 2: the binding type to use, or nil when none is usable.
    static func chooseBindingType(
        advertised: [ChannelBindingType]?, transport: SASLTransportSecurity,
        available: [ChannelBindingType: [UInt8]], policy: SASLPolicy
    ) -> ChannelBindingType? {
        guard transport.isEncrypted else { return nil }
        if let advertised {
            return ChannelBindingType.saslStrengthOrder.reversed().first {
                advertised.contains($0) && available[$0] != nil
            }
        }
        if let override = policy.channelBindingWhenUnadvertised, available[override] != nil {
            return override
        }
        let defaults: [ChannelBindingType] = transport == .tls13
            ? [.tlsExporter, .tlsUnique, .tlsServerEndPoint]
            : [.tlsUnique, .tlsServerEndPoint]
        return defaults.first { available[$0] != nil }
    }

    /// The most telling error when no mechanism is a candidate.
    private static func noCandidateError(
        mechanisms: [SASLMechanismName], credentials: SASLCredentials, mustBind: Bool,
        bindingType: ChannelBindingType?, transport: SASLTransportSecurity, policy: SASLPolicy,
        refusal: (SASLMechanismName, SASLCredentials) -> SASLError?
    ) -> SASLError {
        // Cached credentials that a password would get past: ask for the password.
        if case .scram = credentials,
           mechanisms.contains(where: { refusal($0, .password("-")) == nil }) {
            return .credentialsOutdated
        }
        // -PLUS offered and required, but nothing to bind with.
        if mustBind, bindingType == nil {
            return .channelBindingUnavailable
        }
        // PLAIN would have been the answer but for the missing TLS.
        if case .password = credentials, policy.allowPlain, !transport.isEncrypted,
           mechanisms.contains(.plain), policy.preferredOrder.contains(.plain) {
            return .plainWithoutTLS
        }
        return .noAcceptableMechanism(offered: mechanisms)
    }
}

/// The outcome of ``SASLMechanismSelector/select(offered:channelBindingTypes:transport:availableBindings:credentials:policy:pin:preferred:)``.
public struct SASLSelection: Sendable, Hashable {
    /// The mechanism to use.
    public let mechanism: SASLMechanismName
    /// For SCRAM, the GS2 flag and binding data; `.unsupported` for other mechanisms.
    public let channelBinding: SCRAMChannelBinding
    /// The account's pin raised to this offer: store it (with the cached credentials) once
    /// authentication has succeeded.
    public let updatedPin: SASLPin
    /// The SCRAM iteration counts the policy accepts.
    public let scramIterationCounts: ClosedRange<Int>
    /// The transport the selection was made for.
    public let transport: SASLTransportSecurity

    /// The channel-binding type in use, if any.
    public var channelBindingType: ChannelBindingType? {
        if case .bound(let type, _) = channelBinding { return type }
        return nil
    }

    /// The mechanism, ready to run, for `username` with `credentials` (the same credentials the
    /// selection was made for).
    public func makeMechanism(username: String, credentials: SASLCredentials) throws(SASLError) -> any SASLMechanism {
        switch (mechanism, credentials) {
        case (.anonymous, .anonymous):
            return try AnonymousMechanism()
        case (.plain, .password(let password)):
            return try PlainMechanism(username: username, password: password, transport: transport)
        case (_, .password(let password)):
            guard let hash = mechanism.scramHash else { break }
            return try SCRAMMechanism(
                hash: hash, username: username, secret: .password(password), channelBinding: channelBinding,
                acceptedIterationCounts: scramIterationCounts)
        case (_, .scram(let cached)):
            guard let hash = mechanism.scramHash else { break }
            return try SCRAMMechanism(
                hash: hash, username: username, secret: .credentials(cached), channelBinding: channelBinding,
                acceptedIterationCounts: scramIterationCounts)
        default:
            break
        }
        throw .invalidArgument("\(mechanism) cannot run with \(credentials)")
    }
}
