/// PLAIN (RFC 4616): `[authzid] NUL authcid NUL passwd` in the initial response, the password in
/// the clear. XMPPKit sends no authorization identity (RFC 6120 §6.3.8) and refuses to run PLAIN
/// over an unencrypted stream; ``SASLPolicy`` also keeps it off unless asked for.
public struct PlainMechanism: SASLMechanism, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public let name = SASLMechanismName.plain

    private var message: [UInt8]?
    private var sent = false
    private var finished = false

    /// - Parameters:
    ///   - username: the authentication identity (the JID's localpart, RFC 6120 §6.3.7).
    ///   - password: prepared with OpaqueString (RFC 8265 §4.2).
    ///   - transport: must be encrypted.
    /// - Throws: ``SASLError/plainWithoutTLS`` without TLS; ``SASLError/invalidArgument(_:)`` for
    ///   an empty username or one containing NUL; ``SASLError/passwordPreparationFailed``.
    public init(username: String, password: String, transport: SASLTransportSecurity) throws(SASLError) {
        guard transport.isEncrypted else { throw .plainWithoutTLS }
        guard !username.isEmpty, !username.utf8.contains(0) else {
            throw .invalidArgument("the PLAIN username is empty or contains NUL (RFC 4616 §2)")
        }
        let prepared = try SASLPasswordPreparation.prepare(password)
        // OpaqueString disallows control characters, NUL among them.
        message = [0] + Array(username.utf8) + [0] + prepared
    }

    public mutating func initialResponse() throws(SASLError) -> [UInt8]? {
        guard !sent, let response = message else {
            finished = true
            throw .protocolViolation("the PLAIN message was already sent")
        }
        sent = true
        message = nil
        return response
    }

    public mutating func respond(to challenge: [UInt8]) throws(SASLError) -> [UInt8] {
        finished = true
        throw .protocolViolation("PLAIN has no challenges (RFC 4616 §2)")
    }

    public mutating func verifySuccess(_ additionalData: [UInt8]?) throws(SASLError) {
        guard sent, !finished else {
            finished = true
            throw .protocolViolation("a PLAIN success out of turn")
        }
        finished = true
        if let additionalData, !additionalData.isEmpty {
            throw .malformedChallenge("PLAIN success carries no additional data (RFC 4616 §2)")
        }
    }

    public var description: String { "PlainMechanism(<redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["name": name, "credentials": "<redacted>"]) }
}
