internal import CExpat

/// A streaming, namespace-aware parser for an XMPP stream, over libexpat.
///
/// Feed it bytes as they arrive, in any chunking; it reports the stream header, each complete
/// top-level element and the stream's end (``XMLStreamEvent``). The same bytes give the same events
/// however they are split.
///
/// It enforces RFC 6120 §11: a comment, processing instruction, DTD or entity reference other than
/// the five predefined ones ends the stream with `restricted-xml`, so entity expansion attacks and
/// external entities cannot happen. Every bound in ``XMLParserLimits`` ends it with `policy-violation`.
/// Work stays linear in the input even when a huge token arrives a byte at a time.
///
/// Like a SwiftNIO handler, a parser belongs to one stream on one thread: it is not `Sendable`.
/// After STARTTLS or SASL success the stream restarts (RFC 6120 §4.3.3): call ``reset()``.
public final class XMLStreamParser {
    /// What the root element is.
    public enum Mode: Sendable {
        /// An XMPP stream: the root is `<stream:stream>`, reported as ``XMLStreamEvent/streamOpened(_:)``,
        /// and each child is reported as an element.
        case stream
        /// One standalone element (an RFC 7395 WebSocket frame, a file): the root itself is reported
        /// as an element when it closes.
        case document
    }

    public let limits: XMLParserLimits
    public let mode: Mode

    /// Bytes that expat has been asked to scan so far, counting its re-scans of unfinished tokens,
    /// plus the bytes this parser scanned itself to find token ends. Linear in the input by design;
    /// tests assert that with hostile inputs fed a byte at a time.
    public private(set) var scannedByteCount = 0

    private let builder: UnsafeMutablePointer<XMLTreeBuilder>

    // Feeding, in absolute stream offsets.
    private var fedByteCount = 0
    private var scanner = TokenBoundaryScanner(insideCDATA: false)
    private var scannedUpTo = 0
    /// Bytes withheld from expat until the unfinished token they belong to can end.
    private var deferred: [UInt8] = []
    private var isDeferring = false

    public init(mode: Mode = .stream, limits: XMLParserLimits = XMLParserLimits()) {
        self.mode = mode
        self.limits = limits
        builder = UnsafeMutablePointer<XMLTreeBuilder>.allocate(capacity: 1)
        builder.initialize(to: XMLTreeBuilder(mode: mode, limits: limits))
        Self.attachParser(to: builder)
    }

    deinit {
        Self.detachParser(from: builder)
        builder.deinitialize(count: 1)
        builder.deallocate()
    }

    /// Starts over for a new stream on the same connection (RFC 6120 §4.3.3), forgetting everything.
    public func reset() {
        Self.detachParser(from: builder)
        builder.pointee = XMLTreeBuilder(mode: mode, limits: limits)
        Self.attachParser(to: builder)
        fedByteCount = 0
        scanner = TokenBoundaryScanner(insideCDATA: false)
        scannedUpTo = 0
        deferred = []
        isDeferring = false
    }

    /// Parses the next bytes of the stream.
    ///
    /// - Returns: the events these bytes completed, in order.
    /// - Throws: ``XMLStreamError``; the parser then stays failed.
    public func feed(_ bytes: UnsafeRawBufferPointer) throws(XMLStreamError) -> [XMLStreamEvent] {
        if let failure = builder.pointee.failure { throw failure }
        do {
            try consume(bytes.bindMemory(to: UInt8.self))
        } catch {
            builder.pointee.fail(error)
        }
        if let failure = builder.pointee.failure {
            builder.pointee.events = []
            throw failure
        }
        return takeEvents()
    }

    /// Parses the next bytes of the stream.
    public func feed(_ bytes: [UInt8]) throws(XMLStreamError) -> [XMLStreamEvent] {
        var result: Result<[XMLStreamEvent], XMLStreamError> = .success([])
        bytes.withUnsafeBytes { raw in
            do throws(XMLStreamError) { result = .success(try feed(raw)) } catch { result = .failure(error) }
        }
        return try result.get()
    }

