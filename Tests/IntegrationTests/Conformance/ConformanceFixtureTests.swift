import Foundation
import TestSupport
import Testing
import XMPPClient
import XMPPConformance

/// The whole `xmppkit conform` suite against each real server, compared with what that server is
/// known to do (`Fixtures/conformance/<server>.json`, deviations explained there): a change in a
/// server or in XMPPKit shows up here as a difference, check by check.
@Suite("Conformance suite against the real servers")
struct ConformanceFixtureTests {
    struct Fixture: Decodable {
        /// Each check's known outcome on this server.
        var expected: [String: String]
        /// Why each check that does not pass ends as it does, with its citation.
        var deviations: [String: String]
    }

    static func configuration(_ name: String) throws -> ConformanceConfiguration {
        let server = try Servers.server(name)
        return ConformanceConfiguration(host: server.host, port: server.port, domain: server.domain,
                                        trust: .certificateAuthorities(file: try Servers.environment.get().caFile),
                                        accounts: .register, webSocketURL: server.webSocketURL)
    }

    @Test(arguments: ["prosody", "ejabberd"])
    func resultsMatchTheFixture(_ name: String) async throws {
        let fixture = try JSONDecoder().decode(Fixture.self, from: Fixtures.data("conformance/\(name).json"))
        let report = await ConformanceRunner(configuration: try Self.configuration(name)).run(ConformanceCatalog.all)
        let outcomes = Dictionary(uniqueKeysWithValues: report.results.map { ($0.check.id, $0) })
        #expect(Set(fixture.expected.keys) == Set(outcomes.keys),
                "Fixtures/conformance/\(name).json lists other checks than the catalog: missing \(Set(outcomes.keys).subtracting(fixture.expected.keys).sorted()), extra \(Set(fixture.expected.keys).subtracting(outcomes.keys).sorted())")
        for (id, result) in outcomes.sorted(by: { $0.key < $1.key }) {
            guard let expected = fixture.expected[id] else { continue }
            #expect(result.outcome.rawValue == expected,
                    "\(name) \(id): \(result.outcome.rawValue), expected \(expected): \(result.message)\n\(result.transcript.suffix(8).joined(separator: "\n"))")
        }
        for (id, expected) in fixture.expected where expected != "pass" {
            #expect(fixture.deviations[id] != nil, "Fixtures/conformance/\(name).json: \(id) is \(expected) without an explanation")
        }
    }
}
