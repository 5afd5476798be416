/// The conditions a server may put in `<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>`
/// (RFC 6120 §6.5), by their element names.
///
/// A closed list, so an enum. A condition this list does not name is not defined by RFC 6120;
/// treat it as ``notAuthorized``, the generic refusal:
/// `SASLFailureCondition(rawValue: name) ?? .notAuthorized`.
public enum SASLFailureCondition: String, Sendable, Hashable, CaseIterable, Codable {
    /// The receiving entity acknowledges that the client aborted (RFC 6120 §6.5.1).
    case aborted
    /// The account is temporarily disabled (RFC 6120 §6.5.2).
    case accountDisabled = "account-disabled"
    /// The credentials have expired (RFC 6120 §6.5.3).
    case credentialsExpired = "credentials-expired"
    /// The mechanism needs an encrypted stream (RFC 6120 §6.5.4).
    case encryptionRequired = "encryption-required"
    /// The data was not correctly base64-encoded (RFC 6120 §6.5.5).
    case incorrectEncoding = "incorrect-encoding"
    /// The authorization identity is not allowed (RFC 6120 §6.5.6).
    case invalidAuthzid = "invalid-authzid"
    /// The server does not support the requested mechanism (RFC 6120 §6.5.7).
    case invalidMechanism = "invalid-mechanism"
    /// The request is malformed (RFC 6120 §6.5.8).
    case malformedRequest = "malformed-request"
    /// The mechanism is weaker than the server's policy allows (RFC 6120 §6.5.9).
    case mechanismTooWeak = "mechanism-too-weak"
    /// The credentials were not accepted (RFC 6120 §6.5.10).
    case notAuthorized = "not-authorized"
    /// A temporary error on the server; trying again later may work (RFC 6120 §6.5.11).
    case temporaryAuthFailure = "temporary-auth-failure"
}