    /// Tells the parser no more bytes will come; throws if the input stopped inside a token or an
    /// element (in document mode: before the root element closed).
    public func finish() throws(XMLStreamError) -> [XMLStreamEvent] {
        if let failure = builder.pointee.failure { throw failure }
        if isDeferring || builder.pointee.depth > 0 || (mode == .document && !builder.pointee.sawRoot) {
            builder.pointee.fail(XMLStreamError(.notWellFormed, "the input ended inside an element", byteOffset: fedByteCount))
        }
        if let failure = builder.pointee.failure { throw failure }
        return takeEvents()
    }

    /// Parses one complete standalone element, with the same restrictions and limits as a stream.
    public static func parseElement(_ bytes: [UInt8], limits: XMLParserLimits = XMLParserLimits()) throws(XMLStreamError) -> XMLElement {
        let parser = XMLStreamParser(mode: .document, limits: limits)
        var events = try parser.feed(bytes)
        events += try parser.finish()
        guard events.count == 1, case .element(let element) = events[0] else {
            throw XMLStreamError(.notWellFormed, "expected exactly one element")
        }
        return element
    }

    private func takeEvents() -> [XMLStreamEvent] {
        guard !builder.pointee.events.isEmpty else { return [] }
        let events = builder.pointee.events
        builder.pointee.events = []
        return events
    }

    // MARK: - Feeding expat

    private func consume(_ input: UnsafeBufferPointer<UInt8>) throws(XMLStreamError) {
        guard !input.isEmpty else { return }
        if isDeferring {
            // Look for the end of the withheld token in the new bytes only.
            let scanned = try scanner.scan(input)
            scannedByteCount += scanned
            scannedUpTo += scanned
            if !scanner.isAtBoundary {
                deferred.append(contentsOf: input)
                try checkUnitSize(pendingBytes: deferred.count)
                return
            }
            isDeferring = false
            if deferred.isEmpty {
                try parse(input)
            } else {
                deferred.append(contentsOf: input)
                let withheld = deferred
                deferred = []
                try withheld.withUnsafeBufferPointer { buffer throws(XMLStreamError) in try parse(buffer) }
            }
        } else {
            try parse(input)
        }
        try examineTail(latest: input)
    }

    /// Hands bytes to expat, in slices no larger than a stanza may be, checking the stanza's size
    /// between slices: however large one `feed` is, the tree held stays bounded.
    private func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(XMLStreamError) {
        guard let parser = builder.pointee.parser, let base = bytes.baseAddress else { return }
        let sliceLength = max(1, min(limits.maxStanzaBytes, 64 * 1024))
        var offset = 0
        while offset < bytes.count {
            let length = min(bytes.count - offset, sliceLength)
            // expat re-scans whatever token it was left holding, then the new bytes.
            scannedByteCount += (fedByteCount - builder.pointee.consumedEnd) + length
            fedByteCount += length
            let status = UnsafeRawPointer(base + offset).withMemoryRebound(to: CChar.self, capacity: length) {
                XML_Parse(parser, $0, Int32(length), 0)
            }
            offset += length
            if let failure = builder.pointee.failure { throw failure }
            if status != XML_STATUS_OK { throw Self.expatError(parser) }
            builder.pointee.noteParseReturned()
            try checkUnitSize(pendingBytes: 0)
        }
    }

    /// After a parse, decides whether expat was left holding an unfinished token; if so, withholds
    /// further bytes until ``TokenBoundaryScanner`` sees that token end.
    private func examineTail(latest input: UnsafeBufferPointer<UInt8>) throws(XMLStreamError) {
        let consumedEnd = builder.pointee.consumedEnd
        if consumedEnd > scannedUpTo {
            scanner = TokenBoundaryScanner(insideCDATA: builder.pointee.insideCDATA)
            scannedUpTo = consumedEnd
        }
        let latestStart = fedByteCount - input.count
        // Both marks only move forward, so each byte is scanned at most once.
        var position = max(scannedUpTo, latestStart)
        while position < fedByteCount {
            let scanned = try scanner.scan(UnsafeBufferPointer(rebasing: input[(position - latestStart)...]))
            scannedByteCount += scanned
            position += scanned
        }
        scannedUpTo = fedByteCount
        isDeferring = !scanner.isAtBoundary
        try checkUnitSize(pendingBytes: 0)
    }

