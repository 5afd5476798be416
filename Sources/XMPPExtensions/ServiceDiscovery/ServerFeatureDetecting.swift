import XMPPClient

/// A module that can tell whether the connected server supports its protocol, so callers can
/// decide before asking (the SDK turns "not supported" into 403).
public protocol ServerFeatureDetecting: XMPPModule {
    /// Whether the connected server supports this module's protocol, by service discovery
    /// (XEP-0030 §3.1) or the stream features.
    /// - Throws: ``XMPPClientError`` when not connected.
    func isSupportedByServer() async throws -> Bool
}
