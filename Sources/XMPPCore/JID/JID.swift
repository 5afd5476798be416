/// An XMPP address (RFC 7622): `[localpart "@"] domainpart ["/" resourcepart]`.
///
/// A `JID` always holds prepared, enforced parts, so equal addresses are equal values however
/// they were written: the localpart is enforced with PRECIS UsernameCaseMapped (RFC 7622 §3.3,
/// RFC 8265 §3.3), the resourcepart with OpaqueString (RFC 7622 §3.4, RFC 8265 §4.2), and the
/// domainpart is lowercased and normalized (RFC 7622 §3.2; see `init(_:)` for what is checked).
/// Each part is at most 1023 bytes of UTF-8 after preparation.
///
/// Errors are typed: the throwing initializers throw `JIDError`, one case per invalid form.
///
/// ```swift
/// let jid = try JID("Juliet@Example.com/Balcony")
/// jid.description   // "juliet@example.com/Balcony"
/// jid.bare          // juliet@example.com
/// ```
public struct JID: Sendable, Hashable {
    /// The localpart (RFC 7622 §3.3), enforced with UsernameCaseMapped; `nil` if absent.
    public let localpart: String?
    /// The domainpart (RFC 7622 §3.2): lowercase, NFC, without a trailing dot; A-labels are
    /// converted to U-labels; IPv6 literals are in RFC 5952 canonical form, within brackets.
    public let domainpart: String
    /// The resourcepart (RFC 7622 §3.4), enforced with OpaqueString; `nil` if absent.
    public let resourcepart: String?

    /// Parses and prepares a JID string, splitting it as RFC 7622 §3.1 says: the resourcepart is
    /// everything after the first "/", the localpart everything before the first "@" that comes
    /// before it.
    ///
    /// The domainpart (RFC 7622 §3.2) loses one trailing dot, then is one of
    /// - an IP literal in brackets: an IPv6 address (RFC 4291 §2.2) or IPvFuture (RFC 3986 §3.2.2);
    /// - an IPv4 address, when the last label is numeric (dotted quad, no leading zeros);
    /// - a domain name: ASCII labels of letters, digits, "-" and "_" (underscore is accepted
    ///   because real service names use it), no leading or trailing hyphen, 1–63 bytes each;
    ///   "xn--" labels are decoded to U-labels. Non-ASCII names are width-mapped, lowercased and
    ///   NFC-normalized, and each code point must be PVALID (RFC 5892, via PRECIS IdentifierClass,
    ///   with the contextual rules). This is IDNA2008 without the Bidi rule (RFC 5893) and without
    ///   UTS #46's further mappings.
    public init(_ string: String) throws(JIDError) {
        let utf8 = string.utf8
        let slash = utf8.firstIndex(of: UInt8(ascii: "/"))
        let beforeResource = string[..<(slash ?? string.endIndex)]
        let at = beforeResource.utf8.firstIndex(of: UInt8(ascii: "@"))

        let rawLocal: Substring? = at.map { string[..<$0] }
        let rawDomain: Substring = at.map { string[string.utf8.index(after: $0)..<(slash ?? string.endIndex)] }
            ?? beforeResource
        let rawResource: Substring? = slash.map { string[string.utf8.index(after: $0)...] }

        let local = try rawLocal.map { (raw: Substring) throws(JIDError) -> String in
            try JID.prepareLocalpart(raw)
        }
        let domain = try JID.prepareDomainpart(rawDomain)
        let resource = try rawResource.map { (raw: Substring) throws(JIDError) -> String in
            try JID.prepareResourcepart(raw)
        }
        self.init(checkedLocalpart: local, domainpart: domain, resourcepart: resource)
    }

    /// Builds a JID from separate parts, preparing each one as `init(_:)` does. `nil` means the
    /// part is absent; an empty string is an error (`emptyLocalpart`, `emptyResourcepart`).
    /// No splitting happens: "@" or "/" in a localpart, and "@" or "/" in a domainpart, are
    /// invalid characters; a resourcepart may contain both.
    public init(localpart: String? = nil, domainpart: String, resourcepart: String? = nil) throws(JIDError) {
        let local = try localpart.map { (raw: String) throws(JIDError) -> String in
            try JID.prepareLocalpart(raw[...])
        }
        let domain = try JID.prepareDomainpart(domainpart[...])
        let resource = try resourcepart.map { (raw: String) throws(JIDError) -> String in
            try JID.prepareResourcepart(raw[...])
        }
        self.init(checkedLocalpart: local, domainpart: domain, resourcepart: resource)
    }

    /// Parts already prepared.
    init(checkedLocalpart localpart: String?, domainpart: String, resourcepart: String?) {
        self.localpart = localpart
        self.domainpart = domainpart
        self.resourcepart = resourcepart
    }

    /// The bare JID: this address without its resourcepart (RFC 6120 §1.4).
    public var bare: JID {
        JID(checkedLocalpart: localpart, domainpart: domainpart, resourcepart: nil)
    }

    /// The domain JID: only the domainpart.
    public var domain: JID {
        JID(checkedLocalpart: nil, domainpart: domainpart, resourcepart: nil)
    }

    /// True when there is no resourcepart.
    public var isBare: Bool { resourcepart == nil }

    /// True when there is a resourcepart.
    public var isFull: Bool { resourcepart != nil }

    /// This address with `resource` as its resourcepart (prepared with OpaqueString), or without
    /// one when `resource` is `nil`.
    public func withResource(_ resource: String?) throws(JIDError) -> JID {
        let prepared = try resource.map { (raw: String) throws(JIDError) -> String in
            try JID.prepareResourcepart(raw[...])
        }
        return JID(checkedLocalpart: localpart, domainpart: domainpart, resourcepart: prepared)
    }
}

extension JID: CustomStringConvertible {
    /// The normalized string form: `localpart@domainpart/resourcepart`, absent parts left out.
    public var description: String {
        var result = ""
        result.reserveCapacity(
            (localpart?.utf8.count ?? -1) + 1 + domainpart.utf8.count + (resourcepart?.utf8.count ?? -1) + 1)
        if let localpart {
            result += localpart
            result += "@"
        }
        result += domainpart
        if let resourcepart {
            result += "/"
            result += resourcepart
        }
        return result
    }
}

extension JID: CustomDebugStringConvertible {
    public var debugDescription: String { "JID(\(description))" }
}

/// `LosslessStringConvertible`'s failable initializer: `nil` where `JID.init(_:)` throws.
///
/// It lives in a constrained protocol extension, and is disfavoured, because a type cannot declare
/// both a throwing and a failable `init(_: String)`. Direct calls (`try JID("…")`, and `try? JID("…")`)
/// pick the throwing initializer; generic code over `LosslessStringConvertible` gets this one.
extension LosslessStringConvertible where Self == JID {
    @_disfavoredOverload
    public init?(_ description: String) {
        do {
            self = try JID(description)
        } catch {
            return nil
        }
    }
}

extension JID: LosslessStringConvertible {}

extension JID: Codable {
    /// Decodes a JID from its string form; an invalid string is a `DecodingError.dataCorrupted`
    /// whose underlying error is the `JIDError`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let string = try container.decode(String.self)
        do {
            try self.init(string)
        } catch {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(
                    codingPath: decoder.codingPath, debugDescription: error.description, underlyingError: error))
        }
    }

    /// Encodes the normalized string form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
