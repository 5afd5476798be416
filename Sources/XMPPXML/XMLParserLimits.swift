/// Bounds on what one stream may make the parser hold; exceeding any is a `policy-violation`
/// (RFC 6120 §4.9.3.14).
///
/// The defaults suit a client: generous for real traffic (a roster of thousands, a vCard with an
/// inline avatar) and small enough that a hostile peer cannot make one session hold more than a few
/// megabytes.
public struct XMLParserLimits: Sendable, Hashable {
    /// Bytes of one top-level element (a stanza), from its `<` to its closing `>`; also bounds the
    /// stream header and any single unfinished token.
    public var maxStanzaBytes: Int
    /// Nesting depth, counting the stream element as depth 1.
    public var maxDepth: Int
    /// Attributes on one element.
    public var maxAttributesPerElement: Int
    /// Child nodes (elements and text runs) of one element.
    public var maxChildrenPerElement: Int
    /// UTF-8 bytes of one run of character data.
    public var maxTextBytes: Int

    public init(
        maxStanzaBytes: Int = 1 << 20,
        maxDepth: Int = 64,
        maxAttributesPerElement: Int = 64,
        maxChildrenPerElement: Int = 50_000,
        maxTextBytes: Int = 1 << 20
    ) {
        self.maxStanzaBytes = maxStanzaBytes
        self.maxDepth = maxDepth
        self.maxAttributesPerElement = maxAttributesPerElement
        self.maxChildrenPerElement = maxChildrenPerElement
        self.maxTextBytes = maxTextBytes
    }
}
