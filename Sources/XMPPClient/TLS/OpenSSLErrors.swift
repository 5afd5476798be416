internal import COpenSSL

/// OpenSSL's per-thread error queue (`ERR_get_error`), read into words for ``TLSError/detail``.
/// The handler runs on one event loop thread, so the queue it reads is its own.
enum OpenSSLErrors {
    /// Empties the calling thread's queue and returns its entries, oldest first, joined by "; ",
    /// or `nil` when the queue was empty.
    static func drain() -> String? {
        var messages: [String] = []
        var entries = 0
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            entries += 1
            // A queue holds at most 16 entries (ERR_NUM_ERRORS); never trust it to end.
            if entries > 64 { ERR_clear_error(); break }
            if messages.count >= 8 { continue }
            var buffer = [CChar](repeating: 0, count: 256)
            buffer.withUnsafeMutableBufferPointer { pointer in
                ERR_error_string_n(code, pointer.baseAddress, pointer.count)
            }
            messages.append(string(from: buffer))
        }
        return messages.isEmpty ? nil : messages.joined(separator: "; ")
    }

    /// `detail`, followed by OpenSSL's queued errors if there are any.
    static func describe(_ detail: String) -> String {
        guard let queued = drain() else { return detail }
        return "\(detail) (OpenSSL: \(queued))"
    }

    /// Forgets whatever is queued, so that `SSL_get_error` and later messages see only what the
    /// next call leaves (SSL_get_error(3): "the current thread's error queue must be empty").
    static func clear() {
        ERR_clear_error()
    }

    /// A NUL-terminated C string in a buffer, decoded as UTF-8 (invalid bytes replaced).
    static func string(from buffer: [CChar]) -> String {
        let end = buffer.firstIndex(of: 0) ?? buffer.endIndex
        return String(decoding: buffer[..<end].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A C string OpenSSL owns (a static name), decoded, or `nil` for a null pointer.
    static func string(from pointer: UnsafePointer<CChar>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: pointer)
    }
}
