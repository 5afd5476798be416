import XMPPClient
import XMPPCore
import XMPPXML

/// XEP-0157 contact addresses for XMPP services.
enum ContactAddressChecks {
    static let all = [addresses]

    /// Whether `value` starts with an RFC 3986 §3.1 scheme and a colon.
    static func isURI(_ value: String) -> Bool {
        guard let colon = value.firstIndex(of: ":"), value.index(after: colon) != value.endIndex, !value.contains(" ") else { return false }
        let scheme = Array(value[..<colon].unicodeScalars)
        func letter(_ scalar: Unicode.Scalar) -> Bool { ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) }
        guard let first = scheme.first, letter(first) else { return false }
        return scheme.allSatisfy { letter($0) || ("0"..."9").contains($0) || $0 == "+" || $0 == "-" || $0 == "." }
    }

    static let addresses = ConformanceCheck(
        "xep0157-contact-addresses", "Contact addresses are a proper serverinfo form",
        cites: Citation("XEP-0157", "3", "This information MUST be scoped using a FORM_TYPE of \"http://jabber.org/network/serverinfo\" … Values of 'status-addresses' form field MUST be valid URIs"),
        category: .extensions, levels: [], needs: .oneAccount,
        sends: "disco#info to the domain",
        expects: "when a form with FORM_TYPE http://jabber.org/network/serverinfo is present: FORM_TYPE is a hidden field and the status-addresses values are URIs"
    ) { context in
        let account = try await context.accounts(1)[0]
        let (probe, _) = try await context.loggedIn(account)
        let query = try await context.serverInfo(on: probe)
        let forms = query.children("x", namespace: NS.dataForms).filter { form in
            form.children("field", namespace: NS.dataForms).contains {
                $0.attribute("var") == "FORM_TYPE" && $0.childText("value", namespace: NS.dataForms) == NS.serverInfo
            }
        }
        guard let form = forms.first else { throw CheckNotApplicable("the server publishes no contact addresses (no serverinfo form in disco#info)") }
        let fields = form.children("field", namespace: NS.dataForms)
        let formType = fields.first { $0.attribute("var") == "FORM_TYPE" }
        try context.expect(formType?.attribute("type") == "hidden",
                           "the FORM_TYPE field has type \(formType?.attribute("type").map { "'\($0)'" } ?? "(none)"), not 'hidden': \(form)")
        let status = fields.filter { $0.attribute("var") == "status-addresses" }.flatMap { $0.children("value", namespace: NS.dataForms).map(\.text) }
        let bad = status.filter { !isURI($0) }
        try context.expect(bad.isEmpty, "status-addresses values that are not URIs: \(bad)")
    }
}
