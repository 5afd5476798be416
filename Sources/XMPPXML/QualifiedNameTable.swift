#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Interns the qualified names expat reports (`namespace␁local`), so a name seen before costs a hash
/// and a `memcmp` instead of two string allocations.
///
/// XMPP streams repeat a few dozen element and attribute names endlessly. The table is bounded:
/// once full, further names are decoded every time, so a hostile stream of unique names cannot grow it.
struct QualifiedNameTable {
    /// expat's namespace separator: U+0001 is not an XML `Char`, so it cannot occur in a name or URI.
    static let separator: UInt8 = 0x01

    private static let slotCount = 1024  // a power of two, at least twice maxEntries
    private static let maxEntries = 384

    /// Entry index + 1 per slot; 0 is empty.
    private var slots = [Int32](repeating: 0, count: QualifiedNameTable.slotCount)
    private var hashes: [UInt32] = []
    private var keyStarts: [Int] = []
    private var keyLengths: [Int] = []
    private var keyBytes: [UInt8] = []
    private var values: [(name: String, namespace: String)] = []

    /// The (local name, namespace) of the NUL-terminated expat name at `cName`.
    mutating func lookup(_ cName: UnsafePointer<CChar>) -> (name: String, namespace: String) {
        let raw = UnsafeRawPointer(cName).assumingMemoryBound(to: UInt8.self)
        let length = strlen(cName)
        let hash = QualifiedNameTable.hash(raw, length)
        let mask = QualifiedNameTable.slotCount - 1
        var slot = Int(hash) & mask
        while true {
            let entry = Int(slots[slot]) - 1
            if entry < 0 { break }
            if hashes[entry] == hash && keyLengths[entry] == length {
                let start = keyStarts[entry]
                let same = keyBytes.withUnsafeBufferPointer { stored in
                    stored.baseAddress.map { memcmp($0 + start, raw, length) == 0 } ?? false
                }
                if same { return values[entry] }
            }
            slot = (slot + 1) & mask
        }
        let bytes = UnsafeBufferPointer(start: raw, count: length)
        let split = QualifiedNameTable.split(bytes)
        if values.count < QualifiedNameTable.maxEntries {
            slots[slot] = Int32(values.count + 1)
            hashes.append(hash)
            keyStarts.append(keyBytes.count)
            keyLengths.append(length)
            keyBytes.append(contentsOf: bytes)
            values.append(split)
        }
        return split
    }

    /// Hashes the length and the first and last eight bytes: names in one stream differ there, and
    /// `memcmp` settles the rare collision, so the whole name need not be walked byte by byte.
    @inline(__always)
    private static func hash(_ bytes: UnsafePointer<UInt8>, _ length: Int) -> UInt32 {
        var h = UInt64(truncatingIfNeeded: length) &* 0x9E37_79B9_7F4A_7C15
        if length >= 8 {
            let raw = UnsafeRawPointer(bytes)
            h ^= raw.loadUnaligned(as: UInt64.self) &* 0xBF58_476D_1CE4_E5B9
            h = (h ^ (h >> 29)) &* 0x94D0_49BB_1331_11EB
            h ^= raw.loadUnaligned(fromByteOffset: length - 8, as: UInt64.self)
        } else {
            for index in 0..<length { h = (h ^ UInt64(bytes[index])) &* 0x0000_0100_0000_01B3 }
        }
        h = (h ^ (h >> 32)) &* 0xD6E8_FEB8_6659_FD93
        return UInt32(truncatingIfNeeded: h ^ (h >> 32))
    }

    private static func split(_ bytes: UnsafeBufferPointer<UInt8>) -> (name: String, namespace: String) {
        guard let separatorIndex = bytes.firstIndex(of: separator) else {
            return (String(decoding: bytes, as: UTF8.self), "")
        }
        let namespace = String(decoding: UnsafeBufferPointer(rebasing: bytes[..<separatorIndex]), as: UTF8.self)
        let name = String(decoding: UnsafeBufferPointer(rebasing: bytes[(separatorIndex + 1)...]), as: UTF8.self)
        return (name, namespace)
    }
}
