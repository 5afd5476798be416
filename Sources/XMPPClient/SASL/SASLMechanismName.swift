import XMPPCrypto

/// The name of a SASL mechanism as it appears in `<mechanism/>` (RFC 6120 §6.4.1) and in the
/// `mechanism` attribute of `<auth/>` (RFC 6120 §6.4.2).
///
/// Any syntactically valid name can be represented (1 to 20 characters from `A`–`Z`, `0`–`9`,
/// `-` and `_`, RFC 4422 §3.1), so that a server's whole offer can be parsed; only the
/// ``known`` mechanisms can be used. Names are case-sensitive, as RFC 4422 §3.1 registers them
/// in upper case.
public struct SASLMechanismName: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String

    /// A mechanism name, or nil unless `rawValue` is 1–20 characters of `A`–`Z`, `0`–`9`, `-`
    /// and `_` (RFC 4422 §3.1).
    public init?(rawValue: String) {
        let bytes = Array(rawValue.utf8)
        guard (1...20).contains(bytes.count),
              bytes.allSatisfy({ (0x41...0x5A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D || $0 == 0x5F })
        else { return nil }
        self.rawValue = rawValue
    }

    private init(known: String) {
        rawValue = known
    }

    /// SCRAM-SHA-1 (RFC 5802).
    public static let scramSHA1 = SASLMechanismName(known: "SCRAM-SHA-1")
    /// SCRAM-SHA-1-PLUS: SCRAM-SHA-1 with channel binding (RFC 5802 §6).
    public static let scramSHA1Plus = SASLMechanismName(known: "SCRAM-SHA-1-PLUS")
    /// SCRAM-SHA-256 (RFC 7677).
    public static let scramSHA256 = SASLMechanismName(known: "SCRAM-SHA-256")
    /// SCRAM-SHA-256-PLUS: SCRAM-SHA-256 with channel binding (RFC 7677 §3).
    public static let scramSHA256Plus = SASLMechanismName(known: "SCRAM-SHA-256-PLUS")
    /// SCRAM-SHA-512: RFC 5802's construction with SHA-512 as H (draft-melnikov-scram-sha-512).
    public static let scramSHA512 = SASLMechanismName(known: "SCRAM-SHA-512")
    /// SCRAM-SHA-512-PLUS: SCRAM-SHA-512 with channel binding.
    public static let scramSHA512Plus = SASLMechanismName(known: "SCRAM-SHA-512-PLUS")
    /// PLAIN (RFC 4616): the password in the clear, so only ever over TLS.
    public static let plain = SASLMechanismName(known: "PLAIN")
    /// ANONYMOUS (RFC 4505).
    public static let anonymous = SASLMechanismName(known: "ANONYMOUS")

    /// The mechanisms XMPPKit implements, weakest first: this is the strength order.
    ///
    /// ANONYMOUS < PLAIN < SCRAM-SHA-1 < SCRAM-SHA-256 < SCRAM-SHA-512 < SCRAM-SHA-1-PLUS <
    /// SCRAM-SHA-256-PLUS < SCRAM-SHA-512-PLUS. Channel binding ranks above the hash: a SCRAM
    /// exchange bound to the TLS channel defeats a man in the middle holding a trusted
    /// certificate (RFC 5802 §6, §9), which no choice of hash does.
    public static let known: [SASLMechanismName] = [
        .anonymous, .plain,
        .scramSHA1, .scramSHA256, .scramSHA512,
        .scramSHA1Plus, .scramSHA256Plus, .scramSHA512Plus,
    ]

    /// The position in the strength order of ``known`` (0 is ANONYMOUS, 7 SCRAM-SHA-512-PLUS),
    /// or nil for a mechanism XMPPKit does not implement.
    public var strength: Int? {
        Self.known.firstIndex(of: self)
    }

    /// Whether XMPPKit implements this mechanism.
    public var isKnown: Bool {
        strength != nil
    }

    /// The SCRAM mechanism over `hash`, with channel binding (`-PLUS`) or without.
    public static func scram(_ hash: HashFunction, channelBinding: Bool) -> SASLMechanismName {
        switch (hash, channelBinding) {
        case (.sha1, false): .scramSHA1
        case (.sha1, true): .scramSHA1Plus
        case (.sha256, false): .scramSHA256
        case (.sha256, true): .scramSHA256Plus
        case (.sha512, false): .scramSHA512
        case (.sha512, true): .scramSHA512Plus
        }
    }

    /// The hash of a known SCRAM mechanism (with or without `-PLUS`); nil for any other name.
    public var scramHash: HashFunction? {
        switch self {
        case .scramSHA1, .scramSHA1Plus: .sha1
        case .scramSHA256, .scramSHA256Plus: .sha256
        case .scramSHA512, .scramSHA512Plus: .sha512
        default: nil
        }
    }

    /// Whether this is a known SCRAM `-PLUS` mechanism, which binds to the TLS channel.
    public var usesChannelBinding: Bool {
        self == .scramSHA1Plus || self == .scramSHA256Plus || self == .scramSHA512Plus
    }

    public var description: String {
        rawValue
    }
}
