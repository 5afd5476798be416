import NIOCore
import NIOHTTP1
import NIOWebSocket
import TestSupport
import Testing
@testable import XMPPClient
import XMPPCore
import XMPPXML

/// Replays what Prosody and ejabberd sent over WebSocket (Fixtures/websocket/*.txt, recorded by
/// `record.py`) through the framing handlers: their 101 headers, `<open/>`, features, `<close/>`
/// and Close frame.
struct WebSocketTranscriptTests {
    struct Transcript {
        var headers = HTTPHeaders()
        var client: [String] = []
        /// Server messages in order: text, or `[close CODE]`.
        var server: [String] = []

        init(_ name: String) throws {
            for line in try Fixtures.string("websocket/\(name).txt").split(separator: "\n") {
                if line.hasPrefix("H: "), let colon = line.dropFirst(3).firstIndex(of: ":"), !line.hasPrefix("H: HTTP/") {
                    let name = line[line.index(line.startIndex, offsetBy: 3)..<colon]
                    headers.add(name: String(name), value: String(line[line.index(after: colon)...]).trimmingCharacters(in: " "))
                } else if line.hasPrefix("C: <") {
                    client.append(String(line.dropFirst(3)))
                } else if line.hasPrefix("S: <") || line.hasPrefix("S: [close") {
                    server.append(String(line.dropFirst(3)))
                }
            }
        }
    }

    @Test("the servers' recorded exchanges read as a stream: open, features, close", arguments: [
        ("prosody", "prosody.test"), ("ejabberd", "ejabberd.test"),
    ])
    func replay(name: String, domain: String) throws {
        let transcript = try Transcript(name)
        #expect(WebSocketConnection.subprotocols(in: transcript.headers) == ["xmpp"])

        // What we send for the same stream header is what the recording sent.
        let harness = try WebSocketFramingTests.Harness()
        let header = XMLStreamHeader(contentNamespace: XMPPNamespace.client, attributes: [
            XMLAttribute("to", value: domain), XMLAttribute("version", value: "1.0"), .lang("en"),
        ])
        try harness.channel.writeOutbound(XMPPOutboundFrame.streamHeader(header))
        #expect(try harness.sentElement() == (try XMLStreamParser.parseElement(Array(transcript.client[0].utf8))))

        #expect(transcript.server.count == 4)
        try harness.receive(transcript.server[0])
        guard case .streamOpened(let opened)? = try harness.event() else {
            Issue.record("expected streamOpened")
            return
        }
        #expect(opened.from == domain && opened.version == "1.0" && opened.id == "STREAM-ID")
        #expect(opened.contentNamespace == XMPPNamespace.client)

        try harness.receive(transcript.server[1])
        guard case .element(let element)? = try harness.event() else {
            Issue.record("expected features")
            return
        }
        let features = StreamFeatures(element: element)
        #expect(element.name == "features" && element.namespace == XMPPNamespace.streams)
        #expect(features.saslMechanisms.contains("SCRAM-SHA-1"))
        #expect(!features.startTLS.offered)

        try harness.channel.writeOutbound(XMPPOutboundFrame.streamClose)
        #expect(try harness.sentElement() == (try XMLStreamParser.parseElement(Array(transcript.client[1].utf8))))
        try harness.receive(transcript.server[2])
        #expect(try harness.event() == .streamClosed)

        #expect(transcript.server[3] == "[close 1000]")
        try harness.receiveClose(.normalClosure)
        #expect(try harness.sentCloseCode() == .normalClosure)
        #expect(!harness.channel.isActive)
        #expect(try harness.channel.finish(acceptAlreadyClosed: true).isClean)
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        var result = Substring(self)
        while result.first == set { result.removeFirst() }
        while result.last == set { result.removeLast() }
        return String(result)
    }
}
