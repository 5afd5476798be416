/// A PRECIS profile (RFC 8264 §5): a string class plus the mapping rules applied, in the order of
/// RFC 8264 §7, before the string's code points are checked against the class.
///
/// The profiles of RFC 8265 (usernames and passwords) and RFC 8266 (nicknames) are provided.
///
/// Not implemented: the directionality ("Bidi") rule of RFC 5893 §2, which RFC 8265 requires of the
/// two username profiles. It needs each code point's Bidi_Class, which Swift's
/// `Unicode.Scalar.Properties` does not expose (and the toolchain's ICU is not public API). Strings
/// mixing right-to-left and left-to-right characters are therefore not rejected.
public struct PRECISProfile: Sendable, Hashable {
    /// The profile's name, as its RFC spells it.
    public let name: String
    /// The underlying string class.
    public let stringClass: PRECISStringClass

    enum AdditionalMapping: Sendable, Hashable {
        case none
        /// Non-ASCII spaces to U+0020 (RFC 8265 §4.2.2 step 1).
        case nonASCIISpaces
        /// Non-ASCII spaces to U+0020, then trim and collapse (RFC 8266 §2.2 step 1).
        case nicknameSpaces
    }

    enum Normalization: Sendable, Hashable {
        case nfc
        case nfkc
    }

    let mapsWidth: Bool
    let additionalMapping: AdditionalMapping
    let mapsCase: Bool
    let normalization: Normalization
    /// Whether comparison adds case mapping and normalization to enforcement (RFC 8266 §2.4).
    let comparisonMapsCase: Bool

    /// UsernameCaseMapped (RFC 8265 §3.3): IdentifierClass; width mapping, lowercase, NFC.
    /// The XMPP localpart profile (RFC 7622 §3.3).
    public static let usernameCaseMapped = PRECISProfile(
        name: "UsernameCaseMapped", stringClass: .identifier, mapsWidth: true,
        additionalMapping: .none, mapsCase: true, normalization: .nfc, comparisonMapsCase: false)

    /// UsernameCasePreserved (RFC 8265 §3.4): IdentifierClass; width mapping, NFC.
    public static let usernameCasePreserved = PRECISProfile(
        name: "UsernameCasePreserved", stringClass: .identifier, mapsWidth: true,
        additionalMapping: .none, mapsCase: false, normalization: .nfc, comparisonMapsCase: false)

    /// OpaqueString (RFC 8265 §4.2): FreeformClass; non-ASCII spaces to U+0020, NFC.
    /// The XMPP resourcepart profile (RFC 7622 §3.4).
    public static let opaqueString = PRECISProfile(
        name: "OpaqueString", stringClass: .freeform, mapsWidth: false,
        additionalMapping: .nonASCIISpaces, mapsCase: false, normalization: .nfc,
        comparisonMapsCase: false)

    /// Nickname (RFC 8266 §2): FreeformClass; spaces mapped, trimmed and collapsed, NFKC.
    /// Comparison also lowercases (RFC 8266 §2.4).
    public static let nickname = PRECISProfile(
        name: "Nickname", stringClass: .freeform, mapsWidth: false,
        additionalMapping: .nicknameSpaces, mapsCase: false, normalization: .nfkc,
        comparisonMapsCase: true)

    /// Enforces the profile (RFC 8264 §6, §7): applies the mapping rules until the output is
    /// stable, then requires a non-empty result whose every code point is PVALID, or CONTEXTJ /
    /// CONTEXTO with its contextual rule satisfied.
    public func enforce(_ string: String) throws(PRECISError) -> String {
        PRECISMapping.string(try enforce(scalars: Array(string.unicodeScalars)))
    }

    /// Compares two strings as the profile prescribes (RFC 8264 §7, RFC 8266 §2.4): both must
    /// enforce successfully and the results be equal code point for code point.
    public func areEquivalent(_ first: String, _ second: String) -> Bool {
        guard let a = try? comparisonForm(first), let b = try? comparisonForm(second) else {
            return false
        }
        return a == b
    }

    /// The form two strings are compared in: the enforced string, for nicknames lowercased and
    /// normalized again (RFC 8266 §2.4).
    public func comparisonForm(_ string: String) throws(PRECISError) -> String {
        var scalars = try enforce(scalars: Array(string.unicodeScalars))
        if comparisonMapsCase {
            PRECISMapping.lowercase(&scalars)
            scalars = normalize(scalars)
        }
        return PRECISMapping.string(scalars)
    }

    func enforce(scalars input: [Unicode.Scalar]) throws(PRECISError) -> [Unicode.Scalar] {
        var output = applyRules(input)
        var stable = false
        for _ in 0..<3 {
            let again = applyRules(output)
            if again == output {
                stable = true
                break
            }
            output = again
        }
        guard stable else { throw .unstable }
        do {
            try check(output)
        } catch {
            throw reportedAgainstInput(error, input: input)
        }
        return output
    }

    /// Names the input code point that a failure came from, rather than what the mappings made of
    /// it: "henryⅣ" fails on U+2163 ROMAN NUMERAL FOUR, not on the U+2173 that lowercasing gives.
    private func reportedAgainstInput(_ error: PRECISError, input: [Unicode.Scalar]) -> PRECISError {
        guard case .disallowedCodePoint(let produced, _) = error, !input.contains(produced) else {
            return error
        }
        for scalar in input where applyRules([scalar]).contains(produced) {
            let property = stringClass.derivedProperty(of: scalar)
            if property != .pvalid && property != .contextJ && property != .contextO {
                return .disallowedCodePoint(scalar, property)
            }
        }
        return error
    }

    /// The mapping rules in the order of RFC 8264 §7 (directionality is not implemented; see the
    /// type's documentation).
    func applyRules(_ input: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var scalars = input
        if mapsWidth { PRECISMapping.mapWidth(&scalars) }
        switch additionalMapping {
        case .none:
            break
        case .nonASCIISpaces:
            PRECISMapping.mapNonASCIISpaces(&scalars)
        case .nicknameSpaces:
            PRECISMapping.mapNonASCIISpaces(&scalars)
            PRECISMapping.trimAndCollapseSpaces(&scalars)
        }
        if mapsCase { PRECISMapping.lowercase(&scalars) }
        return normalize(scalars)
    }

    private func normalize(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
        switch normalization {
        case .nfc: return PRECISMapping.nfc(scalars)
        case .nfkc: return PRECISMapping.nfkc(scalars)
        }
    }

    /// The behavioural rules (RFC 8264 §7 step 6, §8).
    func check(_ scalars: [Unicode.Scalar]) throws(PRECISError) {
        guard !scalars.isEmpty else { throw .empty }
        for index in scalars.indices {
            let scalar = scalars[index]
            switch stringClass.derivedProperty(of: scalar) {
            case .pvalid:
                continue
            case .contextJ, .contextO:
                if !PRECISContextRules.isSatisfied(at: index, in: scalars) {
                    throw .contextRuleFailed(scalar)
                }
            case let property:
                throw .disallowedCodePoint(scalar, property)
            }
        }
    }
}
