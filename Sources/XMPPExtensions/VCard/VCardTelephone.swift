import XMPPXML

/// A telephone number, `TEL` (XEP-0054 §9: type flags, then `NUMBER`).
public struct VCardTelephone: Sendable, Hashable {
    /// `HOME`, `WORK`, `VOICE`, `FAX`, `PAGER`, `MSG`, `CELL`, `VIDEO`, `BBS`, `MODEM`, `ISDN`, `PCS`, `PREF`.
    public var flags: Set<VCardFlag>
    /// The number as written; empty when the property has none (§8: an empty `<NUMBER/>` is then sent).
    public var number: String
    /// Children the DTD does not name, kept for the round trip.
    public var otherElements: [XMLElement]

    public init(number: String, flags: Set<VCardFlag> = [], otherElements: [XMLElement] = []) {
        self.number = number
        self.flags = flags
        self.otherElements = otherElements
    }

    /// Reads a `TEL` element; never fails (a missing `NUMBER` reads as empty).
    public init(element: XMLElement) {
        let fields = VCardFields(element, values: ["NUMBER"], flags: true)
        self.init(number: fields.values["NUMBER"] ?? "", flags: fields.flags, otherElements: fields.others)
    }

    /// §8: the number is always inside `NUMBER`, empty when there is none.
    public var element: XMLElement {
        VCardFields.property("TEL", flags: flags, values: [("NUMBER", number)], others: otherElements)
    }
}
