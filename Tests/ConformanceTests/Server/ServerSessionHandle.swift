import NIOCore
import XMPPXML

/// How the directory reaches a bound session from any thread: each call hops to the session's
/// event loop, in order.
struct SessionHandle: Sendable {
    let connectionID: Int
    private let channel: any Channel
    private let connection: NIOLoopBound<ServerConnection>

    /// Call on `channel`'s event loop.
    init(connectionID: Int, channel: any Channel, connection: ServerConnection) {
        self.connectionID = connectionID
        self.channel = channel
        self.connection = NIOLoopBound(connection, eventLoop: channel.eventLoop)
    }

    /// Writes a stanza to the session.
    func deliver(_ stanza: XMLElement) {
        let connection = self.connection
        channel.eventLoop.execute { connection.value.deliver(stanza) }
    }

    /// The session moved to another connection (XEP-0198 resumption): close this one quietly.
    func detach() {
        let connection = self.connection
        channel.eventLoop.execute { connection.value.closeAfterTakeover() }
    }
}

/// A stanza for one session: written now, or kept for resumption while the session is detached.
struct Delivery: Sendable {
    enum Target: Sendable {
        case live(SessionHandle)
        case detached(StreamManagementState)
    }

    let target: Target
    let stanza: XMLElement

    func perform() {
        switch target {
        case .live(let handle): handle.deliver(stanza)
        case .detached(let state): state.sent(stanza)
        }
    }
}
