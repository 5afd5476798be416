import Foundation
import NIOCore
import TestSupport
@testable import XMPPClient
import XMPPCore
import XMPPXML

/// One connection of a ``TestXMPPServer``: parses what the client sends, asks the behavior how to
/// answer each step, and answers. Lives on its channel's event loop.
final class TestXMPPServerConnection: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private typealias Action = TestXMPPServer.Action
    private typealias Step = TestXMPPServer.Step

    private let configuration: TestXMPPServer.Configuration
    private let record: ConnectionRecord
    private let recorder: TestXMPPServerRecorder
    private let parser = XMLStreamParser()
    private var phase = TestXMPPServer.Phase.plaintext
    private var parsing = true
    private var streams = 0
    private var tls: TLSSessionInfo?
    private var scram: SCRAMServer
    private var offeredPlus = false
    private var flood: FloodWriter?
    /// Answers held back while a flood is being written.
    private var queued: [ByteBuffer] = []

    init(configuration: TestXMPPServer.Configuration, record: ConnectionRecord, recorder: TestXMPPServerRecorder) {
        self.configuration = configuration
        self.record = record
        self.recorder = recorder
        scram = SCRAMServer(password: configuration.password)
        scram.iterations = configuration.iterations
    }

    // MARK: - Events

    func channelActive(context: ChannelHandlerContext) {
        record.note("connected")
        perform(ask(.connected, nil), standard: {}, context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        record.note("closed")
        record.closed()
        flood = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        record.note("error: \(error)")
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted(let info)? = event as? TLSEvent {
            tls = info
            record.tlsEstablished(info)
            record.note("TLS \(info.version) established")
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { pumpFlood(context: context) }
        context.fireChannelWritabilityChanged()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard parsing else { return }
        let buffer = unwrapInboundIn(data)
        let events: [XMLStreamEvent]
        do {
            events = try buffer.withUnsafeReadableBytes { bytes throws(XMLStreamError) in try parser.feed(bytes) }
        } catch {
            // Keep the connection (a stall must stay a stall), but read nothing more.
            record.parseFailed(error)
            record.note("stopped parsing: \(error)")
            parsing = false
            return
        }
        for event in events {
            guard parsing, context.channel.isActive else { return }
            handle(event, context: context)
        }
    }

    // MARK: - Steps

    private func handle(_ event: XMLStreamEvent, context: ChannelHandlerContext) {
        switch event {
        case .streamOpened:
            streams += 1
            let phase = self.phase
            perform(ask(.streamHeader(phase), nil), standard: {
                write(configuration.streamHeader(id: "test-\(record.number)-\(streams)") + configuration.features(for: phase), context: context)
            }, context: context)
        case .streamClosed:
            perform(ask(.streamClosed, nil), standard: {
                write("</stream:stream>", context: context)
                context.close(promise: nil)
            }, context: context)
        case .element(let element):
            record.received(element, in: phase)
            handle(element, context: context)
        }
    }

    private func handle(_ element: XMLElement, context: ChannelHandlerContext) {
        switch (element.name, element.namespace) {
        case ("starttls", XMPPNamespace.tls):
            perform(ask(.startTLS, element), standard: { startTLS(injecting: "", context: context) }, context: context)
        case ("auth", XMPPNamespace.sasl):
            perform(ask(.auth, element), standard: { answerAuth(element, context: context) }, context: context)
        case ("response", XMPPNamespace.sasl):
            perform(ask(.response, element), standard: { answerResponse(element, context: context) }, context: context)
        case ("abort", XMPPNamespace.sasl):
            write("<failure xmlns='\(XMPPNamespace.sasl)'><aborted/></failure>", context: context)
        case ("iq", XMPPNamespace.client) where element.child("bind", namespace: XMPPNamespace.bind) != nil:
            perform(ask(.bind, element), standard: { answerBind(element, context: context) }, context: context)
            guard context.channel.isActive else { return }
            perform(ask(.established, nil), standard: {}, context: context)
        default:
            perform(ask(.stanza, element), standard: { answerStanza(element, context: context) }, context: context)
        }
    }

    private func ask(_ step: Step, _ element: XMLElement?) -> Action {
        configuration.behavior(TestXMPPServer.Request(step: step, element: element, connection: record.number))
    }

    private func perform(_ action: Action, standard: () -> Void, context: ChannelHandlerContext) {
        switch action {
        case .standard:
            standard()
        case .send(let text):
            write(text, context: context)
        case .sendBytes(let bytes):
            write(ByteBuffer(bytes: bytes), context: context)
        case .silence:
            record.note("silent")
        case .close:
            record.note("hung up")
            context.close(promise: nil)
        case .flood(let flood):
            startFlood(flood, context: context)
        case .proceedInjecting(let plaintext):
            startTLS(injecting: plaintext, context: context)
        case .sequence(let actions):
            for action in actions where context.channel.isActive { perform(action, standard: standard, context: context) }
        }
    }

    // MARK: - Standard answers

    /// RFC 6120 §5.4.2.3: `<proceed/>`, then TLS; the client's next stream is a new one.
    private func startTLS(injecting plaintext: String, context: ChannelHandlerContext) {
        guard tls == nil else { return }
        write("<proceed xmlns='\(XMPPNamespace.tls)'/>" + plaintext, context: context)
        parser.reset()
        record.markTLSStart()
        do {
            let handler = try OpenSSLTLSHandler(
                serverCertificateChainFile: configuration.certificateChainFile, privateKeyFile: configuration.privateKeyFile,
                minimumVersion: configuration.tlsMinimumVersion, maximumVersion: configuration.tlsMaximumVersion,
                handshakeTimeout: .seconds(10))
            try context.pipeline.syncOperations.addHandler(handler, position: .after(recorder))
            phase = .secured
            record.note("proceed; TLS started")
        } catch {
            record.note("cannot start TLS: \(error)")
            context.close(promise: nil)
        }
    }

    private func answerAuth(_ auth: XMLElement, context: ChannelHandlerContext) {
        let mechanism = auth.attribute("mechanism") ?? ""
        let payload = Self.decode(auth.text)
        record.note("auth \(mechanism)")
        let offered = phase == .plaintext ? configuration.mechanismsBeforeTLS : configuration.mechanisms
        guard offered.contains(mechanism) else {
            saslFailure("invalid-mechanism", context: context)
            return
        }
        switch mechanism {
        case "PLAIN":
            let parts = payload.split(separator: "\u{0}", omittingEmptySubsequences: false).map(String.init)
            if parts.count == 3, parts[1] == configuration.username, parts[2] == configuration.password {
                saslSuccess(nil, context: context)
            } else {
                saslFailure("not-authorized", context: context)
            }
        case "SCRAM-SHA-1", "SCRAM-SHA-1-PLUS":
            offeredPlus = offered.contains { $0.hasSuffix("-PLUS") }
            scram.offeredPlus = offeredPlus
            // The binding type the client names in `p=type` selects this connection's data.
            if payload.hasPrefix("p="), let type = payload.dropFirst(2).split(separator: ",").first,
               let bindingType = ChannelBindingType(rawValue: String(type)) {
                scram.channelBindingData = tls?.channelBindings[bindingType] ?? []
            }
            guard SCRAMServer.attribute("n", in: String(payload.split(separator: ",", maxSplits: 2, omittingEmptySubsequences: false).last ?? "")) == configuration.username
            else {
                saslFailure("not-authorized", context: context)
                return
            }
            answer(scram.clientFirst(payload), context: context)
        default:
            saslFailure("invalid-mechanism", context: context)
        }
    }

    private func answerResponse(_ response: XMLElement, context: ChannelHandlerContext) {
        answer(scram.clientFinal(Self.decode(response.text)), context: context)
    }

    private func answer(_ outcome: SCRAMServer.Outcome, context: ChannelHandlerContext) {
        switch outcome {
        case .challenge(let text):
            write("<challenge xmlns='\(XMPPNamespace.sasl)'>\(Data(text.utf8).base64EncodedString())</challenge>", context: context)
        case .success(let text):
            saslSuccess(text, context: context)
        case .failure(let condition):
            saslFailure(condition, context: context)
        }
    }

    /// RFC 6120 §6.4.6: success, and the client's next stream is a new one.
    private func saslSuccess(_ additionalData: String?, context: ChannelHandlerContext) {
        let payload = additionalData.map { Data($0.utf8).base64EncodedString() } ?? ""
        write("<success xmlns='\(XMPPNamespace.sasl)'>\(payload)</success>", context: context)
        parser.reset()
        phase = .authenticated
        record.note("SASL success")
    }

    private func saslFailure(_ condition: String, context: ChannelHandlerContext) {
        write("<failure xmlns='\(XMPPNamespace.sasl)'><\(condition)/></failure>", context: context)
        record.note("SASL failure \(condition)")
    }

    private func answerBind(_ iq: XMLElement, context: ChannelHandlerContext) {
        let resource = iq.child("bind", namespace: XMPPNamespace.bind)?.childText("resource", namespace: XMPPNamespace.bind) ?? "test"
        var reply = XMLElement("iq", namespace: XMPPNamespace.client, attributes: ["type": "result", "id": iq.attribute("id") ?? ""])
        var bind = XMLElement("bind", namespace: XMPPNamespace.bind)
        bind.append(XMLElement("jid", namespace: XMPPNamespace.bind, text: "\(configuration.jid)/\(resource.isEmpty ? "test" : resource)"))
        reply.append(bind)
        write(reply, context: context)
        record.note("bound")
    }

    /// RFC 6120 §8.2.3: every get or set is answered; here with an empty result.
    private func answerStanza(_ element: XMLElement, context: ChannelHandlerContext) {
        guard element.name == "iq", element.namespace == XMPPNamespace.client,
              let type = element.attribute("type"), type == "get" || type == "set" else { return }
        var reply = XMLElement("iq", namespace: XMPPNamespace.client, attributes: ["type": "result", "id": element.attribute("id") ?? ""])
        reply.setAttribute("to", to: element.attribute("from"))
        write(reply, context: context)
    }

    // MARK: - Writing

    private func write(_ element: XMLElement, context: ChannelHandlerContext) {
        guard let bytes = try? element.serialized(inheritedNamespace: XMPPNamespace.client) else { return }
        write(ByteBuffer(bytes: bytes), context: context)
    }

    private func write(_ text: String, context: ChannelHandlerContext) {
        write(ByteBuffer(string: text), context: context)
    }

    /// Writes now, or, while a flood of stanzas is going out, between two of them.
    private func write(_ buffer: ByteBuffer, context: ChannelHandlerContext) {
        if flood != nil {
            queued.append(buffer)
            return
        }
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }

    private static func decode(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return String(decoding: Data(base64Encoded: trimmed == "=" ? "" : trimmed) ?? Data(), as: UTF8.self)
    }

    // MARK: - Floods

    private struct FloodWriter {
        var flood: TestXMPPServer.Flood
        var remainingUnits: Int
        /// Up to 64 KiB of whole units, written again and again.
        var chunk: ByteBuffer
        var unitsPerChunk: Int
    }

    private func startFlood(_ flood: TestXMPPServer.Flood, context: ChannelHandlerContext) {
        let unitBytes = max(1, flood.unit.count)
        let units = min(flood.count, configuration.maximumFloodBytes / unitBytes)
        let perChunk = max(1, (64 * 1024) / unitBytes)
        var chunk = context.channel.allocator.buffer(capacity: perChunk * unitBytes)
        for _ in 0..<perChunk { chunk.writeBytes(flood.unit) }
        record.note("flood of \(units) × \(unitBytes) bytes")
        if !flood.prefix.isEmpty { writeFlood(ByteBuffer(bytes: flood.prefix), context: context) }
        self.flood = FloodWriter(flood: flood, remainingUnits: units, chunk: chunk, unitsPerChunk: perChunk)
        pumpFlood(context: context)
    }

    /// Writes while the socket takes it; resumes when it is writable again.
    private func pumpFlood(context: ChannelHandlerContext) {
        while var writer = flood, context.channel.isActive, context.channel.isWritable {
            if writer.flood.unitsAreStanzas, !queued.isEmpty {
                for buffer in queued { context.write(wrapOutboundOut(buffer), promise: nil) }
                queued = []
            }
            guard writer.remainingUnits > 0 else {
                flood = nil
                if !writer.flood.suffix.isEmpty { writeFlood(ByteBuffer(bytes: writer.flood.suffix), context: context) }
                for buffer in queued { context.write(wrapOutboundOut(buffer), promise: nil) }
                queued = []
                context.flush()
                record.finishedFlood()
                record.note("flood written")
                return
            }
            var chunk = writer.chunk
            if writer.remainingUnits < writer.unitsPerChunk {
                chunk = writer.chunk.getSlice(at: writer.chunk.readerIndex, length: writer.remainingUnits * writer.flood.unit.count) ?? chunk
                writer.remainingUnits = 0
            } else {
                writer.remainingUnits -= writer.unitsPerChunk
            }
            flood = writer
            writeFlood(chunk, context: context)
        }
    }

    private func writeFlood(_ buffer: ByteBuffer, context: ChannelHandlerContext) {
        let count = buffer.readableBytes
        let record = self.record
        let promise = context.eventLoop.makePromise(of: Void.self)
        promise.futureResult.whenSuccess { record.wroteFlood(count) }
        context.writeAndFlush(wrapOutboundOut(buffer), promise: promise)
    }
}
