import XMPPCore

/// A server's contact addresses (XEP-0157 §3): the `http://jabber.org/network/serverinfo` form in
/// its disco#info (XEP-0128), one list per role.
public struct ServerContactAddresses: Sendable, Hashable {
    /// XEP-0157 §3: the FORM_TYPE scoping the fields.
    public static let formType = "http://jabber.org/network/serverinfo"
    /// Bounds what a hostile server can make us hold per role.
    public static let maximumAddressesPerRole = 64

    /// The roles XEP-0157 §6.1 registers, with their field names.
    public enum Role: String, Sendable, Hashable, CaseIterable {
        case abuse = "abuse-addresses"
        case admin = "admin-addresses"
        case feedback = "feedback-addresses"
        case sales = "sales-addresses"
        case security = "security-addresses"
        case status = "status-addresses"
        case support = "support-addresses"
    }

    public var abuse: [ContactAddress]
    public var admin: [ContactAddress]
    public var feedback: [ContactAddress]
    public var sales: [ContactAddress]
    public var security: [ContactAddress]
    public var status: [ContactAddress]
    public var support: [ContactAddress]

    public init(abuse: [ContactAddress] = [], admin: [ContactAddress] = [], feedback: [ContactAddress] = [],
                sales: [ContactAddress] = [], security: [ContactAddress] = [], status: [ContactAddress] = [],
                support: [ContactAddress] = []) {
        self.abuse = abuse
        self.admin = admin
        self.feedback = feedback
        self.sales = sales
        self.security = security
        self.status = status
        self.support = support
    }

    /// Reads the serverinfo form. Fields outside the registry are ignored (XEP-0068 §3); empty
    /// values are dropped; each role keeps at most ``maximumAddressesPerRole`` addresses.
    /// - Throws: `bad-request` when the form's FORM_TYPE is not ``formType``.
    public init(form: DataForm) throws(StanzaError) {
        guard form.formType == Self.formType else {
            throw StanzaError(.badRequest, text: "expected a form of FORM_TYPE \(Self.formType) (XEP-0157 §3)")
        }
        self.init()
        for role in Role.allCases {
            guard let field = form.field(role.rawValue) else { continue }
            let addresses = field.values.map(\.trimmedForContactAddress).filter { !$0.isEmpty }
                .prefix(Self.maximumAddressesPerRole).map(ContactAddress.init(uri:))
            self[role] = Array(addresses)
        }
    }

    /// The addresses for `role`.
    public subscript(role: Role) -> [ContactAddress] {
        get {
            switch role {
            case .abuse: abuse
            case .admin: admin
            case .feedback: feedback
            case .sales: sales
            case .security: security
            case .status: status
            case .support: support
            }
        }
        set {
            switch role {
            case .abuse: abuse = newValue
            case .admin: admin = newValue
            case .feedback: feedback = newValue
            case .sales: sales = newValue
            case .security: security = newValue
            case .status: status = newValue
            case .support: support = newValue
            }
        }
    }

    /// The XMPP addresses for `role`, in the server's order (e.g. where to send feedback).
    public func jids(for role: Role) -> [JID] {
        self[role].compactMap(\.jid)
    }

    /// True when no role has an address.
    public var isEmpty: Bool {
        Role.allCases.allSatisfy { self[$0].isEmpty }
    }

    /// The form a server would publish (XEP-0157 §3 Example 2).
    public var form: DataForm {
        var fields = [DataFormField(variable: "FORM_TYPE", type: .hidden, values: [Self.formType])]
        for role in Role.allCases where !self[role].isEmpty {
            fields.append(DataFormField(variable: role.rawValue, values: self[role].map(\.uri)))
        }
        return DataForm(kind: .result, fields: fields)
    }
}

extension String {
    var trimmedForContactAddress: String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
