/// ANONYMOUS (RFC 4505): an initial response holding an optional trace string (an email address
/// or a token of up to 255 characters), and no credentials. The server assigns a temporary
/// account.
public struct AnonymousMechanism: SASLMechanism {
    public let name = SASLMechanismName.anonymous

    private let trace: [UInt8]
    private var sent = false
    private var finished = false

    /// - Parameter trace: sent to the server as the trace information (RFC 4505 §2); empty by
    ///   default. Throws ``SASLError/invalidArgument(_:)`` for more than 255 characters or a
    ///   control character.
    public init(trace: String = "") throws(SASLError) {
        guard trace.unicodeScalars.count <= 255,
              !trace.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        else {
            throw .invalidArgument("an ANONYMOUS trace is at most 255 characters without control characters (RFC 4505 §3)")
        }
        self.trace = Array(trace.utf8)
    }

    public mutating func initialResponse() throws(SASLError) -> [UInt8]? {
        guard !sent else {
            finished = true
            throw .protocolViolation("the ANONYMOUS message was already sent")
        }
        sent = true
        return trace
    }

    public mutating func respond(to challenge: [UInt8]) throws(SASLError) -> [UInt8] {
        finished = true
        throw .protocolViolation("ANONYMOUS has no challenges (RFC 4505 §2)")
    }

    public mutating func verifySuccess(_ additionalData: [UInt8]?) throws(SASLError) {
        guard sent, !finished else {
            finished = true
            throw .protocolViolation("an ANONYMOUS success out of turn")
        }
        finished = true
    }
}
