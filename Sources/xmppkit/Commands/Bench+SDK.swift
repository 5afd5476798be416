import ArgumentParser
import Foundation
@_spi(Benchmarks) import ProfileSDK
import XMPPBenchmarks
import XMPPCore

extension XMPPKitCommand.Bench {
    struct SDKFriendsList: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sdk",
            abstract: "getFriendsList for a user with many contacts, each with a vCard: concurrent (as the SDK does it) against one fetch after another.",
            discussion: """
                Registers --contacts new accounts in-band (16 at a time), gives each a vCard (FN, NICKNAME, DESC \
                and, unless --no-photo, a small PNG PHOTO), registers a user with all of them in the roster, then times the SDK's \
                getFriendsList (the vCards fetched 32 at a time) and the same call with the vCards fetched one \
                after another, alternating, --rounds times each; the fastest round of each counts, peak memory \
                is the highest seen. The accounts are removed at the end. The server comes from the flags or, \
                by default, from the local test servers' environment (eval "$(scripts/servers env)"). Build with \
                -c release for meaningful figures. The last line is `sequential/concurrent ratio: R`.
                """
        )

        @Option(help: "Host (default: $PROSODY_HOST).")
        var host: String?
        @Option(help: "Port (default: $PROSODY_PORT, else 5222).")
        var port: Int?
        @Option(help: "The accounts' XMPP domain (default: $PROSODY_DOMAIN).")
        var domain: String?
        @Option(help: "A PEM file of CA certificates to trust (default: $CA_FILE).")
        var ca: String?
        @Option(help: "How many contacts the user has.")
        var contacts = 500
        @Option(help: "Rounds per side; the fastest round of each counts.")
        var rounds = 3
        @Flag(inversion: .prefixedNo, help: "Give each contact's vCard a PHOTO (a 48×48 PNG, about 6 KB).")
        var photo = true

        func validate() throws {
            guard contacts >= 1, contacts <= 10_000, rounds >= 1 else {
                throw ValidationError("--contacts must be 1…10000 and --rounds positive")
            }
        }

        func run() async throws {
            let environment = ProcessInfo.processInfo.environment
            func value(_ flag: String?, _ key: String) throws -> String {
                if let flag { return flag }
                guard let value = environment[key], !value.isEmpty else {
                    throw ValidationError("no server: pass --host/--domain (and --port/--ca), or run eval \"$(scripts/servers env)\" first (\(key) is unset)")
                }
                return value
            }
            let server = FriendsListBenchmark.Server(
                host: try value(host, "PROSODY_HOST"), port: port ?? environment["PROSODY_PORT"].flatMap { Int($0) } ?? 5222,
                domain: try value(domain, "PROSODY_DOMAIN"), caFile: ca ?? environment["CA_FILE"].flatMap { $0.isEmpty ? nil : $0 })
            let benchmark = FriendsListBenchmark(server: server)
            let prefix = "bench-\(StanzaID.make().lowercased().prefix(8))"

            print("server: \(server.host):\(server.port), domain \(server.domain); \(contacts) contacts (\(prefix)-*), \(rounds) rounds per side")
            let population = try await benchmark.populate(contacts: contacts, prefix: prefix, photo: photo ? ("image/png", try Self.photo()) : nil)
            print("setup: \(contacts) contacts registered with vCards in \(Self.seconds(population.contactsSetup)) s (16 at a time), "
                  + "roster of \(contacts) items in \(Self.seconds(population.rosterSetup)) s")

            let outcome: Result<Void, any Error>
            do {
                try await measure(population, server: server)
                outcome = .success(())
            } catch {
                outcome = .failure(error)
            }
            let failures = await benchmark.remove(population)
            if failures > 0 { print("warning: \(failures) benchmark accounts (\(prefix)-*) could not be removed") }
            try outcome.get()
        }

        private func measure(_ population: FriendsListBenchmark.Population, server: FriendsListBenchmark.Server) async throws {
            let sdk = SDK()
            _ = try await sdk.initialize(configuration: SDKConfiguration(domain: server.domain, host: server.host, port: server.port,
                                                                         caFile: server.caFile))
            _ = try await sdk.login(username: population.user.username, password: population.user.password)
            do {
                try await measure(sdk)
            } catch {
                _ = try? await sdk.logout()
                throw error
            }
            _ = try? await sdk.logout()
        }

        private func measure(_ sdk: ProfileSDK.SDK) async throws {

            typealias Figures = FriendsListBenchmark.Figures<[FriendProfile]>
            var best: (concurrent: Figures?, sequential: Figures?) = (nil, nil)
            var peak = (concurrent: 0, sequential: 0)
            for _ in 0..<rounds {
                let concurrent = try await FriendsListBenchmark.measure { try await sdk.getFriendsList().data ?? [] }
                let sequential = try await FriendsListBenchmark.measure {
                    try await sdk.getFriendsList(maxConcurrentFetches: 1).data ?? []
                }
                if best.concurrent.map({ concurrent.duration < $0.duration }) ?? true { best.concurrent = concurrent }
                if best.sequential.map({ sequential.duration < $0.duration }) ?? true { best.sequential = sequential }
                peak.concurrent = max(peak.concurrent, concurrent.peakResidentBytes)
                peak.sequential = max(peak.sequential, sequential.peakResidentBytes)
            }
            guard let concurrent = best.concurrent, let sequential = best.sequential else { return }
            for (label, figures, peakBytes) in [("concurrent (32 at a time)", concurrent, peak.concurrent),
                                                ("sequential (one by one)  ", sequential, peak.sequential)] {
                let friends = figures.value
                let withVCard = friends.filter { !$0.nickName.isEmpty }.count
                let withPhoto = friends.filter { !$0.thumbImage.isEmpty }.count
                print("\(label) \(Self.seconds(figures.duration)) s  peak resident +\(peakBytes / 1024) KB  "
                      + "\(friends.count) friends, \(withVCard) with a vCard, \(withPhoto) with a photo")
            }
            let ratio = sequential.duration / concurrent.duration
            print("sequential/concurrent ratio: \(String((ratio * 100).rounded() / 100))")
        }

        /// The contacts' vCard PHOTO: a 48×48 RGB gradient, a few hundred bytes of PNG.
        static func photo() throws -> [UInt8] {
            let side = 48
            var pixels = [UInt8]()
            pixels.reserveCapacity(side * side * 3)
            for y in 0..<side {
                for x in 0..<side { pixels += [UInt8(x * 5), UInt8(y * 5), UInt8((x + y) * 2)] }
            }
            return try PNGWriter.encode(width: side, height: side, colour: .rgb, pixels: pixels)
        }

        static func seconds(_ duration: Duration) -> String {
            let (s, attoseconds) = duration.components
            let value = Double(s) + Double(attoseconds) / 1e18
            return String((value * 1000).rounded() / 1000)
        }
    }
}
