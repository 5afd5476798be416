import Foundation
import Synchronization
import TestSupport
@testable import XMPPClient
import XMPPCore
import XMPPXML

/// A server that replays a recorded transcript (`Fixtures/transcripts/`), checking that the client
/// sends what the real client sent, and answering SASL with real SCRAM so proofs and signatures are
/// checked end to end. Redacted SASL lines are computed; everything else is replayed verbatim.
final class ScriptedServer: XMPPConnection, Sendable {
    enum Line: Sendable {
        case client(String)   // what the client is expected to send (compared by name and namespace)
        case server(String)   // XML to deliver
    }

    struct Mismatch: Error, CustomStringConvertible {
        var description: String
    }

    let inbound: AsyncStream<XMPPInboundFrame>
    private let continuation: AsyncStream<XMPPInboundFrame>.Continuation
    private let state: Mutex<State>

    private struct State {
        var lines: [Line]
        var scram: SCRAMServer
        var sent: [String] = []
        var mismatch: String?
        var tlsInfo: TLSSessionInfo
    }

    /// Everything the client sent, as XML.
    var sent: [String] { state.withLock { $0.sent } }
    /// The first place the client departed from the transcript, if it did.
    var mismatch: String? { state.withLock { $0.mismatch } }

    init(lines: [Line], password: String, tlsVersion: TLSVersion = .v1_2, bindingData: [UInt8] = Array("finished-message".utf8)) {
        (inbound, continuation) = AsyncStream.makeStream(of: XMPPInboundFrame.self)
        var scram = SCRAMServer(password: password)
        scram.channelBindingData = bindingData
        let info = TLSSessionInfo(version: tlsVersion, cipherSuite: "TEST", peerCertificateSHA256: nil,
                                  channelBindings: tlsVersion == .v1_2 ? [.tlsUnique: bindingData] : [.tlsExporter: bindingData])
        state = Mutex(State(lines: lines, scram: scram, tlsInfo: info))
        deliverServerLines()
    }

    /// Reads `Fixtures/transcripts/<name>.txt`.
    static func transcript(_ name: String) throws -> [Line] {
        try Fixtures.string("transcripts/\(name).txt").split(separator: "\n").compactMap { line in
            if line.hasPrefix("C: ") { return .client(String(line.dropFirst(3))) }
            if line.hasPrefix("S: ") { return .server(String(line.dropFirst(3))) }
            return nil
        }
    }

    func send(_ frame: XMPPOutboundFrame) async throws {
        let text: String
        var element: XMLElement?
        switch frame {
        case .streamHeader(let header):
            var bytes: [UInt8] = []
            try header.serialize(into: &bytes)
            text = String(decoding: bytes, as: UTF8.self)
        case .element(let sent):
            element = sent
            text = try sent.serializedString()
        case .streamClose:
            text = "</stream:stream>"
        case .whitespaceKeepalive:
            return
        }
        let finished: Bool = state.withLock { state in
            state.sent.append(text)
            guard case .client(let expected)? = state.lines.first else {
                state.mismatch = state.mismatch ?? "unexpected \(text)"
                return true
            }
            state.lines.removeFirst()
            if !Self.sameKind(expected, text) { state.mismatch = state.mismatch ?? "expected \(expected), got \(text)" }
            if let element, element.namespace == XMPPNamespace.sasl { Self.answerSASL(element, &state) }
            if let element, element.name == "iq", let id = element.attribute("id") { Self.answerWithID(id, &state) }
            return false
        }
        if finished { continuation.finish() } else { deliverServerLines() }
    }

    func startTLS(_ configuration: TLSConfiguration) async throws {
        continuation.yield(.tlsEstablished(state.withLock { $0.tlsInfo }))
    }

    func startCompression() async throws {}

    func close() async {
        continuation.finish()
    }

    /// Delivers server lines up to the next expected client line.
    private func deliverServerLines() {
        let lines: [String] = state.withLock { state in
            var out: [String] = []
            while case .server(let xml)? = state.lines.first {
                out.append(xml)
                state.lines.removeFirst()
            }
            return out
        }
        for xml in lines {
            if xml.contains("<stream:stream") {
                let parser = XMLStreamParser()
                for event in (try? parser.feed(Array(xml.utf8))) ?? [] { continuation.yield(.event(event)) }
            } else if let element = try? XMLStreamParser.parseElement(Array(xml.utf8)) {
                continuation.yield(.event(.element(element)))
            } else {
                continuation.yield(.event(.streamClosed))
            }
        }
        if state.withLock({ $0.lines.isEmpty }) { continuation.finish() }
    }

    /// Replaces the next redacted server SASL line with a computed SCRAM answer.
    private static func answerSASL(_ element: XMLElement, _ state: inout State) {
        let payload = String(decoding: Data(base64Encoded: element.text) ?? Data(), as: UTF8.self)
        let outcome: SCRAMServer.Outcome
        switch element.name {
        case "auth":
            state.scram.offeredPlus = element.attribute("mechanism")?.hasSuffix("-PLUS") == true || state.scram.offeredPlus
            outcome = state.scram.clientFirst(payload)
        case "response": outcome = state.scram.clientFinal(payload)
        default: return
        }
        guard case .server(let next)? = state.lines.first, next.contains("[redacted]") else { return }
        let ns = "urn:ietf:params:xml:ns:xmpp-sasl"
        switch outcome {
        case .challenge(let text):
            state.lines[0] = .server("<challenge xmlns='\(ns)'>\(Data(text.utf8).base64EncodedString())</challenge>")
        case .success(let text):
            state.lines[0] = .server("<success xmlns='\(ns)'>\(Data(text.utf8).base64EncodedString())</success>")
        case .failure(let condition):
            state.lines = [.server("<failure xmlns='\(ns)'><\(condition)/></failure>")]
        }
    }

    /// Gives the next server IQ the id of the request it answers (ids are random per run).
    private static func answerWithID(_ id: String, _ state: inout State) {
        guard case .server(let next)? = state.lines.first, next.hasPrefix("<iq"),
              let regex = try? NSRegularExpression(pattern: "\\bid=(['\"])[^'\"]*\\1") else { return }
        let range = NSRange(next.startIndex..., in: next)
        state.lines[0] = .server(regex.stringByReplacingMatches(in: next, range: range, withTemplate: "id=\"\(id)\""))
    }

    /// True when two serialized elements (or headers) have the same name and namespace.
    static func sameKind(_ a: String, _ b: String) -> Bool {
        func key(_ xml: String) -> String {
            if xml.contains("<stream:stream") { return "stream" }
            guard let element = try? XMLStreamParser.parseElement(Array(xml.utf8)) else { return xml }
            return "\(element.name) \(element.namespace) \(element.attribute("type") ?? "")"
        }
        return key(a) == key(b)
    }
}
