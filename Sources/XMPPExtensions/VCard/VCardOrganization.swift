import XMPPXML

/// The organization, `ORG` (XEP-0054 §9: `ORGNAME, ORGUNIT*`).
public struct VCardOrganization: Sendable, Hashable {
    public var name: String?
    /// Units within the organization, outermost first.
    public var units: [String]
    /// Children the DTD does not name, kept for the round trip.
    public var otherElements: [XMLElement]

    public init(name: String?, units: [String] = [], otherElements: [XMLElement] = []) {
        self.name = name
        self.units = units
        self.otherElements = otherElements
    }

    /// Reads an `ORG` element; never fails.
    public init(element: XMLElement) {
        let fields = VCardFields(element, values: ["ORGNAME"], repeated: ["ORGUNIT"])
        self.init(name: fields.values["ORGNAME"], units: fields.repeated["ORGUNIT"] ?? [], otherElements: fields.others)
    }

    public var element: XMLElement {
        var element = VCardFields.property("ORG", values: [("ORGNAME", name)], others: [])
        for unit in units {
            if let child = VCardFields.element("ORGUNIT", unit) { element.append(child) }
        }
        for other in otherElements { element.append(other) }
        return element
    }
}
