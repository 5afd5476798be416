/// The opening `<stream:stream>` tag of an XMPP stream (RFC 6120 §4.7).
public struct XMLStreamHeader: Sendable, Hashable {
    /// The namespace of the stream element itself: `http://etherx.jabber.org/streams`.
    public static let streamNamespace = "http://etherx.jabber.org/streams"

    /// The local name of the root element (`stream`).
    public var name: String
    public var namespace: String
    /// The default namespace declared on the stream (RFC 6120 §4.8.2: `jabber:client` or `jabber:server`).
    public var contentNamespace: String?
    public var attributes: [XMLAttribute]

    public init(name: String = "stream", namespace: String = XMLStreamHeader.streamNamespace,
                contentNamespace: String?, attributes: [XMLAttribute]) {
        self.name = name
        self.namespace = namespace
        self.contentNamespace = contentNamespace
        self.attributes = attributes
    }

    public func attribute(_ name: String, namespace: String = "") -> String? {
        attributes.first { $0.name == name && $0.namespace == namespace }?.value
    }

    /// §4.7.1 `from`.
    public var from: String? { attribute("from") }
    /// §4.7.2 `to`.
    public var to: String? { attribute("to") }
    /// §4.7.3 `id`.
    public var id: String? { attribute("id") }
    /// §4.7.4 `xml:lang`.
    public var lang: String? { attribute("lang", namespace: XMLNamespace.xml) }
    /// §4.7.5 `version`.
    public var version: String? { attribute("version") }

    /// Writes the XML declaration and the opening tag, with `stream` as the stream prefix.
    public func serialize(into buffer: inout [UInt8]) throws {
        XMLSerializer.appendRaw("<?xml version='1.0'?><stream:", to: &buffer)
        try XMLSerializer.validateName(name)
        XMLSerializer.appendRaw(name, to: &buffer)
        if let contentNamespace {
            XMLSerializer.appendRaw(" xmlns=\"", to: &buffer)
            try XMLSerializer.appendEscaped(contentNamespace, inAttribute: true, to: &buffer)
            buffer.append(UInt8(ascii: "\""))
        }
        XMLSerializer.appendRaw(" xmlns:stream=\"", to: &buffer)
        try XMLSerializer.appendEscaped(namespace, inAttribute: true, to: &buffer)
        buffer.append(UInt8(ascii: "\""))
        try XMLSerializer.writeAttributes(attributes, into: &buffer)
        buffer.append(UInt8(ascii: ">"))
    }

    /// The closing tag matching ``serialize(into:)``.
    public static let closingTag: [UInt8] = Array("</stream:stream>".utf8)
}
