import XMPPXML

/// A postal address, `ADR` (XEP-0054 §9: type flags, then `POBOX?, EXTADD?, STREET?, LOCALITY?,
/// REGION?, PCODE?, CTRY?`).
public struct VCardAddress: Sendable, Hashable {
    /// `HOME`, `WORK`, `POSTAL`, `PARCEL`, `DOM`, `INTL`, `PREF`.
    public var flags: Set<VCardFlag>
    public var postOfficeBox: String?
    /// The extended address (`EXTADD`): a suite, an apartment.
    public var extendedAddress: String?
    public var street: String?
    /// The city (`LOCALITY`).
    public var locality: String?
    public var region: String?
    /// The postal code (`PCODE`).
    public var postalCode: String?
    /// The country (`CTRY`, §8: not `COUNTRY`).
    public var country: String?
    /// Children the DTD does not name, kept for the round trip.
    public var otherElements: [XMLElement]

    public init(flags: Set<VCardFlag> = [], postOfficeBox: String? = nil, extendedAddress: String? = nil,
                street: String? = nil, locality: String? = nil, region: String? = nil, postalCode: String? = nil,
                country: String? = nil, otherElements: [XMLElement] = []) {
        self.flags = flags
        self.postOfficeBox = postOfficeBox
        self.extendedAddress = extendedAddress
        self.street = street
        self.locality = locality
        self.region = region
        self.postalCode = postalCode
        self.country = country
        self.otherElements = otherElements
    }

    private static let names: Set<String> = ["POBOX", "EXTADD", "STREET", "LOCALITY", "REGION", "PCODE", "CTRY"]

    /// Reads an `ADR` element; never fails.
    public init(element: XMLElement) {
        let fields = VCardFields(element, values: Self.names, flags: true)
        self.init(flags: fields.flags, postOfficeBox: fields.values["POBOX"], extendedAddress: fields.values["EXTADD"],
                  street: fields.values["STREET"], locality: fields.values["LOCALITY"], region: fields.values["REGION"],
                  postalCode: fields.values["PCODE"], country: fields.values["CTRY"], otherElements: fields.others)
    }

    public var element: XMLElement {
        VCardFields.property("ADR", flags: flags, values: [
            ("POBOX", postOfficeBox), ("EXTADD", extendedAddress), ("STREET", street), ("LOCALITY", locality),
            ("REGION", region), ("PCODE", postalCode), ("CTRY", country),
        ], others: otherElements)
    }
}
