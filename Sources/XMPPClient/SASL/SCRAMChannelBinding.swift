/// The channel-binding part of a SCRAM exchange: the GS2 header flag (RFC 5802 §7
/// `gs2-cbind-flag`) and, with `p=`, the binding data sent in `c=` (RFC 5802 §6).
public enum SCRAMChannelBinding: Sendable, Hashable, CustomStringConvertible {
    /// `n`: the client does not support channel binding (no TLS, or no binding type the server
    /// accepts).
    case unsupported
    /// `y`: the client supports channel binding but the server offered no `-PLUS` mechanism. A
    /// server that does support it then fails the exchange, which catches an offer stripped by
    /// a man in the middle (RFC 5802 §6).
    case supportedButNotOffered
    /// `p=type`: binding to this TLS channel, with `data` from the TLS session (RFC 5929,
    /// RFC 9266). Used with the `-PLUS` mechanisms only.
    case bound(ChannelBindingType, data: [UInt8])

    /// The GS2 header without an authorization identity: `n,,`, `y,,` or `p=type,,`
    /// (RFC 5802 §7 `gs2-header`).
    public var gs2Header: String {
        switch self {
        case .unsupported: "n,,"
        case .supportedButNotOffered: "y,,"
        case .bound(let type, _): "p=\(type.rawValue),,"
        }
    }

    /// `cbind-input` (RFC 5802 §7): the GS2 header followed by the binding data with `p=`.
    var bindingInput: [UInt8] {
        if case .bound(_, let data) = self {
            return Array(gs2Header.utf8) + data
        }
        return Array(gs2Header.utf8)
    }

    public var description: String {
        switch self {
        case .unsupported: "n (no channel binding)"
        case .supportedButNotOffered: "y (channel binding supported, not offered)"
        case .bound(let type, let data): "p=\(type.rawValue) (\(data.count) bytes)"
        }
    }
}
