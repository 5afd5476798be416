import Foundation
import TestSupport
import Testing
import XMPPXML
@testable import XMPPExtensions

/// `Specs/xmppkit.doap` must list exactly what ``ProtocolSupport`` says XMPPKit implements, and
/// every extension folder must be in that list.
@Suite("DOAP (Specs/xmppkit.doap)")
struct DOAPTests {
    private static let rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    private static let doap = "http://usefulinc.com/ns/doap#"
    private static let xmpp = "https://linkmauve.fr/ns/xmpp-doap#"

    struct Listed: Hashable {
        var specification: String
        var version: String?
        var status: String?
    }

    /// What the DOAP file states, read with our own parser.
    static func listed() throws -> [Listed] {
        let text = try Fixtures.string("../Specs/xmppkit.doap")
        let root = try XMLStreamParser.parseElement(Array(text.utf8))
        let project = try #require(root.child("Project", namespace: doap))
        var result: [Listed] = []
        for implements in project.children("implements", namespace: doap) {
            if let resource = implements.attribute("resource", namespace: rdf) {
                let number = try #require(resource.split(separator: "/").last?.replacingOccurrences(of: ".html", with: ""))
                result.append(Listed(specification: "RFC " + number.replacingOccurrences(of: "rfc", with: "")))
            } else if let xep = implements.child("SupportedXep", namespace: xmpp) {
                let resource = try #require(xep.child("xep", namespace: xmpp)?.attribute("resource", namespace: rdf))
                let number = try #require(resource.split(separator: "/").last?.replacingOccurrences(of: ".html", with: ""))
                result.append(Listed(specification: number.uppercased(), version: xep.childText("version", namespace: xmpp),
                                     status: xep.childText("status", namespace: xmpp)))
            }
        }
        return result
    }

    @Test("Every specification in ProtocolSupport is in the DOAP with its version and status, and nothing else is")
    func doapMatchesCatalog() throws {
        let listed = Set(try Self.listed())
        let standards = ProtocolSupport.all.filter { $0.specification.hasPrefix("RFC ") || $0.specification.hasPrefix("XEP-") }
        let catalog = Set(standards.map { support in
            Listed(specification: support.specification, version: support.version,
                   status: support.specification.hasPrefix("XEP") ? support.status.rawValue : nil)
        })
        #expect(listed.subtracting(catalog).isEmpty, "in the DOAP but not implemented: \(listed.subtracting(catalog))")
        #expect(catalog.subtracting(listed).isEmpty, "implemented but not in the DOAP: \(catalog.subtracting(listed))")
    }

    @Test("Every extension folder is in ProtocolSupport, and every listed folder and module file exists")
    func foldersMatchCatalog() throws {
        let sources = Fixtures.root.deletingLastPathComponent().appendingPathComponent("Sources")
        let extensions = sources.appendingPathComponent("XMPPExtensions")
        let folders = try FileManager.default.contentsOfDirectory(atPath: extensions.path).filter { name in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: extensions.appendingPathComponent(name).path, isDirectory: &isDirectory) && isDirectory.boolValue
        }
        let cataloged = Set(ProtocolSupport.extensions.map(\.folder))
        for folder in folders {
            #expect(cataloged.contains("XMPPExtensions/\(folder)"), "Sources/XMPPExtensions/\(folder) implements nothing the DOAP lists")
        }
        for support in ProtocolSupport.all {
            if support.specification.hasPrefix("Specs/") {
                let document = Fixtures.root.deletingLastPathComponent().appendingPathComponent(support.specification)
                #expect(FileManager.default.fileExists(atPath: document.path), "XMPPKit's own protocol has no spec at \(support.specification)")
            }
            let folder = sources.appendingPathComponent(support.folder)
            #expect(FileManager.default.fileExists(atPath: folder.path), "\(support.specification): no folder \(support.folder)")
            if let module = support.module {
                #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("\(module).swift").path),
                        "\(support.specification): no \(module).swift in \(support.folder)")
            }
        }
    }
}
