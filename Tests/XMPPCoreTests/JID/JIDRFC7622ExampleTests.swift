import Foundation
import TestSupport
import Testing

@testable import XMPPCore

/// RFC 7622 §3.5, Tables 1 and 2, from `Fixtures/vectors/jid/rfc7622-examples.json`.
@Suite struct JIDRFC7622ExampleTests {
    struct Vectors: Decodable {
        let source: String
        let examples: [Example]
    }

    struct Example: Decodable, Sendable, CustomTestStringConvertible {
        let number: Int
        let input: String
        let rfc: String
        let comment: String
        let deviation: String?
        let expect: Expectation

        var testDescription: String { "example \(number): \(input)" }
    }

    struct Expectation: Decodable, Sendable {
        let jid: String?
        let localpart: String?
        let domainpart: String?
        let resourcepart: String?
        let error: String?
        let scalar: String?
    }

    static let path = "vectors/jid/rfc7622-examples.json"

    static func load() throws -> Vectors {
        try JSONDecoder().decode(Vectors.self, from: Fixtures.data(path))
    }

    static let examples: [Example] = (try? load().examples) ?? []

    @Test func fixtureHasAllTwentyThreeExamples() throws {
        let vectors = try Self.load()
        #expect(vectors.source.contains("RFC 7622"))
        #expect(vectors.examples.map(\.number) == Array(1...23))
        #expect(vectors.examples.filter { $0.rfc == "valid" }.count == 15)
        // Example 18 is the one deliberate deviation; it says why.
        #expect(vectors.examples.filter { $0.deviation != nil }.map(\.number) == [18])
    }

    @Test(arguments: examples)
    func example(_ example: Example) throws {
        if let error = example.expect.error {
            let thrown = #expect(throws: JIDError.self) { try JID(example.input) }
            let scalar = example.expect.scalar.flatMap(JIDErrorShape.scalar(fromNotation:))
            #expect(thrown.map(JIDErrorShape.init) == JIDErrorShape(name: error, scalar: scalar))
            #expect(losslessJID(example.input) == nil)
        } else {
            let jid = try JID(example.input)
            #expect(jid.description.unicodeScalars.elementsEqual((example.expect.jid ?? "").unicodeScalars))
            #expect(jid.localpart.map { Array($0.unicodeScalars) } == example.expect.localpart.map { Array($0.unicodeScalars) })
            #expect(Array(jid.domainpart.unicodeScalars) == Array((example.expect.domainpart ?? "").unicodeScalars))
            #expect(jid.resourcepart.map { Array($0.unicodeScalars) } == example.expect.resourcepart.map { Array($0.unicodeScalars) })
            // The normalized form is a fixed point.
            #expect(try JID(jid.description) == jid)
        }
    }
}

/// `LosslessStringConvertible.init?(_:)`, which a direct `JID(…)` call does not pick.
func losslessJID(_ string: String) -> JID? {
    func make<T: LosslessStringConvertible>(_: T.Type) -> T? { T(string) }
    return make(JID.self)
}

/// A `JIDError` as the fixtures spell it: the case name and, for character errors, the code point.
struct JIDErrorShape: Equatable, CustomStringConvertible {
    let name: String
    let scalar: Unicode.Scalar?

    init(name: String, scalar: Unicode.Scalar? = nil) {
        self.name = name
        self.scalar = scalar
    }

    init(_ error: JIDError) {
        switch error {
        case .emptyDomainpart: self.init(name: "emptyDomainpart")
        case .emptyLocalpart: self.init(name: "emptyLocalpart")
        case .emptyResourcepart: self.init(name: "emptyResourcepart")
        case .localpartTooLong: self.init(name: "localpartTooLong")
        case .domainpartTooLong: self.init(name: "domainpartTooLong")
        case .resourcepartTooLong: self.init(name: "resourcepartTooLong")
        case .invalidLocalpartCharacter(let s): self.init(name: "invalidLocalpartCharacter", scalar: s)
        case .invalidResourcepartCharacter(let s): self.init(name: "invalidResourcepartCharacter", scalar: s)
        case .invalidDomainpart: self.init(name: "invalidDomainpart")
        case .unstableLocalpart: self.init(name: "unstableLocalpart")
        case .unstableResourcepart: self.init(name: "unstableResourcepart")
        }
    }

    /// "U+2163" → U+2163.
    static func scalar(fromNotation notation: String) -> Unicode.Scalar? {
        guard notation.hasPrefix("U+"), let value = UInt32(notation.dropFirst(2), radix: 16) else { return nil }
        return Unicode.Scalar(value)
    }

    var description: String {
        scalar.map { "\(name)(U+\(String($0.value, radix: 16, uppercase: true)))" } ?? name
    }
}
