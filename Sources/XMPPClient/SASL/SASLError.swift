/// Why SASL authentication (RFC 6120 §6) cannot go on: the server refused, the server's messages
/// broke the mechanism's rules, the offer did not meet the policy, or a downgrade was detected.
///
/// A struct over a private enum, so that cases can be added (STYLE.md, "Errors"). Match a kind
/// with ``code`` (`error.code == .nonceMismatch`), or compare whole values
/// (`error == .iterationCountTooHigh(100_000_000)`): equality includes the details.
///
/// No message ever contains a password, a salted password, a key, a proof or a signature; what
/// it quotes from the server is limited to condition names and the server's own `<text/>`.
public struct SASLError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of a ``SASLError``, without its details.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The server answered `<failure/>` (RFC 6120 §6.5); see ``SASLError/failureCondition``.
        public static let serverFailure = Code(rawValue: "server-failure")
        /// The SCRAM server sent `e=` (RFC 5802 §7); see ``SASLError/scramServerError``.
        public static let scramServerError = Code(rawValue: "scram-server-error")
        /// A challenge or additional data that breaks the mechanism's grammar (RFC 5802 §7).
        public static let malformedChallenge = Code(rawValue: "malformed-challenge")
        /// A message arrived when the mechanism expected none, or after it finished or failed.
        public static let protocolViolation = Code(rawValue: "protocol-violation")
        /// The server's nonce does not extend the client's (RFC 5802 §5.1, `r=`).
        public static let nonceMismatch = Code(rawValue: "nonce-mismatch")
        /// The server's iteration count is below the accepted range.
        public static let iterationCountTooLow = Code(rawValue: "iteration-count-too-low")
        /// The server's iteration count is above the accepted range; nothing was computed.
        public static let iterationCountTooHigh = Code(rawValue: "iteration-count-too-high")
        /// The server did not prove it knows the password: `v=` wrong or missing (RFC 5802 §3).
        public static let serverSignatureMismatch = Code(rawValue: "server-signature-mismatch")
        /// Nothing the server offers is usable under the policy with the credentials at hand.
        public static let noAcceptableMechanism = Code(rawValue: "no-acceptable-mechanism")
        /// The mechanism the caller insisted on is not offered.
        public static let mechanismNotOffered = Code(rawValue: "mechanism-not-offered")
        /// The mechanism the caller insisted on is offered, but the policy forbids it.
        public static let policyViolation = Code(rawValue: "policy-violation")
        /// The server offers less than it did before (the account's ``SASLPin``).
        public static let downgradeDetected = Code(rawValue: "downgrade-detected")
        /// Cached ``SCRAMCredentials`` no longer fit the server (other salt, iteration count or
        /// hash): ask for the password.
        public static let credentialsOutdated = Code(rawValue: "credentials-outdated")
        /// The server offers channel binding and the policy requires it, but TLS provides no
        /// binding type the server accepts.
        public static let channelBindingUnavailable = Code(rawValue: "channel-binding-unavailable")
        /// PLAIN would send the password over an unencrypted stream.
        public static let plainWithoutTLS = Code(rawValue: "plain-without-tls")
        /// The password cannot be prepared with the OpaqueString profile (RFC 8265 §4.2).
        public static let passwordPreparationFailed = Code(rawValue: "password-preparation-failed")
        /// A caller-supplied value is unusable (an empty username, a nonce with a comma, …).
        public static let invalidArgument = Code(rawValue: "invalid-argument")
        /// A cryptographic primitive failed inside OpenSSL.
        public static let cryptoFailure = Code(rawValue: "crypto-failure")
    }

    private enum Kind: Sendable, Hashable {
        case serverFailure(SASLFailureCondition, text: String?)
        case scramServerError(String)
        case malformedChallenge(String)
        case protocolViolation(String)
        case nonceMismatch
        case iterationCountTooLow(Int)
        case iterationCountTooHigh(Int)
        case serverSignatureMismatch
        case noAcceptableMechanism(offered: [SASLMechanismName])
        case mechanismNotOffered(SASLMechanismName)
        case policyViolation(String)
        case downgradeDetected(pinned: SASLPin, offered: SASLPin?)
        case credentialsOutdated
        case channelBindingUnavailable
        case plainWithoutTLS
        case passwordPreparationFailed
        case invalidArgument(String)
        case cryptoFailure(String)
    }

    private let kind: Kind

    private init(_ kind: Kind) {
        self.kind = kind
    }

    /// The server refused with `<failure/>` (RFC 6120 §6.5): `condition` and its optional
    /// `<text/>`.
    public static func serverFailure(_ condition: SASLFailureCondition, text: String? = nil) -> SASLError {
        SASLError(.serverFailure(condition, text: text))
    }

    /// The SCRAM server ended the exchange with `e=value` (RFC 5802 §7 `server-error-value`,
    /// e.g. `invalid-proof`, `channel-bindings-dont-match`, `server-does-support-channel-binding`).
    public static func scramServerError(_ value: String) -> SASLError {
        SASLError(.scramServerError(value))
    }

    /// A server message that breaks the mechanism's grammar; `reason` says which rule.
    public static func malformedChallenge(_ reason: String) -> SASLError {
        SASLError(.malformedChallenge(reason))
    }

    /// A message out of turn; `reason` says which.
    public static func protocolViolation(_ reason: String) -> SASLError {
        SASLError(.protocolViolation(reason))
    }

    /// The server's combined nonce does not start with the client's nonce, or adds nothing to it
    /// (RFC 5802 §5.1).
    public static let nonceMismatch = SASLError(.nonceMismatch)

    /// The server asked for `count` iterations, fewer than the accepted minimum.
    public static func iterationCountTooLow(_ count: Int) -> SASLError {
        SASLError(.iterationCountTooLow(count))
    }

    /// The server asked for `count` iterations (`Int.max` when the number overflows), more than
    /// the accepted maximum. Refused before any key derivation.
    public static func iterationCountTooHigh(_ count: Int) -> SASLError {
        SASLError(.iterationCountTooHigh(count))
    }

    /// The server's `v=` did not match, or the server reported success without sending one: it
    /// has not proved it knows the password (RFC 5802 §3, §9).
    public static let serverSignatureMismatch = SASLError(.serverSignatureMismatch)

    /// None of `offered` (the known mechanisms the server offered) is usable.
    public static func noAcceptableMechanism(offered: [SASLMechanismName]) -> SASLError {
        SASLError(.noAcceptableMechanism(offered: offered))
    }

    /// The caller asked for `mechanism`, which the server does not offer.
    public static func mechanismNotOffered(_ mechanism: SASLMechanismName) -> SASLError {
        SASLError(.mechanismNotOffered(mechanism))
    }

    /// The caller asked for something the policy forbids; `reason` says what.
    public static func policyViolation(_ reason: String) -> SASLError {
        SASLError(.policyViolation(reason))
    }

    /// The server once offered `pinned` and now offers only `offered` (nil: no known mechanism).
    public static func downgradeDetected(pinned: SASLPin, offered: SASLPin?) -> SASLError {
        SASLError(.downgradeDetected(pinned: pinned, offered: offered))
    }

    /// Cached credentials no longer fit the server (salt, iteration count or hash changed).
    public static let credentialsOutdated = SASLError(.credentialsOutdated)

    /// Channel binding is offered and required, but no binding type is usable.
    public static let channelBindingUnavailable = SASLError(.channelBindingUnavailable)

    /// PLAIN over an unencrypted stream.
    public static let plainWithoutTLS = SASLError(.plainWithoutTLS)

    /// The password is not a valid OpaqueString (RFC 8265 §4.2): empty, or containing a code
    /// point the profile disallows (which one is deliberately not said).
    public static let passwordPreparationFailed = SASLError(.passwordPreparationFailed)

    /// A caller-supplied value is unusable; `reason` says which (never its content if secret).
    public static func invalidArgument(_ reason: String) -> SASLError {
        SASLError(.invalidArgument(reason))
    }

    /// OpenSSL failed; `detail` is XMPPCrypto's description, which carries no key material.
    public static func cryptoFailure(_ detail: String) -> SASLError {
        SASLError(.cryptoFailure(detail))
    }

    /// The kind of error.
    public var code: Code {
        switch kind {
        case .serverFailure: .serverFailure
        case .scramServerError: .scramServerError
        case .malformedChallenge: .malformedChallenge
        case .protocolViolation: .protocolViolation
        case .nonceMismatch: .nonceMismatch
        case .iterationCountTooLow: .iterationCountTooLow
        case .iterationCountTooHigh: .iterationCountTooHigh
        case .serverSignatureMismatch: .serverSignatureMismatch
        case .noAcceptableMechanism: .noAcceptableMechanism
        case .mechanismNotOffered: .mechanismNotOffered
        case .policyViolation: .policyViolation
        case .downgradeDetected: .downgradeDetected
        case .credentialsOutdated: .credentialsOutdated
        case .channelBindingUnavailable: .channelBindingUnavailable
        case .plainWithoutTLS: .plainWithoutTLS
        case .passwordPreparationFailed: .passwordPreparationFailed
        case .invalidArgument: .invalidArgument
        case .cryptoFailure: .cryptoFailure
        }
    }

    /// The RFC 6120 §6.5 condition of a ``Code/serverFailure``; nil for other codes.
    public var failureCondition: SASLFailureCondition? {
        if case .serverFailure(let condition, _) = kind { return condition }
        return nil
    }

    /// The server's `<text/>` of a ``Code/serverFailure``; nil otherwise.
    public var serverText: String? {
        if case .serverFailure(_, let text) = kind { return text }
        return nil
    }

    /// The `e=` value of a ``Code/scramServerError``; nil otherwise.
    public var scramServerErrorValue: String? {
        if case .scramServerError(let value) = kind { return value }
        return nil
    }

    /// Whether the server itself judged the credentials (a `<failure/>` or SCRAM `e=`), as
    /// opposed to the client refusing to go on. Sessions map the former to
    /// `ConnectionState.authenticationFailed`.
    public var isServerRejection: Bool {
        switch kind {
        case .serverFailure, .scramServerError: true
        default: false
        }
    }

    public var description: String {
        switch kind {
        case .serverFailure(let condition, let text):
            let suffix = text.map { ": \(Self.quoted($0))" } ?? ""
            return "SASL: the server refused authentication: \(condition.rawValue) (RFC 6120 §6.5)\(suffix)"
        case .scramServerError(let value):
            var message = "SASL: the SCRAM server reported e=\(Self.quoted(value)) (RFC 5802 §7)"
            if value == "server-does-support-channel-binding" {
                message += "; it supports channel binding although no -PLUS mechanism reached the client: the offer was probably stripped in transit"
            }
            return message
        case .malformedChallenge(let reason):
            return "SASL: malformed server message: \(reason)"
        case .protocolViolation(let reason):
            return "SASL: unexpected message: \(reason)"
        case .nonceMismatch:
            return "SASL: the server's nonce does not extend the client's (RFC 5802 §5.1)"
        case .iterationCountTooLow(let count):
            return "SASL: the server asks for \(count) SCRAM iterations, below the accepted minimum (RFC 5802 §5.1 asks for at least 4096)"
        case .iterationCountTooHigh(let count):
            return "SASL: the server asks for \(count) SCRAM iterations, above the accepted maximum; refused without computing"
        case .serverSignatureMismatch:
            return "SASL: the server did not prove it knows the password (no or wrong ServerSignature, RFC 5802 §3)"
        case .noAcceptableMechanism(let offered):
            let list = offered.isEmpty ? "no known mechanism" : offered.map(\.rawValue).joined(separator: ", ")
            return "SASL: no offered mechanism is acceptable under the policy (offered: \(list))"
        case .mechanismNotOffered(let mechanism):
            return "SASL: the requested mechanism \(mechanism) is not offered by the server"
        case .policyViolation(let reason):
            return "SASL: refused by policy: \(reason)"
        case .downgradeDetected(let pinned, let offered):
            return "SASL: downgrade detected: this account's server once offered \(pinned), now \(offered.map(\.description) ?? "no known mechanism"); reset the pin only if the server really changed"
        case .credentialsOutdated:
            return "SASL: the cached SCRAM credentials no longer match the server's salt, iteration count or hash; the password is needed"
        case .channelBindingUnavailable:
            return "SASL: the server offers channel binding (-PLUS) and the policy requires it, but the TLS session provides no binding type the server accepts"
        case .plainWithoutTLS:
            return "SASL: PLAIN would send the password unencrypted; it is only allowed over TLS"
        case .passwordPreparationFailed:
            return "SASL: the password is empty or contains a character the OpaqueString profile disallows (RFC 8265 §4.2)"
        case .invalidArgument(let reason):
            return "SASL: invalid argument: \(reason)"
        case .cryptoFailure(let detail):
            return "SASL: cryptographic failure: \(detail)"
        }
    }

    /// A server-supplied string for a message: quoted, control characters escaped, at most 200
    /// characters.
    private static func quoted(_ text: String) -> String {
        var escaped = ""
        for scalar in text.unicodeScalars.prefix(200) {
            if scalar.value < 0x20 || scalar.value == 0x7F {
                escaped += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                escaped.unicodeScalars.append(scalar)
            }
        }
        if text.unicodeScalars.count > 200 { escaped += "…" }
        return "\"\(escaped)\""
    }
}
