import XMPPCore

/// Why in-band registration, a password change or an account removal failed (XEP-0077 §3), with
/// the server's own error kept for diagnosis.
public struct RegistrationError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
        /// §3.1 Example 6: the username is taken (`conflict`).
        case conflict
        /// §3.1 Example 7: required information was missing or empty (`not-acceptable`); also §3.1.1,
        /// too many registrations before authenticating.
        case notAcceptable
        /// §3.2, §3.3: the host allows no in-band cancellation or password change (`not-allowed`).
        case notAllowed
        /// §3.2, §3.3: the request was incomplete or malformed (`bad-request`).
        case badRequest
        /// §3.2: the sender may not cancel the registration (`forbidden`).
        case forbidden
        /// §3.3: the channel is not safe enough for a password change (`not-authorized`).
        case notAuthorized
        /// §3.2: the entity was not registered (`registration-required`).
        case notRegistered
        /// §3.1: the host does not support in-band registration (`service-unavailable`, or
        /// `feature-not-implemented`).
        case notSupported
        /// The host asks for required fields that the caller gave no value for (named, §3.1 "MUST
        /// provide information for all of the elements"; XEP-0004 §3.2 `<required/>`).
        case unfillableFields([String])
        /// §5: the host registers out of band only; its instructions and URL say where.
        case redirected(instructions: String?, url: String?)
        /// The host said the entity is registered already (§3.1 Example 3).
        case alreadyRegistered
        /// Any other stanza error.
        case other
    }

    public var reason: Reason
    /// What the server answered, when the failure came from it.
    public var stanzaError: StanzaError?

    public init(_ reason: Reason, stanzaError: StanzaError? = nil) {
        self.reason = reason
        self.stanzaError = stanzaError
    }

    /// Maps a server's error to the XEP-0077 §3 case it stands for.
    public init(_ error: StanzaError) {
        let reason: Reason = switch error.condition {
        case .conflict: .conflict
        case .notAcceptable: .notAcceptable
        case .notAllowed: .notAllowed
        case .badRequest: .badRequest
        case .forbidden: .forbidden
        case .notAuthorized: .notAuthorized
        case .registrationRequired: .notRegistered
        case .serviceUnavailable, .featureNotImplemented: .notSupported
        default: .other
        }
        self.init(reason, stanzaError: error)
    }

    public var description: String {
        let what: String = switch reason {
        case .conflict: "the username is already registered (XEP-0077 §3.1: conflict)"
        case .notAcceptable: "required registration information is missing (XEP-0077 §3.1: not-acceptable)"
        case .notAllowed: "the server does not allow this in band (XEP-0077 §3.2/§3.3: not-allowed)"
        case .badRequest: "the server found the request incomplete (XEP-0077: bad-request)"
        case .forbidden: "not permitted (XEP-0077 §3.2: forbidden)"
        case .notAuthorized: "the server does not consider the channel safe enough (XEP-0077 §3.3: not-authorized)"
        case .notRegistered: "the account is not registered (XEP-0077 §3.2: registration-required)"
        case .notSupported: "the server does not support in-band registration (XEP-0077 §3.1)"
        case .unfillableFields(let names): "the server requires fields with no value given: \(names.joined(separator: ", "))"
        case .redirected(let instructions, let url):
            "the server registers out of band (XEP-0077 §5)" + (url.map { ": \($0)" } ?? "") + (instructions.map { " (\($0))" } ?? "")
        case .alreadyRegistered: "the entity is already registered (XEP-0077 §3.1)"
        case .other: "registration failed"
        }
        guard let stanzaError else { return what }
        return "\(what): \(stanzaError)"
    }
}
