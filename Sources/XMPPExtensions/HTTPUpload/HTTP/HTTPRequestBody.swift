/// What an HTTP request sends as its body. ``HTTPClient`` writes it in chunks of
/// ``HTTPClient/Configuration/chunkSize`` bytes, waiting for the socket to drain between them, so
/// a large body never sits twice in memory (a file body is read from disk chunk by chunk).
public struct HTTPRequestBody: Sendable {
    enum Source: Sendable {
        case bytes([UInt8])
        case file(path: String)
    }

    let source: Source

    /// Bytes held in memory.
    public static func bytes(_ bytes: [UInt8]) -> HTTPRequestBody {
        HTTPRequestBody(source: .bytes(bytes))
    }

    /// The contents of the file at `path`, read as it is sent; its length is taken when the
    /// request starts (`Content-Length`), and a file that then changes length fails the request.
    public static func file(atPath path: String) -> HTTPRequestBody {
        HTTPRequestBody(source: .file(path: path))
    }

    /// No body.
    public static let empty = HTTPRequestBody(source: .bytes([]))
}
