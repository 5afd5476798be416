/// The children of every open element, innermost last, in one buffer.
///
/// When an element closes, its children move out into an exactly sized array: no array grows child
/// by child, and nothing is retained and released on the way.
struct XMLNodeStack {
    private var base: UnsafeMutablePointer<XMLNode>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int = 64) {
        self.capacity = capacity
        base = UnsafeMutablePointer<XMLNode>.allocate(capacity: capacity)
    }

    /// Frees the buffer; the owner calls this exactly once.
    func deallocate() {
        base.deinitialize(count: count)
        base.deallocate()
    }

    mutating func push(_ node: XMLNode) {
        if count == capacity { grow() }
        (base + count).initialize(to: node)
        count += 1
    }

    /// The nodes from `start` on, moved out; the stack shrinks to `start`.
    mutating func pop(from start: Int) -> [XMLNode] {
        let moved = count - start
        guard moved > 0 else { return [] }
        let source = base + start
        count = start
        return Array(unsafeUninitializedCapacity: moved) { buffer, initialized in
            if let destination = buffer.baseAddress { destination.moveInitialize(from: source, count: moved) }
            initialized = moved
        }
    }

    /// Drops everything.
    mutating func removeAll() {
        base.deinitialize(count: count)
        count = 0
    }

    private mutating func grow() {
        let newCapacity = capacity * 2
        let newBase = UnsafeMutablePointer<XMLNode>.allocate(capacity: newCapacity)
        newBase.moveInitialize(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }
}
