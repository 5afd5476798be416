import NIOHTTP1
import XMPPClient
import XMPPCore
import XMPPXML

/// RFC 7395: XMPP over WebSocket.
enum WebSocketChecks {
    static let all = [open, subprotocol]

    /// A WebSocket connection to the run's endpoint; not applicable without one. The probe is
    /// closed when `body` ends.
    private static func withWebSocket(_ context: CheckContext, _ body: (WebSocketProbe) async throws -> Void) async throws {
        guard let url = context.configuration.webSocketURL else {
            throw CheckNotApplicable("no WebSocket endpoint given (--websocket URL)")
        }
        let probe = try await WebSocketProbe.connect(url: url, tls: context.configuration.tls, label: "W1", transcript: context.transcript)
        do {
            try await body(probe)
        } catch {
            await probe.close()
            throw error
        }
        await probe.close()
    }

    static let subprotocol = ConformanceCheck(
        "rfc7395-websocket-subprotocol", "The WebSocket handshake selects the xmpp subprotocol",
        cites: Citation("RFC 7395", "3.2", "The reply from the server MUST also contain 'xmpp' in its own 'Sec-WebSocket-Protocol' header in order for an XMPP session to be established."),
        category: .extensions, levels: [.webServer], needs: .webSocket,
        sends: "an HTTP/1.1 WebSocket upgrade to the --websocket URL with Sec-WebSocket-Protocol: xmpp",
        expects: "101 Switching Protocols with Sec-WebSocket-Protocol: xmpp"
    ) { context in
        try await withWebSocket(context) { probe in
            let values = probe.response.headers["Sec-WebSocket-Protocol"]
                .flatMap { $0.split(separator: ",") }
                .map { String($0.filter { $0 != " " && $0 != "\t" }) }
            try context.expect(values.contains("xmpp"),
                               "the 101 answer selects \(values.isEmpty ? "no subprotocol" : "'\(values.joined(separator: ", "))'"), not 'xmpp'")
        }
    }

    static let open = ConformanceCheck(
        "rfc7395-websocket-open", "<open/> is answered with <open/>",
        cites: Citation("RFC 7395", "3.4", "The receiving entity MUST respond with either an <open/> element (whose attributes match those described in [RFC6120] Section 4.7) or a <close/> element"),
        category: .extensions, levels: [.webServer], needs: .webSocket,
        sends: "after the upgrade: <open xmlns='urn:ietf:params:xml:ns:xmpp-framing' to='<domain>' version='1.0'/>",
        expects: "<open/> in urn:ietf:params:xml:ns:xmpp-framing with from='<domain>', an id and version='1.0' (a <close see-other-uri/> redirect: not applicable)"
    ) { context in
        try await withWebSocket(context) { probe in
            try await probe.send("<open xmlns='\(XMPPNamespace.framing)' to='\(context.domain)' version='1.0'/>")
            let event = await probe.next()
            guard case .element(let answer)? = event else {
                throw CheckFailure("no <open/> came back: \(StreamProbe.describe(event))")
            }
            if answer.name == "close", answer.namespace == XMPPNamespace.framing, answer.attribute("see-other-uri") != nil {
                throw CheckNotApplicable("the endpoint redirects to \(answer.attribute("see-other-uri") ?? "")")
            }
            try context.expect(answer.name == "open" && answer.namespace == XMPPNamespace.framing,
                               "the answer is not an <open/> in \(XMPPNamespace.framing): \(answer)")
            let from = answer.attribute("from")
            try context.expect(from?.lowercased() == context.domain.lowercased(), "the <open/> has from=\(from.map { "'\($0)'" } ?? "(none)"): \(answer)")
            try context.expect(!(answer.attribute("id") ?? "").isEmpty, "the <open/> has no id: \(answer)")
            try context.expect(answer.attribute("version") == "1.0", "the <open/> has version=\(answer.attribute("version").map { "'\($0)'" } ?? "(none)"): \(answer)")
        }
    }
}
