import CBenchmarkSupport

/// Bytes currently allocated on the C heap (glibc `mallinfo2`), which Swift's allocations use too.
public enum HeapProbe {
    public static func allocatedBytes() -> Int {
        Int(CBenchmarkSupport_heapBytes())
    }
}
