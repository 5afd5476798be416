import XMPPCore
import XMPPXML

/// The `<query xmlns='jabber:iq:register'/>` payload of in-band registration (XEP-0077 §3): what a
/// host asks for (§3.1 Example 2), what an entity submits (Example 4), a cancellation (§3.2) and a
/// password change (§3.3).
///
/// Legacy fields keep the order the host listed them in. A host MUST NOT add fields beyond the
/// schema (§4), but one that does is kept too, so that a client can say it cannot fill it.
public struct RegistrationQuery: Sendable, Hashable {
    public static let namespace = "jabber:iq:register"
    /// XEP-0077 §8: the stream feature advertising in-band registration.
    public static let streamFeatureNamespace = "http://jabber.org/features/iq-register"
    /// XEP-0066: the out-of-band URL a host redirects to (§5).
    public static let outOfBandNamespace = "jabber:x:oob"
    /// XEP-0077 §13 schema: the legacy fields a host may ask for.
    public static let schemaFields: Set<String> = [
        "username", "nick", "password", "name", "first", "last", "email", "address", "city", "state", "zip",
        "phone", "url", "date", "misc", "text", "key",
    ]
    /// Bounds what a hostile host can make us hold: the schema has 17 fields.
    public static let maximumFields = 64

    /// One legacy field: its element name and its text (empty when the host only asks for it).
    public struct Field: Sendable, Hashable {
        public var name: String
        public var value: String

        public init(_ name: String, _ value: String = "") {
            self.name = name
            self.value = value
        }
    }

    /// §3.1 `<instructions/>`, whitespace trimmed.
    public var instructions: String?
    /// §3.1 Example 3: `<registered/>`, the entity is registered already.
    public var isRegistered: Bool
    /// §3.2 `<remove/>`: cancel the registration.
    public var isRemove: Bool
    /// The legacy fields, in the host's order.
    public var fields: [Field]
    /// §4: the data form, which takes precedence over the legacy fields (§6).
    public var form: DataForm?
    /// §5: the URL of a registration done out of band (XEP-0066 `<x xmlns='jabber:x:oob'><url/></x>`).
    public var redirectURL: String?

    public init(instructions: String? = nil, isRegistered: Bool = false, isRemove: Bool = false, fields: [Field] = [],
                form: DataForm? = nil, redirectURL: String? = nil) {
        self.instructions = instructions
        self.isRegistered = isRegistered
        self.isRemove = isRemove
        self.fields = fields
        self.form = form
        self.redirectURL = redirectURL
    }

    /// Reads `<query xmlns='jabber:iq:register'/>`.
    /// - Throws: `bad-request` for another element, more than ``maximumFields`` fields, a field with
    ///   children, or a malformed data form.
    public init(element: XMLElement) throws(StanzaError) {
        guard element.name == "query", element.namespace == Self.namespace else {
            throw StanzaError(.badRequest, text: "expected <query xmlns='\(Self.namespace)'/>")
        }
        var instructions: String?
        var isRegistered = false
        var isRemove = false
        var fields: [Field] = []
        var form: DataForm?
        var redirectURL: String?
        for child in element.elements {
            switch (child.namespace, child.name) {
            case (Self.namespace, "instructions"): instructions = child.text.trimmedForRegistration
            case (Self.namespace, "registered"): isRegistered = true
            case (Self.namespace, "remove"): isRemove = true
            case (Self.namespace, _):
                guard child.elements.isEmpty else {
                    throw StanzaError(.badRequest, text: "registration field <\(child.name)/> holds elements; the schema gives it text only (XEP-0077 §13)")
                }
                guard fields.count < Self.maximumFields else {
                    throw StanzaError(.badRequest, text: "more than \(Self.maximumFields) registration fields")
                }
                guard !fields.contains(where: { $0.name == child.name }) else {
                    throw StanzaError(.badRequest, text: "registration field <\(child.name)/> appears twice")
                }
                fields.append(Field(child.name, child.text))
            case (DataForm.namespace, "x"):
                // §4: at most one form; a second is ignored, as unknown data would be (§6).
                if form == nil { form = try DataForm(element: child) }
            case (Self.outOfBandNamespace, "x"):
                redirectURL = child.childText("url", namespace: Self.outOfBandNamespace)?.trimmedForRegistration
            default:
                // §6: data in a namespace we do not understand MUST be ignored.
                continue
            }
        }
        self.init(instructions: instructions, isRegistered: isRegistered, isRemove: isRemove, fields: fields, form: form,
                  redirectURL: redirectURL)
    }

    public var element: XMLElement {
        var element = XMLElement("query", namespace: Self.namespace)
        if isRegistered { element.append(XMLElement("registered", namespace: Self.namespace)) }
        if let instructions { element.append(XMLElement("instructions", namespace: Self.namespace, text: instructions)) }
        for field in fields {
            element.append(field.value.isEmpty ? XMLElement(field.name, namespace: Self.namespace)
                                               : XMLElement(field.name, namespace: Self.namespace, text: field.value))
        }
        if isRemove { element.append(XMLElement("remove", namespace: Self.namespace)) }
        if let form { element.append(form.element) }
        if let redirectURL {
            var oob = XMLElement("x", namespace: Self.outOfBandNamespace)
            oob.append(XMLElement("url", namespace: Self.outOfBandNamespace, text: redirectURL))
            element.append(oob)
        }
        return element
    }

    /// The legacy field named `name`.
    public func field(_ name: String) -> Field? {
        fields.first { $0.name == name }
    }

    /// The text of the legacy field named `name`, nil when absent or empty.
    public func value(_ name: String) -> String? {
        guard let value = field(name)?.value, !value.isEmpty else { return nil }
        return value
    }

    /// §5 and §6: the host gives instructions (and maybe a URL) but no fields and no form, so
    /// registration happens elsewhere.
    public var isRedirect: Bool {
        form == nil && fields.isEmpty && !isRegistered && (instructions != nil || redirectURL != nil)
    }
}

extension String {
    var trimmedForRegistration: String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
