import XMPPXML

/// An email address, `EMAIL` (XEP-0054 §9: `HOME?, WORK?, INTERNET?, PREF?, X400?, USERID`).
public struct VCardEmail: Sendable, Hashable {
    /// `HOME`, `WORK`, `INTERNET`, `PREF`, `X400`.
    public var flags: Set<VCardFlag>
    /// The address, from `USERID` (§8: never as text of `EMAIL` itself).
    public var address: String
    /// Children the DTD does not name, kept for the round trip.
    public var otherElements: [XMLElement]

    public init(address: String, flags: Set<VCardFlag> = [.internet], otherElements: [XMLElement] = []) {
        self.address = address
        self.flags = flags
        self.otherElements = otherElements
    }

    /// Reads an `EMAIL` element. Some software writes the address as the element's text instead of
    /// in `USERID` (XEP-0153's examples did, before version 1.1.1); that text is read as the address
    /// and written back inside `USERID`.
    public init(element: XMLElement) {
        let fields = VCardFields(element, values: ["USERID"], flags: true)
        var address = fields.values["USERID"]
        if address == nil {
            let text = element.text
            if !text.isEmpty { address = trimmed(text) }
        }
        self.init(address: address ?? "", flags: fields.flags, otherElements: fields.others)
    }

    public var element: XMLElement {
        VCardFields.property("EMAIL", flags: flags, values: [("USERID", address)], others: otherElements)
    }
}
