internal import COpenSSL

/// Comparison whose running time does not depend on where two secrets differ, for checking MACs,
/// SCRAM proofs and server signatures (RFC 5802 §3), where an early exit would leak how many
/// leading bytes of a guess were right.
public enum ConstantTime {
    /// Whether `lhs` and `rhs` hold the same bytes, compared with OpenSSL's `CRYPTO_memcmp`,
    /// which reads every byte whatever their content.
    ///
    /// Arrays of different lengths are unequal; that answer comes without looking at the content,
    /// so only the lengths (which are not secret: a MAC's length is public) can show in the timing.
    public static func equals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return lhs.withNonNullPointer { left, count in
            rhs.withNonNullPointer { right, _ in
                CRYPTO_memcmp(left, right, count) == 0
            }
        }
    }
}
