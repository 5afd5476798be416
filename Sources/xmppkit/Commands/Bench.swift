import ArgumentParser
import XMPPBenchmarks

extension XMPPKitCommand {
    /// `xmppkit bench …`: figures measured side by side in one run and printed as ratios.
    struct Bench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure XMPPKit against a baseline run in the same process.",
            subcommands: [Parser.self]
        )
    }
}

extension XMPPKitCommand.Bench {
    struct Parser: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Parse a generated stream with raw expat and with XMPPXML; print throughput, memory and their ratio.",
            discussion: "Build with -c release for meaningful figures. The last line is `parser/expat ratio: R`."
        )

        @Option(help: "Size of the generated stream in megabytes.")
        var megabytes = 24

        @Option(help: "Bytes handed to the parser per call, as a socket read would.")
        var chunkSize = 16 * 1024

        @Option(help: "Rounds per side; the fastest round of each counts.")
        var rounds = 3

        func validate() throws {
            guard megabytes >= 1, chunkSize >= 1, rounds >= 1 else {
                throw ValidationError("--megabytes, --chunk-size and --rounds must be positive")
            }
        }

        func run() async throws {
            let result = try ParserBenchmark(megabytes: megabytes, chunkSize: chunkSize, rounds: rounds).run()
            let mb = Double(result.inputBytes) / 1e6
            print("input: \(format(mb)) MB, \(result.expat.stanzas) stanzas, \(result.chunkSize)-byte chunks, best of \(rounds)")
            for (name, side) in [("raw expat", result.expat), ("XMPPXML", result.xmppxml)] {
                let rate = mb / side.seconds
                let stanzaRate = Double(side.stanzas) / side.seconds
                let label = name + String(repeating: " ", count: max(0, 10 - name.count))
                print("\(label) \(format(rate)) MB/s  \(Int(stanzaRate)) stanzas/s  "
                      + "peak heap +\(side.peakHeapBytes / 1024) KB "
                      + "(first half +\(side.peakHeapFirstHalf / 1024) KB, second half +\(side.peakHeapSecondHalf / 1024) KB)")
            }
            print("parser/expat ratio: \(format(result.ratio))")
        }

        private func format(_ value: Double) -> String {
            let scaled = (value * 100).rounded() / 100
            return String(scaled)
        }
    }
}
