import Foundation
import Testing
import TestSupport
@testable import XMPPConformance

/// `Specs/conformance/*.json` publishes exactly the checks `xmppkit conform` runs, with the same
/// citations and words; the catalog keeps the issue's promises (≥ 60 checks, at least half of
/// them RFC 6120).
@Suite("Conformance catalog and Specs/conformance")
struct ConformanceSpecTests {
    private func specEntries() throws -> [CatalogJSON.Entry] {
        let files = try Fixtures.files(in: "../Specs/conformance", withExtension: "json")
        #expect(!files.isEmpty)
        return try files.flatMap { try JSONDecoder().decode(CatalogJSON.File.self, from: Data(contentsOf: $0)).checks }
    }

    @Test func idsAreUniqueAndWellFormed() {
        let ids = ConformanceCatalog.all.map(\.id)
        #expect(Set(ids).count == ids.count)
        for id in ids {
            #expect(id.allSatisfy { ($0.isLetter && $0.isLowercase) || $0.isNumber || $0 == "-" }, "\(id)")
            #expect(id.hasPrefix("rfc") || id.hasPrefix("xep"), "\(id)")
        }
    }

    @Test func specFilesListEveryCheckAndNothingElse() throws {
        let published = try specEntries()
        let catalog = ConformanceCatalog.all.map(CatalogJSON.Entry.init)
        let publishedIDs = Set(published.map(\.id))
        let catalogIDs = Set(catalog.map(\.id))
        #expect(publishedIDs.subtracting(catalogIDs).isEmpty, "in Specs/conformance but not run: \(publishedIDs.subtracting(catalogIDs).sorted())")
        #expect(catalogIDs.subtracting(publishedIDs).isEmpty, "run but not in Specs/conformance: \(catalogIDs.subtracting(publishedIDs).sorted())")
        #expect(published.count == publishedIDs.count, "an id appears twice in Specs/conformance")
        let byID = Dictionary(published.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let differing = catalog.filter { byID[$0.id] != nil && byID[$0.id] != $0 }.map(\.id)
        #expect(differing.isEmpty, "Specs/conformance differs from the catalog for \(differing); regenerate it (Specs/conformance/README.md)")
    }

    @Test func catalogKeepsTheIssuesPromises() {
        let checks = ConformanceCatalog.all
        #expect(checks.count >= 60)
        let rfc6120 = checks.filter { $0.citation.document == "RFC 6120" }.count
        #expect(rfc6120 * 2 >= checks.count, "\(rfc6120) of \(checks.count) checks cite RFC 6120")
        for check in checks {
            #expect(!check.citation.section.isEmpty && !check.citation.text.isEmpty, "\(check.id) has no citation")
            #expect(!check.sends.isEmpty && !check.expects.isEmpty, "\(check.id) does not say what it sends and expects")
        }
    }
}
