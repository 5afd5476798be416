/// The session's view of one transport connection: frames out, the in-place upgrades, close.
/// Frames in arrive through the iterator the connection was opened with.
///
/// The NIO connection implements it for TCP and WebSocket; tests implement it with a scripted server.
public protocol XMPPConnection: Sendable {
    func send(_ frame: XMPPOutboundFrame) async throws
    /// Inserts TLS below the stream codec (RFC 6120 §5.4.3.3); `.tlsEstablished` arrives inbound when done.
    func startTLS(_ configuration: TLSConfiguration) async throws
    /// Inserts zlib below the codec (XEP-0138 §3).
    func startCompression() async throws
    func close() async
}
