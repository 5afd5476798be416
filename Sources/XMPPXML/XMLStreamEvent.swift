/// What ``XMLStreamParser`` reports as a stream's bytes arrive.
public enum XMLStreamEvent: Sendable, Hashable {
    /// The stream header has been read (RFC 6120 §4.2).
    case streamOpened(XMLStreamHeader)
    /// A complete top-level element: a stanza, or a stream-level element such as `<stream:features/>`.
    case element(XMLElement)
    /// `</stream:stream>` arrived (RFC 6120 §4.4).
    case streamClosed
}
