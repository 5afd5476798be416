import Foundation
import TestSupport
import Testing

/// `xmppkit bench sdk` (issue 7 "Benchmark") on a small population against the local Prosody: the
/// output has its figures and every contact's vCard was read. No timing assertions.
@Suite("xmppkit bench sdk")
struct CLIBenchSDKTests {
    /// `label X s  peak resident +N KB  F friends, V with a vCard, P with a photo`.
    struct Side {
        var seconds: Double
        var peakKB: Int
        var friends: Int
        var withVCard: Int
        var withPhoto: Int
    }

    static func side(_ label: String, in lines: [String]) throws -> Side {
        let line = try #require(lines.first { $0.hasPrefix(label) }, "no \(label) line")
        let pattern = try Regex(#"\s([0-9]+(?:\.[0-9]+)?) s\s+peak resident \+([0-9]+) KB\s+([0-9]+) friends, ([0-9]+) with a vCard, ([0-9]+) with a photo$"#)
        let match = try #require(line.firstMatch(of: pattern), "unparsable: \(line)")
        func number(_ index: Int) throws -> Substring { try #require(match.output[index].substring) }
        return Side(seconds: try #require(Double(try number(1))), peakKB: try #require(Int(try number(2))),
                    friends: try #require(Int(try number(3))), withVCard: try #require(Int(try number(4))),
                    withPhoto: try #require(Int(try number(5))))
    }

    @Test("bench sdk --contacts 20 prints both sides' time, memory and friend counts, and a positive ratio last")
    func smallPopulation() async throws {
        let home = CLITests.makeHome()
        defer { try? FileManager.default.removeItem(atPath: home) }
        let server = try Servers.server("prosody")
        let flags = ["--host", server.host, "--port", "\(server.port)", "--domain", server.domain, "--ca", try Servers.environment.get().caFile]
        let run = try await CLITests.run(["bench", "sdk", "--contacts", "20", "--rounds", "1"] + flags, home: home, timeout: .seconds(240))
        #expect(run.status == 0, "\(run.stdout)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("setup: 20 contacts registered with vCards in ") }, "\(run.stdout)")
        for label in ["concurrent (32 at a time)", "sequential (one by one)"] {
            let side = try Self.side(label, in: lines)
            #expect(side.seconds > 0, "\(label)")
            #expect(side.peakKB >= 0, "\(label)")
            // Prosody serves vcard-temp to anyone: every contact's vCard and photo is read without a subscription.
            #expect(side.friends == 20 && side.withVCard == 20 && side.withPhoto == 20, "\(label): \(run.stdout)")
        }
        let last = try #require(lines.last)
        let prefix = "sequential/concurrent ratio: "
        #expect(last.hasPrefix(prefix), "\(last)")
        let ratio = try #require(Double(last.dropFirst(prefix.count)), "\(last)")
        #expect(ratio > 0)
        #expect(!run.stdout.contains("could not be removed"), "\(run.stdout)")
    }
}
