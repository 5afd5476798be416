/// Finds where an unfinished XML token ends, so the parser hands expat a partial token only once it
/// can be completed.
///
/// expat 2.5 (Debian 12) re-scans an unfinished token from its start on every `XML_Parse` call, so a
/// huge tag arriving a byte at a time would cost time quadratic in its size. The parser holds such
/// bytes back until this scanner sees the token end; every byte is scanned once, and expat scans the
/// token a bounded number of times. Comments and DOCTYPEs are refused here the moment they are
/// recognised, before any of their content needs to be read (RFC 6120 §11.1).
struct TokenBoundaryScanner {
    enum State: Equatable {
        /// Between tokens, or inside character data that expat reports as it goes.
        case content
        /// Inside a CDATA section, which expat also reports incrementally; `brackets` counts a `]` run.
        case cdata(brackets: Int)
        /// Just after `<`.
        case lessThan
        /// Inside a start or end tag, outside any quoted attribute value.
        case tag
        /// Inside an attribute value quoted with `quote`.
        case quoted(quote: UInt8)
        /// After `<!` and `matched` more bytes of `[CDATA[`.
        case markup(matched: Int)
        /// Inside `<?…?>`; `question` is true right after a `?`.
        case processingInstruction(question: Bool)
        /// Inside an entity or character reference `&…;`.
        case reference
    }

    private(set) var state: State

    init(insideCDATA: Bool) {
        state = insideCDATA ? .cdata(brackets: 0) : .content
    }

    /// True where expat can take all bytes so far without being left a partial token to re-scan.
    var isAtBoundary: Bool {
        switch state {
        case .content, .cdata: return true
        default: return false
        }
    }

    private static let cdataOpener: [UInt8] = Array("[CDATA[".utf8)

    /// Scans `bytes`, stopping just after the first point where a token ends.
    ///
    /// - Returns: how many bytes were scanned: `bytes.count` when still inside a token at the end.
    /// - Throws: `restricted-xml` on a comment or DOCTYPE, as soon as its first bytes are seen.
    mutating func scan(_ bytes: UnsafeBufferPointer<UInt8>) throws(XMLStreamError) -> Int {
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch state {
            case .content:
                if byte == UInt8(ascii: "<") { state = .lessThan } else if byte == UInt8(ascii: "&") { state = .reference }
            case .cdata(let brackets):
                if byte == UInt8(ascii: "]") {
                    state = .cdata(brackets: brackets + 1)
                } else if byte == UInt8(ascii: ">") && brackets >= 2 {
                    state = .content
                } else {
                    state = .cdata(brackets: 0)
                }
            case .lessThan:
                switch byte {
                case UInt8(ascii: "!"): state = .markup(matched: 0)
                case UInt8(ascii: "?"): state = .processingInstruction(question: false)
                case UInt8(ascii: ">"), UInt8(ascii: "<"): state = .content; return index  // malformed: let expat say so
                default: state = .tag
                }
            case .tag:
                switch byte {
                case UInt8(ascii: ">"): state = .content; return index
                case UInt8(ascii: "\""), UInt8(ascii: "'"): state = .quoted(quote: byte)
                case UInt8(ascii: "<"): state = .content; return index  // malformed: let expat say so
                default: break
                }
            case .quoted(let quote):
                if byte == quote { state = .tag } else if byte == UInt8(ascii: "<") { state = .content; return index }
            case .markup(let matched):
                if matched == 0 && byte == UInt8(ascii: "-") {
                    throw XMLStreamError(.restrictedXML, "comments are not allowed (RFC 6120 §11.1)")
                }
                if matched == 0 && (byte == UInt8(ascii: "D") || byte == UInt8(ascii: "d")) {
                    throw XMLStreamError(.restrictedXML, "a document type declaration is not allowed (RFC 6120 §11.1)")
                }
                if byte == Self.cdataOpener[matched] {
                    state = matched + 1 == Self.cdataOpener.count ? .cdata(brackets: 0) : .markup(matched: matched + 1)
                    if case .cdata = state { return index }
                } else {
                    state = .content  // not well-formed: expat will report it
                    return index
                }
            case .processingInstruction(let question):
                if question && byte == UInt8(ascii: ">") {
                    state = .content
                    return index
                }
                state = .processingInstruction(question: byte == UInt8(ascii: "?"))
            case .reference:
                if byte == UInt8(ascii: ";") || byte == UInt8(ascii: "<") || byte == UInt8(ascii: "&") || byte <= 0x20 {
                    state = .content
                    return index
                }
            }
        }
        return index
    }
}
