/// Preparation of the localpart and resourcepart (RFC 7622 §3.3, §3.4).
///
/// Pure-ASCII parts, which most JIDs are, take a byte loop that gives the same result as the
/// PRECIS profiles would (for ASCII, UsernameCaseMapped is "printable, lowercased" and OpaqueString
/// "printable or space"); anything else goes through `PRECISProfile`.
extension JID {
    /// RFC 7622 §3.2–§3.4: at most 1023 bytes of UTF-8 per part, after preparation.
    public static let maximumPartByteCount = 1023

    /// A raw part longer than this cannot prepare to 1023 bytes or fewer: no mapping of the
    /// profiles shrinks a string by more than 3:1 (fullwidth to ASCII, U+212A KELVIN SIGN to "k",
    /// three conjoining jamo composing to one syllable). Checking it first keeps hostile input cheap.
    static let maximumRawPartByteCount = 4 * maximumPartByteCount

    /// The code points RFC 7622 §3.3.1 forbids in a localpart on top of UsernameCaseMapped:
    /// `" & ' / : < > @`.
    static func isForbiddenInLocalpart(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "\"", "&", "'", "/", ":", "<", ">", "@": return true
        default: return false
        }
    }

    /// Enforces the localpart: UsernameCaseMapped (RFC 8265 §3.3), the RFC 7622 §3.3.1
    /// exclusions, and the length limit.
    static func prepareLocalpart(_ raw: Substring) throws(JIDError) -> String {
        let utf8 = raw.utf8
        guard !utf8.isEmpty else { throw .emptyLocalpart }
        guard utf8.count <= maximumRawPartByteCount else { throw .localpartTooLong(byteCount: utf8.count) }

        if utf8.allSatisfy({ $0 < 0x80 }) {
            // IdentifierClass allows exactly U+0021–U+007E of ASCII (RFC 8264 §9.11); the case
            // mapping lowercases A–Z; width mapping and NFC change nothing.
            var needsLowercasing = false
            for byte in utf8 {
                switch byte {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                    needsLowercasing = true
                case 0x22, 0x26, 0x27, 0x2F, 0x3A, 0x3C, 0x3E, 0x40:
                    throw .invalidLocalpartCharacter(Unicode.Scalar(byte))
                case 0x21...0x7E:
                    continue
                default:
                    throw .invalidLocalpartCharacter(Unicode.Scalar(byte))
                }
            }
            guard utf8.count <= maximumPartByteCount else { throw .localpartTooLong(byteCount: utf8.count) }
            if !needsLowercasing { return String(raw) }
            return String(decoding: utf8.map { $0 &+ (($0 >= 0x41 && $0 <= 0x5A) ? 0x20 : 0) }, as: UTF8.self)
        }

        let scalars: [Unicode.Scalar]
        do {
            scalars = try PRECISProfile.usernameCaseMapped.enforce(scalars: Array(raw.unicodeScalars))
        } catch {
            switch error {
            case .empty: throw .emptyLocalpart
            case .disallowedCodePoint(let scalar, _), .contextRuleFailed(let scalar):
                throw .invalidLocalpartCharacter(scalar)
            case .unstable: throw .unstableLocalpart
            }
        }
        // RFC 7622 §3.3.1, checked after width mapping so that U+FF20 FULLWIDTH COMMERCIAL AT is
        // caught as "@". Report the code point as written.
        if let forbidden = scalars.first(where: isForbiddenInLocalpart) {
            throw .invalidLocalpartCharacter(
                raw.unicodeScalars.first(where: { PRECISMapping.widthMapping($0) == forbidden }) ?? forbidden)
        }
        let prepared = PRECISMapping.string(scalars)
        let count = prepared.utf8.count
        guard count <= maximumPartByteCount else { throw .localpartTooLong(byteCount: count) }
        return prepared
    }

    /// Enforces the resourcepart: OpaqueString (RFC 8265 §4.2) and the length limit.
    static func prepareResourcepart(_ raw: Substring) throws(JIDError) -> String {
        let utf8 = raw.utf8
        guard !utf8.isEmpty else { throw .emptyResourcepart }
        guard utf8.count <= maximumRawPartByteCount else { throw .resourcepartTooLong(byteCount: utf8.count) }

        if utf8.allSatisfy({ $0 < 0x80 }) {
            // FreeformClass allows U+0020–U+007E of ASCII (RFC 8264 §9.11, §9.14); OpaqueString
            // maps nothing in ASCII.
            if let bad = utf8.first(where: { $0 < 0x20 || $0 == 0x7F }) {
                throw .invalidResourcepartCharacter(Unicode.Scalar(bad))
            }
            guard utf8.count <= maximumPartByteCount else { throw .resourcepartTooLong(byteCount: utf8.count) }
            return String(raw)
        }

        let scalars: [Unicode.Scalar]
        do {
            scalars = try PRECISProfile.opaqueString.enforce(scalars: Array(raw.unicodeScalars))
        } catch {
            switch error {
            case .empty: throw .emptyResourcepart
            case .disallowedCodePoint(let scalar, _), .contextRuleFailed(let scalar):
                throw .invalidResourcepartCharacter(scalar)
            case .unstable: throw .unstableResourcepart
            }
        }
        let prepared = PRECISMapping.string(scalars)
        let count = prepared.utf8.count
        guard count <= maximumPartByteCount else { throw .resourcepartTooLong(byteCount: count) }
        return prepared
    }
}
