import XMPPXML

/// What `<message/>`, `<presence/>` and `<iq/>` share (RFC 6120 §8.1): addressing, `id`, `xml:lang`
/// and the error child.
///
/// Each stanza type is a thin view over its ``XMLElement``: payloads are read straight from
/// ``element``. Reading a stanza from the wire (`init(element:)`) checks what RFC 6120 §8 requires of
/// it, including that `to` and `from` are valid JIDs, so the typed accessors below never have to guess.
public protocol Stanza: Sendable, Hashable, CustomStringConvertible {
    /// `message`, `presence` or `iq`.
    static var elementName: String { get }
    /// The whole stanza.
    var element: XMLElement { get }
    /// Reads a stanza received from the wire, or throws the stanza error to answer it with.
    init(element: XMLElement) throws(StanzaError)
}

extension Stanza {
    /// RFC 6120 §8.1.2.1 `from`; validated when the stanza was read.
    public var from: JID? { element.attribute("from").flatMap { try? JID($0) } }
    /// RFC 6120 §8.1.1.1 `to`; validated when the stanza was read.
    public var to: JID? { element.attribute("to").flatMap { try? JID($0) } }
    /// RFC 6120 §8.1.3 `id`.
    public var id: String? { element.attribute("id") }
    /// RFC 6120 §8.1.5 `xml:lang`.
    public var language: String? { element.attribute("lang", namespace: XMLNamespace.xml) }
    /// The raw `type` attribute.
    public var typeAttribute: String? { element.attribute("type") }
    /// RFC 6120 §8.3: the error this stanza carries, when its type is `error`.
    public var error: StanzaError? {
        guard typeAttribute == "error", let error = element.child("error", namespace: element.namespace) else { return nil }
        return StanzaError(element: error)
    }

    public var description: String { element.description }

    /// Checks the parts every stanza shares; called by each type's `init(element:)`.
    static func validateCommon(_ element: XMLElement) throws(StanzaError) {
        guard element.name == elementName, element.namespace == XMPPNamespace.client || element.namespace == XMPPNamespace.server else {
            throw StanzaError(.badRequest, text: "expected <\(elementName)/> in jabber:client")
        }
        for name in ["to", "from"] {
            if let value = element.attribute(name) {
                do { _ = try JID(value) } catch {
                    throw StanzaError(.jidMalformed, text: "'\(name)' is not a valid JID: \(error)")
                }
            }
        }
    }
}

/// Helpers for building stanzas: ids and addressing.
public enum StanzaID {
    /// A fresh, unpredictable stanza id (RFC 6120 §8.1.3 asks for uniqueness; unpredictability keeps
    /// anyone else from answering our IQs).
    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        return String((0..<16).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }
}

extension XMLElement {
    /// Sets or removes an addressing attribute from a JID.
    mutating func setJID(_ name: String, _ jid: JID?) {
        setAttribute(name, to: jid?.description)
    }
}
