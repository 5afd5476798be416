import XMPPCore
import XMPPXML

/// A data form (XEP-0004): what in-band registration (XEP-0077 §6), server contact addresses
/// (XEP-0157) and extended disco info (XEP-0128) carry.
public struct DataForm: Sendable, Hashable {
    /// XEP-0004 §3.1 form types.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case form, submit, cancel, result
    }

    public static let namespace = "jabber:x:data"

    public var kind: Kind
    public var title: String?
    public var instructions: [String]
    public var fields: [DataFormField]
    /// XEP-0004 §3.4: the column headings of a multi-item result.
    public var reported: [DataFormField]?
    /// XEP-0004 §3.4: the rows of a multi-item result.
    public var items: [[DataFormField]]

    public init(kind: Kind, title: String? = nil, instructions: [String] = [], fields: [DataFormField] = [],
                reported: [DataFormField]? = nil, items: [[DataFormField]] = []) {
        self.kind = kind
        self.title = title
        self.instructions = instructions
        self.fields = fields
        self.reported = reported
        self.items = items
    }

    /// Reads `<x xmlns='jabber:x:data'/>`.
    /// - Throws: `bad-request` for a missing or unknown form type, or a field without `var` where
    ///   §3.2 requires one.
    public init(element: XMLElement) throws(StanzaError) {
        guard element.name == "x", element.namespace == Self.namespace else {
            throw StanzaError(.badRequest, text: "expected <x xmlns='jabber:x:data'/>")
        }
        guard let type = element.attribute("type"), let kind = Kind(rawValue: type) else {
            throw StanzaError(.badRequest, text: "a data form needs a type of form, submit, cancel or result (XEP-0004 §3.1)")
        }
        self.kind = kind
        title = element.childText("title", namespace: Self.namespace)
        instructions = element.children("instructions", namespace: Self.namespace).map(\.text)
        fields = try element.children("field", namespace: Self.namespace).map { field throws(StanzaError) in
            try DataFormField(element: field, requireVar: kind != .result)
        }
        reported = try element.child("reported", namespace: Self.namespace).map { reported throws(StanzaError) in
            try reported.children("field", namespace: Self.namespace).map { field throws(StanzaError) in try DataFormField(element: field) }
        }
        items = try element.children("item", namespace: Self.namespace).map { item throws(StanzaError) in
            try item.children("field", namespace: Self.namespace).map { field throws(StanzaError) in try DataFormField(element: field) }
        }
    }

    public var element: XMLElement {
        var element = XMLElement("x", namespace: Self.namespace, attributes: ["type": kind.rawValue])
        if let title { element.append(XMLElement("title", namespace: Self.namespace, text: title)) }
        for line in instructions { element.append(XMLElement("instructions", namespace: Self.namespace, text: line)) }
        if let reported {
            var header = XMLElement("reported", namespace: Self.namespace)
            for field in reported { header.append(field.element) }
            element.append(header)
        }
        for row in items {
            var item = XMLElement("item", namespace: Self.namespace)
            for field in row { item.append(field.element) }
            element.append(item)
        }
        for field in fields { element.append(field.element) }
        return element
    }

    /// The field named `variable`.
    public func field(_ variable: String) -> DataFormField? {
        fields.first { $0.variable == variable }
    }

    /// The first value of the field named `variable`.
    public func value(_ variable: String) -> String? {
        field(variable)?.values.first
    }

    /// XEP-0068 §2: the `FORM_TYPE` hidden field naming what the form is for.
    public var formType: String? {
        value("FORM_TYPE")
    }

    /// A `submit` form answering this one: `values` by field name, the `FORM_TYPE` kept (XEP-0004 §3.1).
    public func submission(_ values: [String: [String]]) -> DataForm {
        var submitted: [DataFormField] = []
        if let formType { submitted.append(DataFormField(variable: "FORM_TYPE", type: .hidden, values: [formType])) }
        for field in fields where field.type != .fixed {
            guard let variable = field.variable, variable != "FORM_TYPE", let value = values[variable] else { continue }
            submitted.append(DataFormField(variable: variable, values: value))
        }
        return DataForm(kind: .submit, fields: submitted)
    }

    /// The required fields (§3.2 `<required/>`) that `values` leaves empty.
    public func missingRequiredFields(in values: [String: [String]]) -> [String] {
        fields.filter(\.isRequired).compactMap(\.variable).filter { values[$0]?.contains { !$0.isEmpty } != true }
    }
}
