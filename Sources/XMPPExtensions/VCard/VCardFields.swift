import XMPPXML

/// The children of one vcard-temp property (`N`, `TEL`, `ADR`…) sorted into the values the DTD
/// names, type flags, and everything else, kept whole so that nothing is lost on a round trip.
struct VCardFields {
    /// The text of each named value element (its first occurrence).
    var values: [String: String] = [:]
    /// The texts of value elements that may repeat (`ORGUNIT`), in order.
    var repeated: [String: [String]] = [:]
    var flags: Set<VCardFlag> = []
    /// Children that are none of the above (unknown, repeated, or not plain text), in order.
    var others: [XMLElement] = []

    init(_ element: XMLElement, values valueNames: Set<String>, repeated repeatedNames: Set<String> = [],
         flags allowsFlags: Bool = false) {
        for child in element.elements {
            if child.namespace == VCard.namespace, let text = Self.plainText(child) {
                if repeatedNames.contains(child.name) {
                    repeated[child.name, default: []].append(text)
                    continue
                }
                if valueNames.contains(child.name), values[child.name] == nil {
                    values[child.name] = text
                    continue
                }
            }
            if allowsFlags, VCardFlag.isFlag(child, valueNames: valueNames.union(repeatedNames)) {
                flags.insert(VCardFlag(rawValue: child.name))
            } else {
                others.append(child)
            }
        }
    }

    /// The character data of an element holding only text (no attributes, no child elements);
    /// nil for anything richer, which is then kept as an element.
    static func plainText(_ element: XMLElement) -> String? {
        guard element.attributes.isEmpty, element.children.allSatisfy({ $0.text != nil }) else { return nil }
        return element.text
    }

    /// `<name>value</name>` in vcard-temp, or nothing for nil.
    static func element(_ name: String, _ value: String?) -> XMLElement? {
        guard let value else { return nil }
        var element = XMLElement(name, namespace: VCard.namespace)
        element.append(text: value)
        return element
    }

    /// A property element: its flags, then its values in `order`, then the other children.
    static func property(_ name: String, flags: Set<VCardFlag> = [], values: [(String, String?)],
                         others: [XMLElement]) -> XMLElement {
        var element = XMLElement(name, namespace: VCard.namespace)
        for flag in VCardFlag.elements(flags) { element.append(flag) }
        for (valueName, value) in values {
            if let child = Self.element(valueName, value) { element.append(child) }
        }
        for other in others { element.append(other) }
        return element
    }
}

/// `text` without leading and trailing XML whitespace (space, tab, CR, LF).
func trimmed(_ text: String) -> String {
    let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
    guard let first = text.firstIndex(where: { !isSpace($0) }), let last = text.lastIndex(where: { !isSpace($0) }) else { return "" }
    return String(text[first...last])
}
