import TestSupport
import XMPPCore
import XMPPXML

/// A XEP's example stanza, kept in `Fixtures/xep/`. Each file starts with `#` lines saying which
/// XEP section and example it is; the rest is the example as printed, in the `jabber:client`
/// namespace the stream gives it.
enum XEPExample {
    /// Every stanza in `Fixtures/xep/<path>`.
    static func stanzas(_ path: String) throws -> [XMLElement] {
        try parse(Fixtures.string("xep/" + path))
    }

    /// The one stanza in `Fixtures/xep/<path>`.
    static func stanza(_ path: String) throws -> XMLElement {
        let all = try stanzas(path)
        guard all.count == 1, let first = all.first else { throw XEPExampleError.expectedOneStanza(path, all.count) }
        return first
    }

    /// Parses stanzas written without a namespace, as XEP examples are, inside `jabber:client`.
    static func parse(_ text: String) throws -> [XMLElement] {
        let body = text.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("#") }.joined(separator: "\n")
        let wrapped = "<stream xmlns='jabber:client'>" + body + "</stream>"
        return try XMLStreamParser.parseElement(Array(wrapped.utf8)).elements
    }
}

enum XEPExampleError: Error {
    case expectedOneStanza(String, Int)
}
