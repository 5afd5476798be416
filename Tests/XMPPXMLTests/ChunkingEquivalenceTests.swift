import Testing
import TestSupport
import XMPPXML

/// The same bytes give the same events however they are split (issue: chunking equivalence).
@Suite struct ChunkingEquivalenceTests {
    static func events(_ bytes: [UInt8], chunks sizes: [Int]) throws -> [XMLStreamEvent] {
        let parser = XMLStreamParser()
        var events: [XMLStreamEvent] = []
        var offset = 0
        var index = 0
        while offset < bytes.count {
            let size = sizes[index % sizes.count]
            let end = min(bytes.count, offset + size)
            events += try parser.feed(Array(bytes[offset..<end]))
            offset = end
            index += 1
        }
        return events
    }

    static func randomSizes(seed: UInt64, count: Int, max: Int) -> [Int] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(max)) + 1
        }
    }

    @Test(arguments: ["xml/streams/rfc6120-section9-server.xml"])
    func wholeRandomAndBytewiseFeedsAgree(file: String) throws {
        let bytes = try Fixtures.bytes(file)
        let whole = try Self.events(bytes, chunks: [bytes.count])
        #expect(whole.count > 10)
        #expect(try Self.events(bytes, chunks: [1]) == whole)
        for seed in UInt64(1)...20 {
            #expect(try Self.events(bytes, chunks: Self.randomSizes(seed: seed, count: 64, max: 97)) == whole)
        }
    }

    @Test func splitsInsideMultibyteCharactersAndReferencesAgree() throws {
        let stream = StreamParsingTests.header + "<message><body>𝄞☃é&amp;&#x1D11E;<![CDATA[<]]>]]&gt;</body></message>"
        let bytes = Array(stream.utf8)
        let whole = try Self.events(bytes, chunks: [bytes.count])
        for size in 1...7 {
            #expect(try Self.events(bytes, chunks: [size]) == whole)
        }
        guard case .element(let message)? = whole.last else {
            Issue.record("no message")
            return
        }
        #expect(message.childText("body", namespace: "jabber:client") == "𝄞☃é&𝄞<]]>")
    }

    @Test func errorsAreTheSameWhicheverTheChunking() throws {
        for name in ["comment.xml", "invalid-utf8.xml", "huge-attribute-full-of-gt.xml", "unbound-prefix.xml"] {
            let bytes = try Fixtures.bytes("xml/hostile/" + name)
            var conditions: Set<XMLStreamError.Condition> = []
            for sizes in [[bytes.count], [1], [3, 5, 7]] {
                let limits = XMLParserLimits(maxStanzaBytes: 8192)
                let parser = XMLStreamParser(limits: limits)
                do {
                    var offset = 0, i = 0
                    while offset < bytes.count {
                        let end = min(bytes.count, offset + sizes[i % sizes.count])
                        _ = try parser.feed(Array(bytes[offset..<end]))
                        offset = end
                        i += 1
                    }
                    Issue.record("\(name) parsed without error")
                } catch {
                    conditions.insert(error.condition)
                }
            }
            #expect(conditions.count == 1, "\(name): \(conditions)")
        }
    }
}
