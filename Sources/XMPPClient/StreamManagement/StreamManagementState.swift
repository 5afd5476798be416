import XMPPCore
import XMPPXML

/// XEP-0198 bookkeeping for one stream: what we handled, what we sent and the server has not acked.
///
/// Counters are 32-bit and wrap (XEP-0198 §4: "h" counts modulo 2^32). A plain value, like NIO's
/// state machines, so tests need no connection.
public struct StreamManagementState: Sendable {
    /// §3 `id`: the stream's resumption id; nil when the server does not allow resumption.
    public var resumptionID: String?
    /// §3 `max`: the longest the server keeps the session for resumption, in seconds.
    public var maximumResumptionSeconds: Int?
    /// §3 `location`: where to reconnect to resume, if the server names one.
    public var location: String?
    /// Stanzas we have handled (§4 inbound `h`).
    public private(set) var inboundCount: UInt32 = 0
    /// Stanzas we have sent since enabling.
    public private(set) var outboundCount: UInt32 = 0
    /// Sent stanzas the server has not acknowledged, oldest first.
    public private(set) var unacknowledged: [XMLElement] = []

    public init(resumptionID: String?, maximumResumptionSeconds: Int? = nil, location: String? = nil) {
        self.resumptionID = resumptionID
        self.maximumResumptionSeconds = maximumResumptionSeconds
        self.location = location
    }

    public enum AckError: Error, Equatable, CustomStringConvertible {
        /// §4: the server acknowledged more stanzas than we sent.
        case handledCountTooHigh(h: UInt32, sent: UInt32)
        public var description: String {
            switch self {
            case .handledCountTooHigh(let h, let sent): return "the server acknowledged \(h) stanzas, but only \(sent) were sent (XEP-0198 §4)"
            }
        }
    }

    /// Starts the outbound count elsewhere than zero, to test wrapping.
    mutating func setOutboundCountForTesting(_ count: UInt32) {
        outboundCount = count
    }

    /// Counts a stanza we handled.
    public mutating func handledInbound() {
        inboundCount &+= 1
    }

    /// Counts a stanza we sent and keeps it until acknowledged.
    public mutating func sent(_ stanza: XMLElement) {
        outboundCount &+= 1
        unacknowledged.append(stanza)
    }

    /// Applies the server's `h` (§4 `<a/>`, §5 `<resumed/>`); returns how many stanzas it newly acknowledged.
    @discardableResult
    public mutating func acknowledge(_ h: UInt32) throws(AckError) -> Int {
        let outstanding = UInt32(truncatingIfNeeded: unacknowledged.count)
        let acknowledgedBefore = outboundCount &- outstanding
        let newlyAcknowledged = h &- acknowledgedBefore
        guard newlyAcknowledged <= outstanding else { throw .handledCountTooHigh(h: h, sent: outboundCount) }
        unacknowledged.removeFirst(Int(newlyAcknowledged))
        return Int(newlyAcknowledged)
    }

    /// After `<resumed h='…'/>` (§5): drops what the server handled and hands back the rest to send
    /// again, which counts them anew.
    public mutating func stanzasToResend(afterResumedWith h: UInt32) throws(AckError) -> [XMLElement] {
        try acknowledge(h)
        let resend = unacknowledged
        unacknowledged = []
        outboundCount = h
        return resend
    }
}

/// XEP-0198 elements.
enum StreamManagementElement {
    static func enable() -> XMLElement {
        XMLElement("enable", namespace: XMPPNamespace.streamManagement, attributes: ["resume": "true"])
    }

    static func resume(previousID: String, handled: UInt32) -> XMLElement {
        XMLElement("resume", namespace: XMPPNamespace.streamManagement, attributes: ["previd": previousID, "h": String(handled)])
    }

    static func request() -> XMLElement {
        XMLElement("r", namespace: XMPPNamespace.streamManagement)
    }

    static func answer(_ handled: UInt32) -> XMLElement {
        XMLElement("a", namespace: XMPPNamespace.streamManagement, attributes: ["h": String(handled)])
    }

    /// The `h` attribute as XEP-0198 §4 defines it: an unsigned 32-bit integer.
    static func handledCount(_ element: XMLElement) -> UInt32? {
        element.attribute("h").flatMap { UInt32($0) }
    }
}