    /// Bounds the stanza (or stream header, or unfinished token) being read, counting withheld bytes.
    private func checkUnitSize(pendingBytes: Int) throws(XMLStreamError) {
        let unitStart = builder.pointee.isInsideStanza ? builder.pointee.stanzaStart : builder.pointee.consumedEnd
        if fedByteCount + pendingBytes - unitStart > limits.maxStanzaBytes {
            throw XMLStreamError(.policyViolation, "a stanza exceeds \(limits.maxStanzaBytes) bytes", byteOffset: unitStart)
        }
    }

    private static func expatError(_ parser: XML_Parser) -> XMLStreamError {
        let code = XML_GetErrorCode(parser)
        let message = XML_ErrorString(code).map { String(cString: $0) } ?? "error \(code.rawValue)"
        let offset = Int(XML_GetCurrentByteIndex(parser))
        switch code {
        case XML_ERROR_UNDEFINED_ENTITY, XML_ERROR_ENTITY_DECLARED_IN_PE, XML_ERROR_EXTERNAL_ENTITY_HANDLING,
             XML_ERROR_NOT_STANDALONE, XML_ERROR_PARAM_ENTITY_REF, XML_ERROR_RECURSIVE_ENTITY_REF:
            return XMLStreamError(.restrictedXML, "\(message): only the predefined entities are allowed (RFC 6120 §11.1)", byteOffset: offset)
        default:
            return XMLStreamError(.notWellFormed, message, byteOffset: offset)
        }
    }

    // MARK: - expat set-up

    private static func detachParser(from builder: UnsafeMutablePointer<XMLTreeBuilder>) {
        if let parser = builder.pointee.parser { XML_ParserFree(parser) }
        builder.pointee.parser = nil
        builder.pointee.deallocate()
    }

    private static func attachParser(to builder: UnsafeMutablePointer<XMLTreeBuilder>) {
        let created = "UTF-8".withCString { XML_ParserCreateNS($0, CChar(bitPattern: QualifiedNameTable.separator)) }
        guard let created else {
            builder.pointee.fail(XMLStreamError(.policyViolation, "cannot allocate an XML parser"))
            return
        }
        builder.pointee.parser = created
        XML_SetUserData(created, UnsafeMutableRawPointer(builder))
        // RFC 6120 §11.1: no DTD, so parameter entities and external subsets are never read.
        _ = XML_SetParamEntityParsing(created, XML_PARAM_ENTITY_PARSING_NEVER)
        XML_SetElementHandler(
            created,
            { userData, name, attributes in treeBuilder(userData)?.pointee.startElement(name, attributes) },
            { userData, _ in treeBuilder(userData)?.pointee.endElement() })
        XML_SetCharacterDataHandler(created) { userData, bytes, length in
            treeBuilder(userData)?.pointee.characterData(bytes, Int(length))
        }
        XML_SetCdataSectionHandler(
            created,
            { userData in treeBuilder(userData)?.pointee.cdataSection(entering: true) },
            { userData in treeBuilder(userData)?.pointee.cdataSection(entering: false) })
        if builder.pointee.mode == .stream {
            XML_SetStartNamespaceDeclHandler(created) { userData, prefix, uri in
                treeBuilder(userData)?.pointee.namespaceDeclared(prefix: prefix, uri: uri)
            }
        }
        XML_SetCommentHandler(created) { userData, _ in
            treeBuilder(userData)?.pointee.refuse(.restrictedXML, "comments are not allowed (RFC 6120 §11.1)")
        }
        XML_SetProcessingInstructionHandler(created) { userData, _, _ in
            treeBuilder(userData)?.pointee.refuse(.restrictedXML, "processing instructions are not allowed (RFC 6120 §11.1)")
        }
        XML_SetStartDoctypeDeclHandler(created) { userData, _, _, _, _ in
            treeBuilder(userData)?.pointee.refuse(.restrictedXML, "a document type declaration is not allowed (RFC 6120 §11.1)")
        }
        XML_SetEntityDeclHandler(created) { userData, _, _, _, _, _, _, _, _ in
            treeBuilder(userData)?.pointee.refuse(.restrictedXML, "entity declarations are not allowed (RFC 6120 §11.1)")
        }
    }
}

/// The builder expat hands back to a callback (set by `XML_SetUserData` above).
@inline(__always)
private func treeBuilder(_ userData: UnsafeMutableRawPointer?) -> UnsafeMutablePointer<XMLTreeBuilder>? {
    userData?.assumingMemoryBound(to: XMLTreeBuilder.self)
}
