/// The client side of one SASL mechanism (RFC 4422 §3, profiled for XMPP by RFC 6120 §6.4): a
/// state machine, fed the server's data and returning the client's, with no networking.
///
/// The session drives it: it sends `<auth mechanism='name'>` with ``initialResponse()``
/// base64-encoded (an empty response as `=`, none as an empty element; RFC 6120 §6.4.2),
/// answers each `<challenge/>` with ``respond(to:)`` in a `<response/>`, and on `<success/>`
/// calls ``verifySuccess(_:)`` with its additional data before treating the stream as
/// authenticated. On `<failure/>` it throws ``SASLError/serverFailure(_:text:)`` itself.
///
/// Any error is final: the mechanism refuses every later call.
public protocol SASLMechanism {
    /// The mechanism's name, for `<auth mechanism='…'/>`.
    var name: SASLMechanismName { get }

    /// The initial response (RFC 4422 §3.3, RFC 6120 §6.4.2), or nil when the mechanism has
    /// none. Call once, first.
    mutating func initialResponse() throws(SASLError) -> [UInt8]?

    /// The response to a server challenge (the decoded content of `<challenge/>`).
    mutating func respond(to challenge: [UInt8]) throws(SASLError) -> [UInt8]

    /// Checks `<success/>` and its additional data (RFC 6120 §6.3.10; nil when the element is
    /// empty). Throws when the mechanism cannot accept the outcome, e.g. a SCRAM server that did
    /// not prove it knows the password.
    mutating func verifySuccess(_ additionalData: [UInt8]?) throws(SASLError)
}
