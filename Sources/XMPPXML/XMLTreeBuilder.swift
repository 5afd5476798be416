internal import CExpat

/// Turns expat's callbacks into ``XMLElement``s and ``XMLStreamEvent``s, enforcing the limits and
/// RFC 6120 §11 as it goes.
///
/// It lives behind a pointer that expat hands back to every callback, so the callbacks reach it
/// without reference counting or dynamic exclusivity checks: on a stream of small stanzas those
/// would cost more than expat's own tokenizing.
struct XMLTreeBuilder {
    /// An element whose start tag has been read and whose end has not.
    private struct OpenElement {
        var name: String
        var namespace: String
        var attributes: [XMLAttribute]
        /// Where its children begin in `nodes`.
        var firstChild: Int
    }

    let mode: XMLStreamParser.Mode
    let limits: XMLParserLimits
    /// The expat parser feeding this builder (for byte offsets and to stop it).
    var parser: XML_Parser?

    private(set) var failure: XMLStreamError?
    var events: [XMLStreamEvent] = []

    private var open: [OpenElement] = []
    private var nodes = XMLNodeStack()
    private var text: [UInt8] = []
    private var names = QualifiedNameTable()
    private var contentNamespace: String?
    private(set) var insideCDATA = false

    /// Where expat's unconsumed input begins: the start of the token it is still waiting to finish.
    private(set) var consumedEnd = 0
    /// Whether the root element has started (a document cannot be empty).
    private(set) var sawRoot = false
    /// Where the stanza being built started, while one is open.
    private(set) var stanzaStart = 0

    init(mode: XMLStreamParser.Mode, limits: XMLParserLimits) {
        self.mode = mode
        self.limits = limits
    }

    /// Frees what the builder allocated by hand; called once by its owner.
    func deallocate() {
        nodes.deallocate()
    }

    /// Depth at which an element is a stanza: 2 in a stream (inside `<stream:stream>`), 1 in a document.
    var stanzaDepth: Int { mode == .stream ? 2 : 1 }
    var depth: Int { open.count }
    var isInsideStanza: Bool { open.count >= stanzaDepth }

    mutating func fail(_ error: XMLStreamError) {
        if failure == nil { failure = error }
        if let parser { XML_StopParser(parser, 0) }
    }

    // MARK: - Callbacks

    private var currentOffset: Int {
        guard let parser else { return consumedEnd }
        return Int(XML_GetCurrentByteIndex(parser))
    }

    /// Records how far expat got, once `XML_Parse` has returned.
    ///
    /// expat leaves its event pointer at the start of the token it could not finish (or at the end
    /// of the input), so outside a callback the "current byte index" is exactly that point; asking
    /// once per parse is much cheaper than asking in every callback.
    mutating func noteParseReturned() {
        guard let parser else { return }
        let index = Int(XML_GetCurrentByteIndex(parser))
        if index > consumedEnd { consumedEnd = index }
    }

    mutating func refuse(_ condition: XMLStreamError.Condition, _ reason: String) {
        fail(XMLStreamError(condition, reason, byteOffset: currentOffset))
    }

    mutating func namespaceDeclared(prefix: UnsafePointer<CChar>?, uri: UnsafePointer<CChar>?) {
        if open.isEmpty && prefix == nil {
            contentNamespace = uri.map { String(cString: $0) } ?? ""
        }
    }

