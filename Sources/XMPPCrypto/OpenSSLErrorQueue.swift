internal import COpenSSL

/// OpenSSL's per-thread error queue (`ERR_get_error`), read into Swift errors.
enum OpenSSLErrorQueue {
    /// Empties the calling thread's queue and returns its entries as one line, oldest first
    /// (`ERR_error_string_n`), or a placeholder when OpenSSL left nothing there.
    static func drain() -> String {
        var messages: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            // Bound the loop: a queue holds at most 16 entries (ERR_NUM_ERRORS), but never trust it.
            if messages.count >= 32 { continue }
            var buffer = [CChar](repeating: 0, count: 256)
            buffer.withUnsafeMutableBufferPointer { pointer in
                ERR_error_string_n(code, pointer.baseAddress, pointer.count)
            }
            let end = buffer.firstIndex(of: 0) ?? buffer.endIndex
            messages.append(String(decoding: buffer[..<end].map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return messages.isEmpty ? "no OpenSSL error recorded" : messages.joined(separator: "; ")
    }

    /// Drops whatever is queued, e.g. after an expected failure such as a tag mismatch, so that
    /// stale entries never end up in a later, unrelated error.
    static func clear() {
        ERR_clear_error()
    }

    /// `CryptoError.openSSLFailure` naming the call that failed, with the drained queue.
    static func failure(_ function: String) -> CryptoError {
        CryptoError.openSSLFailure.with(detail: "\(function) failed: \(drain())")
    }
}
