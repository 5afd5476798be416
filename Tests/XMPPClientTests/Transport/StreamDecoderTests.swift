import NIOCore
import NIOEmbedded
import Testing
@testable import XMPPClient
import XMPPCore
import XMPPXML

/// The decoder on an `EmbeddedChannel`: bytes in, frames out, restarts where RFC 6120 puts them.
@Suite struct StreamDecoderTests {
    static let header = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='1' version='1.0' from='example.com'>"

    static func frames(_ channel: EmbeddedChannel) throws -> [XMPPInboundFrame] {
        var frames: [XMPPInboundFrame] = []
        while let frame = try channel.readInbound(as: XMPPInboundFrame.self) { frames.append(frame) }
        return frames
    }

    @Test func plaintextAfterProceedIsNeverParsedIntoTheNewStream() throws {
        let channel = EmbeddedChannel(handler: XMPPStreamDecoder())
        // A man in the middle appends a fake feature list to <proceed/> in the same read.
        let injected = Self.header + "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/><stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms></stream:features>"
        try channel.writeInbound(ByteBuffer(string: injected))
        let frames = try Self.frames(channel)
        #expect(frames.count == 2)  // header and <proceed/> only
        // The parser was reset: a new stream header is accepted.
        try channel.writeInbound(ByteBuffer(string: Self.header))
        guard case .event(.streamOpened)? = try Self.frames(channel).first else {
            Issue.record("the parser did not restart")
            return
        }
        #expect(try channel.finish().isClean)
    }

    @Test func restartsAfterSASLSuccessAndCompressed() throws {
        for restart in ["<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>", "<compressed xmlns='http://jabber.org/protocol/compress'/>"] {
            let channel = EmbeddedChannel(handler: XMPPStreamDecoder())
            try channel.writeInbound(ByteBuffer(string: Self.header + restart))
            #expect(try Self.frames(channel).count == 2)
            try channel.writeInbound(ByteBuffer(string: Self.header + "<stream:features/>"))
            #expect(try Self.frames(channel).count == 2)
            #expect(try channel.finish().isClean)
        }
    }

    @Test func malformedInputArrivesInBandAfterWhatCameBefore() throws {
        let channel = EmbeddedChannel(handler: XMPPStreamDecoder())
        try channel.writeInbound(ByteBuffer(string: Self.header + "<presence/>"))
        try channel.writeInbound(ByteBuffer(string: "<!-- nope -->"))
        try channel.writeInbound(ByteBuffer(string: "<presence/>"))  // ignored: the stream is over
        let frames = try Self.frames(channel)
        #expect(frames.count == 3)
        guard case .malformedInput(let error)? = frames.last else {
            Issue.record("expected the error as the last frame, got \(frames)")
            return
        }
        #expect(error.condition == .restrictedXML)
        #expect(try channel.finish().isClean)
    }

    @Test func aTLSHandshakeEventBecomesAFrame() throws {
        let channel = EmbeddedChannel(handler: XMPPStreamDecoder())
        let info = TLSSessionInfo(version: .v1_3, cipherSuite: "TLS_AES_128_GCM_SHA256", peerCertificateSHA256: nil, channelBindings: [:])
        channel.pipeline.fireUserInboundEventTriggered(TLSEvent.handshakeCompleted(info))
        guard case .tlsEstablished(let received)? = try Self.frames(channel).first else {
            Issue.record("no tlsEstablished frame")
            return
        }
        #expect(received == info)
        #expect(try channel.finish().isClean)
    }

    @Test func theEncoderWritesStanzasInTheStreamNamespaceAndTheCloseTag() throws {
        let channel = EmbeddedChannel(handler: XMPPStreamEncoder())
        try channel.writeOutbound(XMPPOutboundFrame.element(Message(.chat, to: try JID("romeo@example.net"), id: "m1", body: "hi").element))
        try channel.writeOutbound(XMPPOutboundFrame.streamClose)
        let message = try #require(try channel.readOutbound(as: ByteBuffer.self))
        #expect(String(buffer: message) == "<message type=\"chat\" id=\"m1\" to=\"romeo@example.net\"><body>hi</body></message>")
        #expect(String(buffer: try #require(try channel.readOutbound(as: ByteBuffer.self))) == "</stream:stream>")
        #expect(try channel.finish().isClean)
    }
}
