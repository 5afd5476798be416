import XMPPXML

/// XEP examples are indented; the elements our modules build are not. Comparing them needs the
/// indentation (whitespace-only text between elements) removed.
enum BlockingTestXML {
    static func trimmed(_ element: XMLElement) -> XMLElement {
        var copy = element
        copy.children = element.children.compactMap { node in
            switch node {
            case .element(let child): return .element(trimmed(child))
            case .text(let text): return text.allSatisfy(\.isWhitespace) && element.children.count > 1 ? nil : node
            }
        }
        return copy
    }

    static func trimmed(_ element: XMLElement?) -> XMLElement? {
        element.map { trimmed($0) }
    }
}
