/// One attribute of an ``XMLElement``: a local name, the namespace it is in (empty for none), and its value.
///
/// Namespace declarations (`xmlns`, `xmlns:p`) are not attributes in this model: the parser resolves
/// them and the serializer writes whatever declarations the namespaces need.
public struct XMLAttribute: Sendable, Hashable {
    public var name: String
    /// The attribute's namespace name; `""` for an unqualified attribute (the common case).
    public var namespace: String
    public var value: String

    public init(_ name: String, namespace: String = "", value: String) {
        self.name = name
        self.namespace = namespace
        self.value = value
    }
}

extension XMLAttribute {
    /// `xml:lang` (XML 1.0 §2.12), as RFC 6120 §8.1.5 uses it on stanzas.
    public static func lang(_ value: String) -> XMLAttribute {
        XMLAttribute("lang", namespace: XMLNamespace.xml, value: value)
    }
}

/// Namespaces that XML itself reserves.
public enum XMLNamespace {
    /// Bound to the `xml` prefix by definition (Namespaces in XML 1.0 §3).
    public static let xml = "http://www.w3.org/XML/1998/namespace"
    /// The namespace of `xmlns` declarations themselves.
    public static let xmlns = "http://www.w3.org/2000/xmlns/"
}
