import XMPPCore
import XMPPXML

/// One `<field/>` of a data form (XEP-0004 §3.2).
public struct DataFormField: Sendable, Hashable {
    /// XEP-0004 §3.3 field types. A type the XEP does not define is kept as `.other` and treated as
    /// `text-single`, as §3.3 treats a field without a type.
    public enum FieldType: Sendable, Hashable {
        case boolean, fixed, hidden, jidMulti, jidSingle, listMulti, listSingle, textMulti, textPrivate, textSingle
        case other(String)

        private static let names: [(FieldType, String)] = [
            (.boolean, "boolean"), (.fixed, "fixed"), (.hidden, "hidden"), (.jidMulti, "jid-multi"), (.jidSingle, "jid-single"),
            (.listMulti, "list-multi"), (.listSingle, "list-single"), (.textMulti, "text-multi"),
            (.textPrivate, "text-private"), (.textSingle, "text-single"),
        ]

        public init(rawValue: String) {
            self = Self.names.first { $0.1 == rawValue }?.0 ?? .other(rawValue)
        }

        public var rawValue: String {
            if case .other(let name) = self { return name }
            return Self.names.first { $0.0 == self }?.1 ?? "text-single"
        }

        /// True for the types whose values are multiple (§3.3).
        public var isMultiValued: Bool {
            switch self {
            case .jidMulti, .listMulti, .textMulti: true
            default: false
            }
        }
    }

    /// XEP-0004 §3.2 `<option/>`.
    public struct Option: Sendable, Hashable {
        public var label: String?
        public var value: String

        public init(label: String? = nil, value: String) {
            self.label = label
            self.value = value
        }
    }

    public var variable: String?
    /// nil when the field carried no `type` (text-single, §3.3).
    public var type: FieldType?
    public var label: String?
    public var description: String?
    public var isRequired: Bool
    public var values: [String]
    public var options: [Option]

    public init(variable: String?, type: FieldType? = nil, label: String? = nil, description: String? = nil,
                isRequired: Bool = false, values: [String] = [], options: [Option] = []) {
        self.variable = variable
        self.type = type
        self.label = label
        self.description = description
        self.isRequired = isRequired
        self.values = values
        self.options = options
    }

    /// Reads a `<field/>`. §3.2: every field but `fixed` has a `var` in a form.
    init(element: XMLElement, requireVar: Bool = false) throws(StanzaError) {
        let namespace = DataForm.namespace
        variable = element.attribute("var")
        type = element.attribute("type").map(FieldType.init(rawValue:))
        if requireVar, variable == nil, type != .fixed {
            throw StanzaError(.badRequest, text: "a field of type \(type?.rawValue ?? "text-single") needs a 'var' (XEP-0004 §3.2)")
        }
        label = element.attribute("label")
        description = element.childText("desc", namespace: namespace)
        isRequired = element.child("required", namespace: namespace) != nil
        values = element.children("value", namespace: namespace).map(\.text)
        options = element.children("option", namespace: namespace).map {
            Option(label: $0.attribute("label"), value: $0.childText("value", namespace: namespace) ?? "")
        }
    }

    public var element: XMLElement {
        let namespace = DataForm.namespace
        var element = XMLElement("field", namespace: namespace)
        element.setAttribute("var", to: variable)
        element.setAttribute("type", to: type?.rawValue)
        element.setAttribute("label", to: label)
        if let description { element.append(XMLElement("desc", namespace: namespace, text: description)) }
        if isRequired { element.append(XMLElement("required", namespace: namespace)) }
        for value in values { element.append(XMLElement("value", namespace: namespace, text: value)) }
        for option in options {
            var optionElement = XMLElement("option", namespace: namespace)
            optionElement.setAttribute("label", to: option.label)
            optionElement.append(XMLElement("value", namespace: namespace, text: option.value))
            element.append(optionElement)
        }
        return element
    }

    /// XEP-0004 §3.3 boolean: "1" and "true" are true.
    public var boolValue: Bool? {
        guard let value = values.first else { return nil }
        switch value { case "1", "true": return true
        case "0", "false": return false
        default: return nil }
    }
}
