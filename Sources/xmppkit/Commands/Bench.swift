import ArgumentParser
import Foundation
import XMPPClient
import XMPPBenchmarks

extension XMPPKitCommand {
    /// `xmppkit bench …`: figures measured side by side in one run and printed as ratios.
    struct Bench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure XMPPKit against a baseline run in the same process.",
            subcommands: [Parser.self, Sessions.self, SDKFriendsList.self]
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
                      + "peak resident +\(side.peakResidentBytes / 1024) KB "
                      + "(first half +\(side.peakResidentFirstHalf / 1024) KB, second half +\(side.peakResidentSecondHalf / 1024) KB)")
            }
            print("parser/expat ratio: \(format(result.ratio))")
        }

        private func format(_ value: Double) -> String {
            let scaled = (value * 100).rounded() / 100
            return String(scaled)
        }
    }
}

extension XMPPKitCommand.Bench {
    struct Sessions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Login latency per SASL mechanism against a real server, and stanza ingest against raw expat.",
            discussion: """
                The account comes from the flags or, by default, from the local test servers' environment \
                (eval "$(scripts/servers start)"). The last line is `ingest/expat ratio: R`: stanzas per second \
                from a loopback socket into XMPPClient.stanzas over raw expat's rate on the same bytes.
                """
        )

        @Option(help: "Account JID (default: $PROSODY_USER_JID).")
        var jid: String?
        @Option(help: "Password (default: $PROSODY_PASSWORD).")
        var password: String?
        @Option(help: "Host (default: $PROSODY_HOST).")
        var host: String?
        @Option(help: "Port (default: $PROSODY_PORT).")
        var port: Int?
        @Option(help: "CA file (default: $CA_FILE).")
        var ca: String?
        @Option(help: "An account on a host offering SCRAM-SHA-256 (default: $PROSODY_SHA256_USER_JID, same password).")
        var sha256Jid: String?
        @Option(help: "Logins per mechanism.")
        var logins = 20
        @Option(help: "Stanzas streamed for the ingest measurement.")
        var stanzas = 100_000

        func run() async throws {
            let environment = ProcessInfo.processInfo.environment
            func value(_ flag: String?, _ key: String) throws -> String {
                if let flag { return flag }
                guard let value = environment[key], !value.isEmpty else {
                    throw ValidationError("no account: pass --jid/--password/--host/--port/--ca, or run eval \"$(scripts/servers start)\" first (\(key) is unset)")
                }
                return value
            }
            let account = SessionBenchmark.Account(
                jid: try value(jid, "PROSODY_USER_JID"), password: try value(password, "PROSODY_PASSWORD"),
                host: try value(host, "PROSODY_HOST"), port: Int(try value(port.map(String.init), "PROSODY_PORT")) ?? 5222,
                caFile: try value(ca, "CA_FILE"))
            let benchmark = SessionBenchmark()
            print("login latency against \(account.host):\(account.port), \(logins) logins each (TCP, STARTTLS, SASL, bind):")
            var runs: [(SessionBenchmark.Account, SASLMechanismName, TLSVersion?)] = [
                (account, .scramSHA1, nil), (account, .scramSHA1Plus, .v1_2), (account, .plain, nil),
            ]
            if let sha256 = sha256Jid ?? environment["PROSODY_SHA256_USER_JID"] {
                var other = account
                other.jid = sha256
                runs += [(other, .scramSHA256, nil), (other, .scramSHA256Plus, .v1_2)]
            }
            for (account, mechanism, tlsMax) in runs {
                let figures = try await benchmark.measureLogins(account, mechanism: mechanism, tlsMax: tlsMax, count: logins)
                let label = figures.label + String(repeating: " ", count: max(0, 36 - figures.label.count))
                print("  \(label) p50 \(milliseconds(figures.p50)) ms  p99 \(milliseconds(figures.p99)) ms")
            }
            let ingest = try await benchmark.measureIngest(stanzaCount: stanzas)
            print("ingest: \(ingest.stanzas) stanzas, XMPPClient \(Int(ingest.clientStanzasPerSecond)) stanzas/s, raw expat \(Int(ingest.expatStanzasPerSecond)) stanzas/s")
            print("ingest/expat ratio: \(String((ingest.ratio * 100).rounded() / 100))")
        }

        private func milliseconds(_ duration: Duration) -> String {
            let ms = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
            return String((ms * 10).rounded() / 10)
        }
    }
}
