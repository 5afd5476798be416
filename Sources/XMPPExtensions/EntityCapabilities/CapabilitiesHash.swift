import XMPPCore
import XMPPCrypto

/// The entity-capabilities verification string and hash (XEP-0115 §5.1), and the checks §5.4 asks
/// of received disco#info before a hash may be trusted.
public enum CapabilitiesHash {
    /// The hash functions of the IANA registry that §5.1 allows and we can compute.
    public static let algorithms: [String: HashFunction] = ["sha-1": .sha1, "sha-256": .sha256, "sha-512": .sha512]

    /// Why a disco#info answer cannot be hashed (XEP-0115 §5.4 step 3).
    public enum ValidationError: Error, Sendable, Hashable {
        case duplicateIdentity
        case duplicateFeature
        case duplicateFormType(String)
        case conflictingFormType(String)
    }

    /// XEP-0115 §5.1 steps 1–8: identities, features and extended forms, each sorted by octets.
    public static func verificationString(for info: DiscoInfo) -> String {
        var string = ""
        let identities = info.identities.sorted { lhs, rhs in
            let left = [lhs.category, lhs.type, lhs.language ?? ""], right = [rhs.category, rhs.type, rhs.language ?? ""]
            return octetsPrecede(left.joined(separator: "\u{0}"), right.joined(separator: "\u{0}"))
        }
        for identity in identities {
            string += "\(identity.category)/\(identity.type)/\(identity.language ?? "")/\(identity.name ?? "")<"
        }
        for feature in info.features.sorted(by: octetsPrecede) { string += feature + "<" }
        // §5.4 step 3.6: a form whose FORM_TYPE is not hidden is ignored.
        let forms = info.forms.filter { $0.field("FORM_TYPE")?.type == .hidden }
            .compactMap { form in form.formType.map { ($0, form) } }.sorted { octetsPrecede($0.0, $1.0) }
        for (formType, form) in forms {
            string += formType + "<"
            let fields = form.fields.filter { $0.variable != nil && $0.variable != "FORM_TYPE" }
                .sorted { octetsPrecede($0.variable ?? "", $1.variable ?? "") }
            for field in fields {
                string += (field.variable ?? "") + "<"
                for value in field.values.sorted(by: octetsPrecede) { string += value + "<" }
            }
        }
        return string
    }

    /// The `ver` attribute: base64 of the hash of the verification string (§5.1 steps 9–10).
    public static func ver(for info: DiscoInfo, algorithm: HashFunction = .sha1) throws -> String {
        Base64.encode(try algorithm.hash(Array(verificationString(for: info).utf8)))
    }

    /// XEP-0115 §5.4 step 3: an answer with repeated identities, or repeated `FORM_TYPE`s or one
    /// with several values, must not be used to verify a hash (non-hidden ones are ignored, step 3.6).
    public static func validate(_ info: DiscoInfo) throws(ValidationError) {
        var identities = Set<DiscoIdentity>()
        for identity in info.identities where !identities.insert(identity).inserted { throw .duplicateIdentity }
        var formTypes = Set<String>()
        for form in info.forms {
            guard let field = form.field("FORM_TYPE"), field.type == .hidden else { continue }
            let formType = field.values.first ?? ""
            guard Set(field.values).count <= 1 else { throw .conflictingFormType(formType) }
            guard formTypes.insert(formType).inserted else { throw .duplicateFormType(formType) }
        }
    }

    private static func octetsPrecede(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }
}
