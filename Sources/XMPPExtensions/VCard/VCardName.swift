import XMPPXML

/// The structured name, `N` (XEP-0054 §9: `FAMILY?, GIVEN?, MIDDLE?, PREFIX?, SUFFIX?`).
public struct VCardName: Sendable, Hashable {
    public var family: String?
    public var given: String?
    public var middle: String?
    public var prefix: String?
    public var suffix: String?
    /// Children the DTD does not name, kept for the round trip.
    public var otherElements: [XMLElement]

    public init(family: String? = nil, given: String? = nil, middle: String? = nil, prefix: String? = nil,
                suffix: String? = nil, otherElements: [XMLElement] = []) {
        self.family = family
        self.given = given
        self.middle = middle
        self.prefix = prefix
        self.suffix = suffix
        self.otherElements = otherElements
    }

    private static let names: Set<String> = ["FAMILY", "GIVEN", "MIDDLE", "PREFIX", "SUFFIX"]

    /// Reads an `N` element; never fails (every child it does not know is kept).
    public init(element: XMLElement) {
        let fields = VCardFields(element, values: Self.names)
        self.init(family: fields.values["FAMILY"], given: fields.values["GIVEN"], middle: fields.values["MIDDLE"],
                  prefix: fields.values["PREFIX"], suffix: fields.values["SUFFIX"], otherElements: fields.others)
    }

    public var element: XMLElement {
        VCardFields.property("N", values: [("FAMILY", family), ("GIVEN", given), ("MIDDLE", middle),
                                           ("PREFIX", prefix), ("SUFFIX", suffix)], others: otherElements)
    }
}
