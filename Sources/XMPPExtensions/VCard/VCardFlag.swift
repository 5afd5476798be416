import XMPPXML

/// A type flag of a vcard-temp TEL, EMAIL or ADR property: an empty element such as `<CELL/>` or
/// `<PREF/>` (XEP-0054 §9, the DTD's `HOME?, WORK?, VOICE?…`).
///
/// Flags the DTD does not name are kept as they came, so a get-modify-set never drops them.
public struct VCardFlag: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    /// The element name, e.g. `CELL`.
    public var rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public static let home = VCardFlag(rawValue: "HOME")
    public static let work = VCardFlag(rawValue: "WORK")
    public static let postal = VCardFlag(rawValue: "POSTAL")
    public static let parcel = VCardFlag(rawValue: "PARCEL")
    public static let domestic = VCardFlag(rawValue: "DOM")
    public static let international = VCardFlag(rawValue: "INTL")
    public static let voice = VCardFlag(rawValue: "VOICE")
    public static let fax = VCardFlag(rawValue: "FAX")
    public static let pager = VCardFlag(rawValue: "PAGER")
    public static let message = VCardFlag(rawValue: "MSG")
    public static let cell = VCardFlag(rawValue: "CELL")
    public static let video = VCardFlag(rawValue: "VIDEO")
    public static let bbs = VCardFlag(rawValue: "BBS")
    public static let modem = VCardFlag(rawValue: "MODEM")
    public static let isdn = VCardFlag(rawValue: "ISDN")
    public static let pcs = VCardFlag(rawValue: "PCS")
    public static let internet = VCardFlag(rawValue: "INTERNET")
    public static let x400 = VCardFlag(rawValue: "X400")
    /// The preferred value of its kind.
    public static let preferred = VCardFlag(rawValue: "PREF")

    public var description: String { rawValue }

    /// The DTD's order, which serialization follows (unknown flags come after, by name).
    private static let order: [String: Int] = Dictionary(uniqueKeysWithValues: [
        "HOME", "WORK", "POSTAL", "PARCEL", "DOM", "INTL", "VOICE", "FAX", "PAGER", "MSG", "CELL", "VIDEO",
        "BBS", "MODEM", "ISDN", "PCS", "INTERNET", "X400", "PREF",
    ].enumerated().map { ($1, $0) })

    /// `flags` as elements, in the DTD's order.
    static func elements(_ flags: Set<VCardFlag>) -> [XMLElement] {
        flags.sorted { lhs, rhs in
            let left = order[lhs.rawValue] ?? Int.max, right = order[rhs.rawValue] ?? Int.max
            return left != right ? left < right : lhs.rawValue < rhs.rawValue
        }.map { XMLElement($0.rawValue, namespace: VCard.namespace) }
    }

    /// Whether `element` reads as a flag: empty, in vcard-temp, and not one of `valueNames`.
    static func isFlag(_ element: XMLElement, valueNames: Set<String>) -> Bool {
        element.namespace == VCard.namespace && element.children.isEmpty && element.attributes.isEmpty
            && !valueNames.contains(element.name)
    }
}
