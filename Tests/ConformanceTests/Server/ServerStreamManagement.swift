import Synchronization
import XMPPXML

/// One session's XEP-0198 counters and the stanzas the client has not acknowledged, shared by
/// the connection that enabled it and, after a drop, by the directory and the connection that
/// resumes it. Bounded: at most ``maximumUnacknowledged`` stanzas are kept.
final class StreamManagementState: Sendable {
    static let maximumUnacknowledged = 1000

    private struct Counters {
        /// Stanzas handled from the client (XEP-0198 §4 `h`).
        var inbound: UInt32 = 0
        /// Stanzas sent to the client.
        var outbound: UInt32 = 0
        /// Sent and not acknowledged, oldest first, each with its number.
        var unacknowledged: [(number: UInt32, stanza: XMLElement)] = []
    }

    let id: String
    private let counters = Mutex(Counters())

    init(id: String) {
        self.id = id
    }

    var inbound: UInt32 { counters.withLock { $0.inbound } }

    func received() {
        counters.withLock { $0.inbound &+= 1 }
    }

    /// Counts a stanza sent (or queued while detached) and keeps it until acknowledged.
    func sent(_ stanza: XMLElement) {
        counters.withLock { counters in
            counters.outbound &+= 1
            counters.unacknowledged.append((counters.outbound, stanza))
            if counters.unacknowledged.count > Self.maximumUnacknowledged { counters.unacknowledged.removeFirst() }
        }
    }

    /// The client has handled `h` stanzas (XEP-0198 §4); forgets those.
    func acknowledge(_ h: UInt32) {
        counters.withLock { counters in
            counters.unacknowledged.removeAll { Int32(bitPattern: h &- $0.number) >= 0 }
        }
    }

    /// What to send again after resumption (XEP-0198 §5): everything after the client's `h`.
    func unacknowledged(after h: UInt32) -> [XMLElement] {
        acknowledge(h)
        return counters.withLock { $0.unacknowledged.map(\.stanza) }
    }
}
