/// A child of an ``XMLElement``: another element or a run of character data.
public enum XMLNode: Sendable, Hashable {
    case element(XMLElement)
    case text(String)

    public var element: XMLElement? {
        if case .element(let element) = self { return element }
        return nil
    }

    public var text: String? {
        if case .text(let text) = self { return text }
        return nil
    }
}
