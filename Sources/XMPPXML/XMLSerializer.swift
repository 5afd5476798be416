/// Writes ``XMLElement``s as UTF-8 XML straight into a byte buffer.
///
/// Namespaces become declarations where they change: an element whose namespace differs from the one
/// in scope gets `xmlns="…"`, so a stanza written inside a `jabber:client` stream carries none.
/// Namespaced attributes use `xml:` for the XML namespace and generated `nsN:` prefixes otherwise.
enum XMLSerializer {
    static func write(_ element: XMLElement, inheritedNamespace: String, into buffer: inout [UInt8]) throws {
        try validateName(element.name)
        buffer.append(UInt8(ascii: "<"))
        appendRaw(element.name, to: &buffer)
        if element.namespace != inheritedNamespace {
            appendRaw(" xmlns=\"", to: &buffer)
            try appendEscaped(element.namespace, inAttribute: true, to: &buffer)
            buffer.append(UInt8(ascii: "\""))
        }
        try writeAttributes(element.attributes, into: &buffer)
        if element.children.isEmpty {
            appendRaw("/>", to: &buffer)
            return
        }
        buffer.append(UInt8(ascii: ">"))
        for child in element.children {
            switch child {
            case .element(let childElement):
                try write(childElement, inheritedNamespace: element.namespace, into: &buffer)
            case .text(let text):
                try appendEscaped(text, inAttribute: false, to: &buffer)
            }
        }
        appendRaw("</", to: &buffer)
        appendRaw(element.name, to: &buffer)
        buffer.append(UInt8(ascii: ">"))
    }

    /// Writes ` name="value"` pairs, declaring a prefix for each foreign attribute namespace.
    static func writeAttributes(_ attributes: [XMLAttribute], into buffer: inout [UInt8]) throws {
        var prefixes: [String: String] = [:]
        for attribute in attributes {
            try validateName(attribute.name)
            buffer.append(UInt8(ascii: " "))
            switch attribute.namespace {
            case "":
                if attribute.name == "xmlns" { throw XMLSerializationError.reservedAttribute(attribute.name) }
            case XMLNamespace.xml:
                appendRaw("xml:", to: &buffer)
            case XMLNamespace.xmlns:
                throw XMLSerializationError.reservedAttribute("xmlns:" + attribute.name)
            default:
                let prefix: String
                if let known = prefixes[attribute.namespace] {
                    prefix = known
                } else {
                    prefix = "ns\(prefixes.count)"
                    prefixes[attribute.namespace] = prefix
                    appendRaw("xmlns:\(prefix)=\"", to: &buffer)
                    try appendEscaped(attribute.namespace, inAttribute: true, to: &buffer)
                    appendRaw("\" ", to: &buffer)
                }
                appendRaw(prefix, to: &buffer)
                buffer.append(UInt8(ascii: ":"))
            }
            appendRaw(attribute.name, to: &buffer)
            appendRaw("=\"", to: &buffer)
            try appendEscaped(attribute.value, inAttribute: true, to: &buffer)
            buffer.append(UInt8(ascii: "\""))
        }
    }

    @inline(__always)
    static func appendRaw(_ string: String, to buffer: inout [UInt8]) {
        buffer.append(contentsOf: string.utf8)
    }

    /// Appends `string` escaped for XML 1.0 character data or a double-quoted attribute value.
    ///
    /// CR is always written as `&#xD;` (XML 1.0 §2.11 would turn it into LF), and in attributes tab,
    /// LF and CR are written as references (§3.3.3 would turn them into spaces), so text round-trips.
    static func appendEscaped(_ string: String, inAttribute: Bool, to buffer: inout [UInt8]) throws {
        var string = string
        try string.withUTF8 { bytes in
            var runStart = 0
            var index = 0
            let count = bytes.count
            while index < count {
                let byte = bytes[index]
                // Every byte that needs attention is below '?' (0x3F), apart from the lead byte of U+FFFE/U+FFFF.
                if byte >= 0x3F && byte != 0xEF {
                    index += 1
                    continue
                }
                let replacement: StaticString
                switch byte {
                case UInt8(ascii: "&"): replacement = "&amp;"
                case UInt8(ascii: "<"): replacement = "&lt;"
                case UInt8(ascii: ">"): replacement = "&gt;"
                case UInt8(ascii: "\"") where inAttribute: replacement = "&quot;"
                case UInt8(ascii: "'") where inAttribute: replacement = "&apos;"
                case 0x0D: replacement = "&#xD;"
                case 0x0A where inAttribute: replacement = "&#xA;"
                case 0x09 where inAttribute: replacement = "&#x9;"
                case 0x09, 0x0A:
                    index += 1
                    continue
                case 0x00..<0x20:
                    throw XMLSerializationError.invalidCharacter(UInt32(byte))
                case 0xEF:
                    // U+FFFE is EF BF BE and U+FFFF is EF BF BF.
                    if index + 2 < count, bytes[index + 1] == 0xBF, bytes[index + 2] >= 0xBE {
                        throw XMLSerializationError.invalidCharacter(bytes[index + 2] == 0xBE ? 0xFFFE : 0xFFFF)
                    }
                    index += 1
                    continue
                default:
                    index += 1
                    continue
                }
                if runStart < index {
                    buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                }
                replacement.withUTF8Buffer { buffer.append(contentsOf: $0) }
                index += 1
                runStart = index
            }
            if runStart < count {
                buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<count]))
            }
        }
    }

    /// Checks that `name` is an NCName as far as ASCII goes; non-ASCII name characters are let through.
    static func validateName(_ name: String) throws {
        var isFirst = true
        for byte in name.utf8 {
            let valid: Bool
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"), 0x80...0xFF:
                valid = true
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."):
                valid = !isFirst
            default:
                valid = false
            }
            guard valid else { throw XMLSerializationError.invalidName(name) }
            isFirst = false
        }
        if isFirst { throw XMLSerializationError.invalidName(name) }
    }
}

extension XMLElement {
    /// Appends this element as XML to `buffer`.
    ///
    /// - Parameter inheritedNamespace: the default namespace in scope where the element is written
    ///   (`"jabber:client"` for a stanza inside a client stream), so no redundant `xmlns` is written.
    /// - Throws: ``XMLSerializationError`` when a name or character cannot be represented in XML 1.0.
    public func serialize(into buffer: inout [UInt8], inheritedNamespace: String = "") throws {
        try XMLSerializer.write(self, inheritedNamespace: inheritedNamespace, into: &buffer)
    }

    /// This element as UTF-8 XML bytes.
    public func serialized(inheritedNamespace: String = "") throws -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(256)
        try serialize(into: &buffer, inheritedNamespace: inheritedNamespace)
        return buffer
    }

    /// This element as an XML string.
    public func serializedString(inheritedNamespace: String = "") throws -> String {
        String(decoding: try serialized(inheritedNamespace: inheritedNamespace), as: UTF8.self)
    }
}
