import CBenchmarkSupport

/// The process's resident memory, from `/proc/self/statm`.
///
/// Not `mallinfo2`: glibc reports only the main arena there, and the benchmarks allocate on the
/// cooperative pool's threads, whose arenas it leaves out.
public enum MemoryProbe {
    public static func residentBytes() -> Int {
        Int(CBenchmarkSupport_residentBytes())
    }
}
