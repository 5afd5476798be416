import CBenchmarkSupport
import XMPPXML

/// `xmppkit bench parser`: XMPPXML against raw expat on the same bytes, in one run.
public struct ParserBenchmark: Sendable {
    public struct Side: Sendable {
        public var seconds: Double
        public var stanzas: Int
        /// Highest growth of resident memory seen while parsing, over what it was before.
        public var peakResidentBytes: Int
        /// The same, for the first and second halves of the stream, to show memory does not grow with length.
        public var peakResidentFirstHalf: Int
        public var peakResidentSecondHalf: Int
    }

    public struct Result: Sendable {
        public var inputBytes: Int
        public var chunkSize: Int
        public var expat: Side
        public var xmppxml: Side
        /// XMPPXML throughput over raw expat throughput.
        public var ratio: Double { expat.seconds / xmppxml.seconds }
    }

    public enum Failure: Error, CustomStringConvertible {
        case expat(Int32)
        case parser(XMLStreamError)
        case mismatch(expat: Int, xmppxml: Int)

        public var description: String {
            switch self {
            case .expat(let code): return "raw expat failed with error \(code)"
            case .parser(let error): return "XMPPXML failed: \(error)"
            case .mismatch(let e, let x): return "stanza counts differ: expat \(e), XMPPXML \(x)"
            }
        }
    }

    public var megabytes: Int
    public var chunkSize: Int
    public var rounds: Int

    public init(megabytes: Int = 24, chunkSize: Int = 16 * 1024, rounds: Int = 3) {
        self.megabytes = megabytes
        self.chunkSize = chunkSize
        self.rounds = rounds
    }

    /// Runs both sides `rounds` times, alternating, and keeps each side's fastest round.
    public func run() throws -> Result {
        let input = SyntheticStream.make(minimumBytes: megabytes * 1_000_000).bytes
        var best: (expat: Side?, xmppxml: Side?) = (nil, nil)
        for _ in 0..<max(1, rounds) {
            let e = try runExpat(input)
            let x = try runXMPPXML(input)
            guard e.stanzas == x.stanzas else { throw Failure.mismatch(expat: e.stanzas, xmppxml: x.stanzas) }
            if best.expat.map({ e.seconds < $0.seconds }) ?? true { best.expat = e }
            if best.xmppxml.map({ x.seconds < $0.seconds }) ?? true { best.xmppxml = x }
        }
        guard let expat = best.expat, let xmppxml = best.xmppxml else { throw Failure.mismatch(expat: 0, xmppxml: 0) }
        return Result(inputBytes: input.count, chunkSize: chunkSize, expat: expat, xmppxml: xmppxml)
    }

    private func runExpat(_ input: [UInt8]) throws -> Side {
        var counts = CExpatBaselineCounts()
        let residentBefore = MemoryProbe.residentBytes()
        let clock = ContinuousClock()
        var status: Int32 = 0
        let elapsed = clock.measure {
            status = input.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { CExpatBaseline_parse($0.baseAddress, $0.count, chunkSize, &counts) }
            }
        }
        guard status == 0 else { throw Failure.expat(status) }
        let growth = max(0, MemoryProbe.residentBytes() - residentBefore)
        return Side(seconds: elapsed.seconds, stanzas: Int(counts.stanzas), peakResidentBytes: growth,
                    peakResidentFirstHalf: growth, peakResidentSecondHalf: growth)
    }

    private func runXMPPXML(_ input: [UInt8]) throws -> Side {
        let residentBefore = MemoryProbe.residentBytes()
        var peaks = (first: 0, second: 0)
        var stanzas = 0
        var failure: XMLStreamError?
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            let parser = XMLStreamParser()
            input.withUnsafeBytes { all in
                var offset = 0
                while offset < all.count {
                    let end = min(offset + chunkSize, all.count)
                    do throws(XMLStreamError) {
                        let events = try parser.feed(UnsafeRawBufferPointer(rebasing: all[offset..<end]))
                        for event in events {
                            if case .element = event { stanzas += 1 }
                        }
                        // Sampled while this chunk's elements are still alive, every 64 chunks so the
                        // probe's own cost stays out of the figure.
                        if (offset / chunkSize) % 64 == 0 {
                            let growth = MemoryProbe.residentBytes() - residentBefore
                            if offset < all.count / 2 { peaks.first = max(peaks.first, growth) } else { peaks.second = max(peaks.second, growth) }
                        }
                    } catch {
                        failure = error
                        return
                    }
                    offset = end
                }
            }
        }
        if let failure { throw Failure.parser(failure) }
        return Side(seconds: elapsed.seconds, stanzas: stanzas, peakResidentBytes: max(peaks.first, peaks.second),
                    peakResidentFirstHalf: peaks.first, peakResidentSecondHalf: peaks.second)
    }
}

extension Duration {
    var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) / 1e18
    }
}