    mutating func startElement(_ cName: UnsafePointer<CChar>?, _ cAttributes: UnsafeMutablePointer<UnsafePointer<CChar>?>?) {
        guard failure == nil, let cName else { return }
        sawRoot = true
        if open.count >= limits.maxDepth {
            return refuse(.policyViolation, "elements are nested deeper than \(limits.maxDepth)")
        }
        let qualified = names.lookup(cName)
        var attributes: [XMLAttribute] = []
        if let cAttributes, cAttributes[0] != nil {
            var pairs = 0
            while cAttributes[2 * pairs] != nil { pairs += 1 }
            if pairs > limits.maxAttributesPerElement {
                return refuse(.policyViolation, "an element has more than \(limits.maxAttributesPerElement) attributes")
            }
            attributes.reserveCapacity(pairs)
            for pair in 0..<pairs {
                guard let attributeName = cAttributes[2 * pair], let value = cAttributes[2 * pair + 1] else { break }
                let name = names.lookup(attributeName)
                attributes.append(XMLAttribute(name.name, namespace: name.namespace, value: String(cString: value)))
            }
        }

        // Sizes are checked per element only where one tag can be the whole unit: the stream header and
        // a stanza's start; otherwise XMLStreamParser bounds them between the slices it hands expat.
        if mode == .stream && open.isEmpty {
            if let parser, Int(XML_GetCurrentByteCount(parser)) > limits.maxStanzaBytes {
                return refuse(.policyViolation, "the stream header exceeds \(limits.maxStanzaBytes) bytes")
            }
            return openStream(name: qualified.name, namespace: qualified.namespace, attributes: attributes)
        }
        flushText()
        if open.count + 1 == stanzaDepth {
            stanzaStart = currentOffset
        } else if open.count >= stanzaDepth, nodes.count - open[open.count - 1].firstChild >= limits.maxChildrenPerElement {
            return refuse(.policyViolation, "an element has more than \(limits.maxChildrenPerElement) children")
        }
        open.append(OpenElement(name: qualified.name, namespace: qualified.namespace, attributes: attributes, firstChild: nodes.count))
    }

    private mutating func openStream(name: String, namespace: String, attributes: [XMLAttribute]) {
        guard namespace == XMLStreamHeader.streamNamespace else {
            return refuse(.invalidNamespace, "the stream element's namespace is '\(namespace)', not '\(XMLStreamHeader.streamNamespace)' (RFC 6120 §4.8.1)")
        }
        guard name == "stream" else {
            return refuse(.badFormat, "the root element is '\(name)', not 'stream' (RFC 6120 §4.2)")
        }
        // The stream element stays open for the whole stream; its children are reported, not kept.
        open.append(OpenElement(name: name, namespace: namespace, attributes: [], firstChild: nodes.count))
        if let parser { XML_SetStartNamespaceDeclHandler(parser, nil) }
        events.append(.streamOpened(XMLStreamHeader(name: name, namespace: namespace, contentNamespace: contentNamespace, attributes: attributes)))
    }

    mutating func endElement() {
        guard failure == nil else { return }
        guard let closing = open.popLast() else { return }
        if mode == .stream && open.isEmpty {
            events.append(.streamClosed)
            return
        }
        flushText()
        let element = XMLElement(closing.name, namespace: closing.namespace, attributes: closing.attributes,
                                 children: nodes.pop(from: closing.firstChild))
        if open.count >= stanzaDepth {
            nodes.push(.element(element))
        } else if currentOffset - stanzaStart > limits.maxStanzaBytes {
            refuse(.policyViolation, "a stanza exceeds \(limits.maxStanzaBytes) bytes")
        } else {
            events.append(.element(element))
        }
    }

    mutating func characterData(_ bytes: UnsafePointer<CChar>?, _ length: Int) {
        guard failure == nil, let bytes, length > 0 else { return }
        let raw = UnsafeRawBufferPointer(start: bytes, count: length).bindMemory(to: UInt8.self)
        if open.count < stanzaDepth {
            // Between stanzas only whitespace may appear (keep-alives); RFC 6120 §4.2 has no room for text.
            if raw.contains(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) {
                refuse(.badFormat, "character data between stanzas")
            }
            return
        }
        if text.count + length > limits.maxTextBytes {
            return refuse(.policyViolation, "a text node exceeds \(limits.maxTextBytes) bytes")
        }
        text.append(contentsOf: raw)
    }

    mutating func cdataSection(entering: Bool) {
        insideCDATA = entering
    }

    /// Moves accumulated character data into the innermost open element.
    private mutating func flushText() {
        guard !text.isEmpty else { return }
        if !open.isEmpty, nodes.count - open[open.count - 1].firstChild >= limits.maxChildrenPerElement {
            return refuse(.policyViolation, "an element has more than \(limits.maxChildrenPerElement) children")
        }
        nodes.push(.text(String(decoding: text, as: UTF8.self)))
        text.removeAll(keepingCapacity: true)
    }
}
