import XMPPCore

/// An account on the server under test.
public struct ConformanceAccount: Sendable, Hashable {
    /// The bare JID.
    public var jid: JID
    public var password: String

    public init(jid: JID, password: String) {
        self.jid = jid.bare
        self.password = password
    }

    public var username: String { jid.localpart ?? "" }
}
