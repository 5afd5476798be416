import XMPPClient
import XMPPCore

/// A failed SDK call: the documented status code and message, and what XMPP said underneath.
///
/// Codes (Specs/sdk/profile.json `statusCodes`): 400 bad input, 401 authentication failed or token
/// expired, 403 the server does not offer the feature, 404 not found, 405 not allowed in the
/// current state, 409 conflict, 500 anything else.
public struct SDKError: Error, Sendable, Hashable, Encodable, CustomStringConvertible {
    public var statusCode: Int
    public var message: String
    /// The underlying condition (RFC 6120 §8.3.3 / §4.9.3, or a transport error), for diagnosis.
    public var condition: String?
    /// The parameter a 400 is about.
    public var parameter: String?

    public init(statusCode: Int, message: String, condition: String? = nil, parameter: String? = nil) {
        self.statusCode = statusCode
        self.message = message
        self.condition = condition
        self.parameter = parameter
    }

    public var description: String { "\(statusCode) \(message)" + (condition.map { " (\($0))" } ?? "") }

    /// 400 naming the parameter, found before any network traffic.
    static func invalid(_ parameter: String, _ reason: String) -> SDKError {
        SDKError(statusCode: 400, message: "Invalid parameter \(parameter): \(reason)", parameter: parameter)
    }

    /// 405: the call needs a logged-in session.
    static let notLoggedIn = SDKError(statusCode: 405, message: "Not Logged In")
    /// 405: `initialize` has not been called.
    static let notInitialized = SDKError(statusCode: 405, message: "SDK Not Initialized")
    /// 403: the server does not offer what the call needs.
    static func notSupported(_ feature: String) -> SDKError {
        SDKError(statusCode: 403, message: "Feature Not Available: \(feature)")
    }

    /// The default mapping of a stanza error (Specs/sdk/profile.json `conditionMapping`).
    init(_ error: StanzaError) {
        let code: Int = switch error.condition {
        case .badRequest, .jidMalformed, .notAcceptable: 400
        case .notAuthorized: 401
        case .forbidden, .notAllowed, .featureNotImplemented, .policyViolation, .serviceUnavailable: 403
        case .itemNotFound, .recipientUnavailable, .remoteServerNotFound: 404
        case .conflict: 409
        default: 500
        }
        let message = code == 500 ? "Internal Error: \(error.condition.rawValue)" : error.text ?? error.condition.rawValue
        self.init(statusCode: code, message: message, condition: error.condition.rawValue)
    }

    /// Maps whatever a call threw to its status code.
    init(_ error: any Error) {
        switch error {
        case let error as SDKError:
            self = error
        case let error as StanzaError:
            self.init(error)
        case let error as XMPPClientError:
            switch error.kind {
            case .authentication:
                self.init(statusCode: 401, message: "Authentication Failed", condition: "\(error)")
            case .notConnected, .closed, .notRegistered:
                self.init(statusCode: 405, message: "Not Logged In", condition: "\(error)")
            case .featureNotOffered(let feature):
                self.init(statusCode: 403, message: "Feature Not Available: \(feature)")
            case .timeout:
                self.init(statusCode: 500, message: "Request Timed Out", condition: "\(error)")
            case .connectionFailed(let reason):
                self.init(statusCode: 500, message: "Connection Failed: \(reason)")
            case .tls(let tls):
                self.init(statusCode: 500, message: "Connection Failed: \(tls)")
            default:
                self.init(statusCode: 500, message: "\(error)", condition: "\(error.kind)")
            }
        default:
            self.init(statusCode: 500, message: "\(error)")
        }
    }
}
