import Foundation
import Testing
import TestSupport
import XMPPXML

/// One attack per file in `Fixtures/xml/hostile/`; `manifest.json` gives each its expected condition.
@Suite struct HostileInputTests {
    struct Manifest: Decodable {
        struct Case: Decodable {
            var condition: String
            var attack: String
            var limits: [String: Int]?
        }
        var cases: [String: Case]
    }

    static let manifest: Manifest = {
        do { return try JSONDecoder().decode(Manifest.self, from: Fixtures.data("xml/hostile/manifest.json")) } catch {
            return Manifest(cases: [:])
        }
    }()

    static var names: [String] { manifest.cases.keys.sorted() }

    static func limits(_ overrides: [String: Int]?) -> XMLParserLimits {
        var limits = XMLParserLimits()
        for (key, value) in overrides ?? [:] {
            switch key {
            case "maxStanzaBytes": limits.maxStanzaBytes = value
            case "maxDepth": limits.maxDepth = value
            case "maxAttributesPerElement": limits.maxAttributesPerElement = value
            case "maxChildrenPerElement": limits.maxChildrenPerElement = value
            case "maxTextBytes": limits.maxTextBytes = value
            default: break
            }
        }
        return limits
    }

    /// Feeds `bytes` in `chunk`-byte pieces; returns the error and the parser's scanned-byte count.
    static func failure(_ bytes: [UInt8], chunk: Int, limits: XMLParserLimits) -> (XMLStreamError?, Int) {
        let parser = XMLStreamParser(limits: limits)
        var offset = 0
        do {
            while offset < bytes.count {
                let end = min(bytes.count, offset + chunk)
                _ = try bytes[offset..<end].withUnsafeBytes { try parser.feed($0) }
                offset = end
            }
        } catch let error as XMLStreamError {
            return (error, parser.scannedByteCount)
        } catch {
            return (nil, parser.scannedByteCount)
        }
        return (nil, parser.scannedByteCount)
    }

    @Test func thereAreAtLeastTwentyAttacks() {
        #expect(Self.names.count >= 20)
    }

    @Test(arguments: HostileInputTests.names)
    func endsWithTheTypedErrorWholeAndByteByByte(name: String) throws {
        let testCase = try #require(Self.manifest.cases[name])
        let bytes = try Fixtures.bytes("xml/hostile/" + name)
        let limits = Self.limits(testCase.limits)
        for chunk in [bytes.count, 1] {
            let (error, _) = Self.failure(bytes, chunk: chunk, limits: limits)
            #expect(error?.condition.rawValue == testCase.condition, "\(name) in \(chunk)-byte chunks: \(String(describing: error))")
        }
    }

    /// Linear work, measured in bytes scanned rather than time: a parser that let expat re-scan an
    /// unfinished token on every byte would scan about n²/2 bytes here.
    @Test(arguments: HostileInputTests.names)
    func workStaysLinearWhenFedAByteAtATime(name: String) throws {
        let testCase = try #require(Self.manifest.cases[name])
        let bytes = try Fixtures.bytes("xml/hostile/" + name)
        let (_, scanned) = Self.failure(bytes, chunk: 1, limits: Self.limits(testCase.limits))
        #expect(scanned <= 4 * bytes.count + 64, "\(name): scanned \(scanned) bytes for \(bytes.count)")
    }

    @Test func aHugeValidTokenFedByteByByteIsScannedLinearly() throws {
        // 200 kB attribute full of '>' inside a valid stanza, within default limits.
        let stanza = StreamParsingTests.header + "<message id='" + String(repeating: ">", count: 200_000) + "'><body>x</body></message>"
        let bytes = Array(stanza.utf8)
        let parser = XMLStreamParser()
        var events: [XMLStreamEvent] = []
        for byte in bytes { events += try parser.feed([byte]) }
        #expect(events.count == 2)
        #expect(parser.scannedByteCount <= 4 * bytes.count)
    }

    @Test func theParserStaysUsableForAFreshStreamAfterAnAttack() throws {
        let parser = XMLStreamParser()
        _ = try? parser.feed(try Fixtures.bytes("xml/hostile/billion-laughs.xml"))
        parser.reset()
        let events = try parser.feed(Array((StreamParsingTests.header + "<presence/>").utf8))
        #expect(events.count == 2)
    }
}
