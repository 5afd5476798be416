/// What an account's server has offered at its best, remembered across logins and stored with
/// the cached credentials (DESIGN.md, "XMPPClient: connecting"): the strongest mechanism, and
/// the strongest channel-binding type it listed in XEP-0440's `<sasl-channel-binding/>`.
///
/// A later offer that falls below the pin is refused with ``SASLError/downgradeDetected(pinned:offered:)``:
/// against a man in the middle holding a certificate the client trusts, who can strip `-PLUS`
/// mechanisms or binding types from the stream features, the pin and channel binding are the
/// only protection. Reset (delete) the pin only when the server is known to have changed.
///
/// Take ``SASLSelection/updatedPin`` and store it once authentication has succeeded.
public struct SASLPin: Codable, Sendable, Hashable, CustomStringConvertible {
    /// The strongest known mechanism the server has offered (strength order of
    /// ``SASLMechanismName/known``).
    public var strongestMechanism: SASLMechanismName
    /// The strongest channel-binding type the server has listed with XEP-0440, or nil if it never
    /// sent such a list. Binding types chosen by default, without a list, are not pinned: they
    /// say nothing about the server.
    public var strongestChannelBinding: ChannelBindingType?

    public init(strongestMechanism: SASLMechanismName, strongestChannelBinding: ChannelBindingType? = nil) {
        self.strongestMechanism = strongestMechanism
        self.strongestChannelBinding = strongestChannelBinding
    }

    /// The pin an offer gives: its strongest known mechanism and strongest listed binding type.
    /// Nil when it offers no known mechanism.
    init?(offering mechanisms: [SASLMechanismName], channelBindingTypes: [ChannelBindingType]?) {
        guard let strongest = mechanisms.filter(\.isKnown).max(by: { $0.strength! < $1.strength! }) else {
            return nil
        }
        strongestMechanism = strongest
        strongestChannelBinding = channelBindingTypes?.max(by: { $0.saslStrength < $1.saslStrength })
    }

    /// Whether `offer` falls below this pin: a weaker strongest mechanism, or a weaker (or no)
    /// XEP-0440 list where one was pinned.
    func isWeakened(by offer: SASLPin?) -> Bool {
        guard let offer, let offered = offer.strongestMechanism.strength else { return true }
        if let pinned = strongestMechanism.strength, offered < pinned { return true }
        if let pinnedBinding = strongestChannelBinding {
            guard let offeredBinding = offer.strongestChannelBinding else { return true }
            if offeredBinding.saslStrength < pinnedBinding.saslStrength { return true }
        }
        return false
    }

    /// The stronger of this pin and `offer`, field by field.
    func raised(to offer: SASLPin) -> SASLPin {
        var pin = self
        if (offer.strongestMechanism.strength ?? -1) > (strongestMechanism.strength ?? -1) {
            pin.strongestMechanism = offer.strongestMechanism
        }
        if let binding = offer.strongestChannelBinding,
           binding.saslStrength > (strongestChannelBinding?.saslStrength ?? -1) {
            pin.strongestChannelBinding = binding
        }
        return pin
    }

    public var description: String {
        if let binding = strongestChannelBinding {
            return "\(strongestMechanism) with \(binding.rawValue)"
        }
        return strongestMechanism.rawValue
    }
}
