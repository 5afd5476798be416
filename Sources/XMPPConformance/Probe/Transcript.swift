import Synchronization

/// What a check sent and received, for the evidence of a failure: one line per element, in
/// order, each labelled with its connection (`C1 →` sent, `C1 ←` received).
///
/// Bounded: lines are cut at ``maximumLineLength`` characters and only the last ``capacity`` kept,
/// so a flooding server cannot grow a report without end.
public final class Transcript: Sendable {
    public static let capacity = 200
    public static let maximumLineLength = 600

    private let lines = Mutex<[String]>([])

    public init() {}

    public func record(_ line: String) {
        let cut = line.count > Self.maximumLineLength ? String(line.prefix(Self.maximumLineLength)) + "…" : line
        lines.withLock {
            $0.append(cut)
            if $0.count > Self.capacity { $0.removeFirst($0.count - Self.capacity) }
        }
    }

    public var entries: [String] { lines.withLock { $0 } }
}
