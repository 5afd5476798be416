/// Pointer and length helpers shared by the OpenSSL wrappers.
///
/// OpenSSL treats a NULL pointer specially in some calls (e.g. as "no key given" rather than
/// "an empty key"), and Swift may hand out a nil base address for an empty array, so every input
/// goes through `withNonNullPointer`, which always yields a valid pointer.
extension Array where Element == UInt8 {
    func withNonNullPointer<R>(_ body: (UnsafePointer<UInt8>, Int) throws -> R) rethrows -> R {
        try withUnsafeBufferPointer { buffer in
            if let base = buffer.baseAddress {
                return try body(base, buffer.count)
            }
            var placeholder: UInt8 = 0
            return try withUnsafePointer(to: &placeholder) { try body($0, 0) }
        }
    }
}

/// `value` as the C `int` an OpenSSL call takes, or `CryptoError.inputTooLarge` naming `what`.
func int32Length(_ value: Int, _ what: String) throws -> Int32 {
    guard let result = Int32(exactly: value), result >= 0 else {
        throw CryptoError.inputTooLarge.with(
            detail: "\(what) is \(value) bytes; OpenSSL takes at most \(Int32.max)")
    }
    return result
}
