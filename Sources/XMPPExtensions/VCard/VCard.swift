import XMPPCore
import XMPPXML

/// A vcard-temp vCard (XEP-0054): the properties applications use, typed, and every other child
/// kept whole, so that a get-modify-set (§3.2: there are no partial updates) loses nothing.
///
/// Text values are kept as sent (an empty element reads as `""`, an absent one as nil). A single
/// property that appears twice keeps its first occurrence typed and the rest in ``otherElements``.
public struct VCard: Sendable, Hashable {
    public static let namespace = "vcard-temp"

    /// The formatted name, `FN`.
    public var formattedName: String?
    /// The structured name, `N`.
    public var name: VCardName?
    /// `NICKNAME`.
    public var nickname: String?
    /// `PHOTO`, the avatar of XEP-0153.
    public var photo: VCardPhoto?
    /// The birthday, `BDAY` (ISO 8601 date, as written).
    public var birthday: String?
    /// `URL`.
    public var url: String?
    /// The organization, `ORG`.
    public var organization: VCardOrganization?
    /// The job title, `TITLE`.
    public var title: String?
    /// The role within the organization, `ROLE`.
    public var role: String?
    /// Telephone numbers, `TEL`, in order.
    public var telephones: [VCardTelephone]
    /// Postal addresses, `ADR`, in order.
    public var addresses: [VCardAddress]
    /// Email addresses, `EMAIL`, in order.
    public var emails: [VCardEmail]
    /// The XMPP address, `JABBERID`, as written (see ``jid``).
    public var jabberID: String?
    /// Free-form text about the person, `DESC` (added by the Jabber community, XEP-0054 §2).
    public var desc: String?
    /// `NOTE`.
    public var note: String?
    /// Every other child (LOGO, GEO, TZ, X-… and anything unknown), in order, as received.
    public var otherElements: [XMLElement]
    /// The attributes of the `<vCard/>` element itself (some software adds `version`, §8).
    public var attributes: [XMLAttribute]

    public init(formattedName: String? = nil, name: VCardName? = nil, nickname: String? = nil, photo: VCardPhoto? = nil,
                birthday: String? = nil, url: String? = nil, organization: VCardOrganization? = nil,
                title: String? = nil, role: String? = nil, telephones: [VCardTelephone] = [],
                addresses: [VCardAddress] = [], emails: [VCardEmail] = [], jabberID: String? = nil,
                desc: String? = nil, note: String? = nil, otherElements: [XMLElement] = [],
                attributes: [XMLAttribute] = []) {
        self.formattedName = formattedName
        self.name = name
        self.nickname = nickname
        self.photo = photo
        self.birthday = birthday
        self.url = url
        self.organization = organization
        self.title = title
        self.role = role
        self.telephones = telephones
        self.addresses = addresses
        self.emails = emails
        self.jabberID = jabberID
        self.desc = desc
        self.note = note
        self.otherElements = otherElements
        self.attributes = attributes
    }

    /// ``jabberID`` as a JID, nil when absent or invalid.
    public var jid: JID? { jabberID.flatMap { try? JID(trimmed($0)) } }

    /// Whether the vCard holds nothing (XEP-0054 §3.1: how some servers say there is none).
    public var isEmpty: Bool { self == VCard() }

    private static let textProperties: Set<String> = [
        "FN", "NICKNAME", "BDAY", "URL", "TITLE", "ROLE", "JABBERID", "DESC", "NOTE",
    ]

    /// Reads `<vCard xmlns='vcard-temp'/>`, decoding the PHOTO within `limits`.
    /// - Throws: ``VCardError`` for another element or a PHOTO that is too large or not base64.
    public init(element: XMLElement, limits: Limits = Limits()) throws(VCardError) {
        guard element.name == "vCard", element.namespace == Self.namespace else {
            throw .notAVCard(name: element.name, namespace: element.namespace)
        }
        self.init(attributes: element.attributes)
        var texts: [String: String] = [:]
        for child in element.elements {
            guard child.namespace == Self.namespace else {
                otherElements.append(child)
                continue
            }
            if Self.textProperties.contains(child.name) {
                if texts[child.name] == nil, let text = VCardFields.plainText(child) {
                    texts[child.name] = text
                } else {
                    otherElements.append(child)
                }
                continue
            }
            // A structured property with attributes or text of its own is not one we can type
            // without losing something (EMAIL excepted: its text is an address), so it stays whole.
            guard Self.isStructured(child) else {
                otherElements.append(child)
                continue
            }
            switch child.name {
            case "N" where name == nil: name = VCardName(element: child)
            case "ORG" where organization == nil: organization = VCardOrganization(element: child)
            case "PHOTO" where photo == nil: photo = try VCardPhoto(element: child, limits: limits)
            case "TEL": telephones.append(VCardTelephone(element: child))
            case "ADR": addresses.append(VCardAddress(element: child))
            case "EMAIL": emails.append(VCardEmail(element: child))
            default: otherElements.append(child)
            }
        }
        formattedName = texts["FN"]
        nickname = texts["NICKNAME"]
        birthday = texts["BDAY"]
        url = texts["URL"]
        title = texts["TITLE"]
        role = texts["ROLE"]
        jabberID = texts["JABBERID"]
        desc = texts["DESC"]
        note = texts["NOTE"]
    }

    private static func isStructured(_ element: XMLElement) -> Bool {
        guard element.attributes.isEmpty else { return false }
        if element.name == "EMAIL" { return true }
        return element.children.allSatisfy { node in node.text.map { trimmed($0).isEmpty } ?? true }
    }

    /// The `<vCard xmlns='vcard-temp'/>` element: the typed properties in the order of XEP-0054's
    /// examples, then ``otherElements``.
    public var element: XMLElement {
        var element = XMLElement("vCard", namespace: Self.namespace, attributes: attributes)
        func add(_ child: XMLElement?) {
            if let child { element.append(child) }
        }
        add(VCardFields.element("FN", formattedName))
        add(name?.element)
        add(VCardFields.element("NICKNAME", nickname))
        add(photo?.element)
        add(VCardFields.element("BDAY", birthday))
        add(VCardFields.element("URL", url))
        add(organization?.element)
        add(VCardFields.element("TITLE", title))
        add(VCardFields.element("ROLE", role))
        for telephone in telephones { add(telephone.element) }
        for address in addresses { add(address.element) }
        for email in emails { add(email.element) }
        add(VCardFields.element("JABBERID", jabberID))
        add(VCardFields.element("DESC", desc))
        add(VCardFields.element("NOTE", note))
        for other in otherElements { add(other) }
        return element
    }
}
