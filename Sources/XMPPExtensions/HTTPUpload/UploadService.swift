import XMPPCore

/// An HTTP upload service found by service discovery (XEP-0363 §3): its address and, when it
/// says, the largest file it takes.
public struct UploadService: Sendable, Hashable {
    public var jid: JID
    /// The `max-file-size` field of the service's `urn:xmpp:http:upload:0` extended form
    /// (XEP-0363 §3, XEP-0128), in bytes; nil when it announces none.
    public var maxFileSize: Int?

    public init(jid: JID, maxFileSize: Int? = nil) {
        self.jid = jid
        self.maxFileSize = maxFileSize
    }

    /// The service at `jid` as its disco#info describes it. A `max-file-size` that is not a
    /// non-negative integer is ignored (as if none were given).
    public init(jid: JID, info: DiscoInfo) {
        self.jid = jid
        maxFileSize = info.form(ofType: UploadRequest.namespace)?.value("max-file-size").flatMap(UploadRequest.parseSize)
    }
}
