/// The requirement a check tests: the document, the section, and its normative words.
public struct Citation: Sendable, Hashable, Codable {
    /// `RFC 6120`, `XEP-0198`, …
    public var document: String
    /// The section number without the sign, e.g. `4.7.1`.
    public var section: String
    /// The sentence the check tests, quoted from the document (MUST, SHOULD, …).
    public var text: String

    public init(_ document: String, _ section: String, _ text: String) {
        self.document = document
        self.section = section
        self.text = text
    }

    /// `RFC 6120 §4.7.1`.
    public var reference: String { "\(document) §\(section)" }
}
