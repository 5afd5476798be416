/// An XML element as a value: its qualified name, attributes, and children in document order.
///
/// Stanzas in `XMPPCore` are thin views over this type. Adjacent character data is always kept as a
/// single text node (``append(text:)`` merges), so an element survives serialization and parsing
/// unchanged: `parse(serialize(x)) == x`.
///
/// Equality ignores the order of attributes (XML gives it no meaning) but not the order of children.
public struct XMLElement: Sendable {
    /// The local name, without any prefix.
    public var name: String
    /// The namespace name; `""` when the element is in no namespace.
    public var namespace: String
    public var attributes: [XMLAttribute]
    public var children: [XMLNode]

    public init(_ name: String, namespace: String = "", attributes: [XMLAttribute] = [], children: [XMLNode] = []) {
        self.name = name
        self.namespace = namespace
        self.attributes = attributes
        self.children = children
    }

    /// An element with unqualified attributes given as pairs, and optional text content.
    public init(_ name: String, namespace: String = "", attributes: KeyValuePairs<String, String>, text: String? = nil) {
        self.init(name, namespace: namespace, attributes: attributes.map { XMLAttribute($0.key, value: $0.value) })
        if let text { append(text: text) }
    }

    /// An element whose only content is `text`.
    public init(_ name: String, namespace: String = "", text: String) {
        self.init(name, namespace: namespace)
        append(text: text)
    }
}

// MARK: - Attributes

extension XMLElement {
    /// The value of the attribute `name` in `namespace` (unqualified by default), or `nil`.
    public func attribute(_ name: String, namespace: String = "") -> String? {
        for attribute in attributes where attribute.name == name && attribute.namespace == namespace {
            return attribute.value
        }
        return nil
    }

    /// Sets, replaces or (with `nil`) removes an attribute.
    public mutating func setAttribute(_ name: String, namespace: String = "", to value: String?) {
        if let index = attributes.firstIndex(where: { $0.name == name && $0.namespace == namespace }) {
            if let value { attributes[index].value = value } else { attributes.remove(at: index) }
        } else if let value {
            attributes.append(XMLAttribute(name, namespace: namespace, value: value))
        }
    }

    public subscript(attribute name: String) -> String? {
        get { attribute(name) }
        set { setAttribute(name, to: newValue) }
    }
}

// MARK: - Children

extension XMLElement {
    /// The child elements, skipping text.
    public var elements: [XMLElement] {
        children.compactMap(\.element)
    }

    /// The first child element called `name` in `namespace`.
    public func child(_ name: String, namespace: String) -> XMLElement? {
        for case .element(let element) in children where element.name == name && element.namespace == namespace {
            return element
        }
        return nil
    }

    /// The first child element in `namespace`, whatever its name (a stanza's payload, say).
    public func firstChild(namespace: String) -> XMLElement? {
        for case .element(let element) in children where element.namespace == namespace {
            return element
        }
        return nil
    }

    /// Every child element called `name` in `namespace`.
    public func children(_ name: String, namespace: String) -> [XMLElement] {
        children.compactMap { node in
            guard case .element(let element) = node, element.name == name, element.namespace == namespace else { return nil }
            return element
        }
    }

    /// The text of the first child called `name` in `namespace`, or `nil` when there is no such child.
    public func childText(_ name: String, namespace: String) -> String? {
        child(name, namespace: namespace)?.text
    }

    /// All character data directly inside this element, concatenated.
    public var text: String {
        var result = ""
        for case .text(let text) in children { result += text }
        return result
    }

    public mutating func append(_ element: XMLElement) {
        children.append(.element(element))
    }

    /// Appends character data, merging it with a text node that ends the children already.
    public mutating func append(text: String) {
        guard !text.isEmpty else { return }
        if case .text(let previous)? = children.last {
            children[children.count - 1] = .text(previous + text)
        } else {
            children.append(.text(text))
        }
    }

    /// Removes every child element called `name` in `namespace`.
    public mutating func removeChildren(_ name: String, namespace: String) {
        children.removeAll { node in
            guard case .element(let element) = node else { return false }
            return element.name == name && element.namespace == namespace
        }
    }
}

// MARK: - Equality

extension XMLElement: Hashable {
    public static func == (lhs: XMLElement, rhs: XMLElement) -> Bool {
        guard lhs.name == rhs.name, lhs.namespace == rhs.namespace,
              lhs.attributes.count == rhs.attributes.count, lhs.children == rhs.children
        else { return false }
        return lhs.attributes.allSatisfy { attribute in
            rhs.attribute(attribute.name, namespace: attribute.namespace) == attribute.value
        }
    }

    public func hash(into hasher: inout Hasher) {
        // Attributes are left out so that hashing agrees with order-insensitive equality.
        hasher.combine(name)
        hasher.combine(namespace)
        hasher.combine(attributes.count)
        hasher.combine(children)
    }
}

extension XMLElement: CustomStringConvertible {
    /// The element serialized as XML, or a note saying why it cannot be.
    public var description: String {
        do { return try serializedString() } catch { return "<!-- \(error) -->" }
    }
}
