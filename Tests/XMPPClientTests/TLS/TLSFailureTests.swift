import Foundation
import NIOCore
import NIOEmbedded
import Testing
@testable import XMPPClient

/// Peers that misbehave: plaintext, silence, a dropped connection, corrupt records.
@Suite struct TLSFailureTests {
    /// A client on an active `EmbeddedChannel`, its ClientHello already sent.
    private func startedClient(_ configuration: TLSConfiguration) throws -> (EmbeddedChannel, TLSRecorder) {
        let channel = EmbeddedChannel()
        let recorder = TLSRecorder()
        try channel.pipeline.syncOperations.addHandlers([OpenSSLTLSHandler(configuration: configuration), recorder])
        channel.connect(to: try SocketAddress(ipAddress: "127.0.0.1", port: 5223), promise: nil)
        let hello = try #require(try channel.readOutbound(as: ByteBuffer.self))
        #expect(hello.getInteger(at: hello.readerIndex, as: UInt8.self) == 22, "a handshake record")
        return (channel, recorder)
    }

    /// A server answering the ClientHello with plaintext (e.g. an XMPP server that never switched
    /// to TLS, or an HTTP server) fails at once, naming what it sent.
    @Test(arguments: ["HTTP/1.1 400 Bad Request\r\n\r\n", "<?xml version='1.0'?><stream:stream>"])
    func plaintextInsteadOfTLS(garbage: String) throws {
        let (channel, recorder) = try startedClient(testCAConfiguration())
        try channel.writeInbound(ByteBuffer(bytes: Array(garbage.utf8)))
        let failure = try #require(recorder.tlsErrors.first)
        #expect(failure.kind == .protocolError)
        #expect(failure.detail.contains("not speaking TLS"))
        #expect(failure.detail.contains(String(garbage.prefix(8)).replacingOccurrences(of: "\r", with: ".")))
        #expect(!channel.isActive)
        #expect(recorder.session == nil)
    }

    /// Random bytes that look like a handshake record header but are not one.
    @Test func corruptHandshakeRecord() throws {
        let (channel, recorder) = try startedClient(testCAConfiguration())
        try channel.writeInbound(ByteBuffer(bytes: [22, 3, 3, 0, 8] + patternBytes(8)))
        #expect(recorder.tlsErrors.first?.kind == .handshakeFailed)
        #expect(!channel.isActive)
    }

    /// Too little to be a record, then silence: the handshake timeout ends it.
    @Test func silentPeerTimesOut() throws {
        var configuration = try testCAConfiguration()
        configuration.handshakeTimeout = .milliseconds(500)
        let (channel, recorder) = try startedClient(configuration)
        try channel.writeInbound(ByteBuffer(bytes: Array("<?x".utf8)))
        #expect(recorder.errors.isEmpty)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(499))
        #expect(recorder.errors.isEmpty)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(recorder.tlsErrors.first?.kind == .handshakeTimedOut)
        #expect(!channel.isActive)
    }

    /// The timeout is cancelled by a completed handshake.
    @Test func completedHandshakeCancelsTheTimeout() throws {
        var configuration = try testCAConfiguration()
        configuration.handshakeTimeout = .milliseconds(100)
        let pair = try EmbeddedTLSPair(client: configuration)
        try pair.handshake()
        pair.client.embeddedEventLoop.advanceTime(by: .seconds(60))
        pair.server.embeddedEventLoop.advanceTime(by: .seconds(60))
        #expect(pair.clientRecorder.errors.isEmpty && pair.serverRecorder.errors.isEmpty)
        #expect(pair.client.isActive)
    }

    /// The connection drops after the ClientHello.
    @Test func peerClosesMidHandshake() throws {
        let (channel, recorder) = try startedClient(testCAConfiguration())
        let write = channel.writeAndFlush(ByteBuffer(bytes: Array("<stream:stream>".utf8)))
        channel.pipeline.fireChannelInactive()
        #expect(recorder.tlsErrors.first?.kind == .unexpectedEOF)
        #expect(recorder.inactive)
        #expect(throws: TLSError.self) { try write.wait() }
    }

    /// With half-closure allowed the end of input arrives as an event; mid-handshake it is an error.
    @Test func peerHalfClosesMidHandshake() throws {
        let (channel, recorder) = try startedClient(testCAConfiguration())
        channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        #expect(recorder.tlsErrors.first?.kind == .unexpectedEOF)
        #expect(!channel.isActive)
    }

    /// The server's half of the handshake stops halfway: the client reports the end of file.
    @Test func serverVanishesAfterItsFirstFlight() throws {
        let pair = try EmbeddedTLSPair(client: testCAConfiguration(maximum: .v1_2))
        // ClientHello to the server, its first flight back, then the connection drops.
        let hello = try #require(try pair.client.readOutbound(as: ByteBuffer.self))
        try pair.server.writeInbound(hello)
        while let flight = try pair.server.readOutbound(as: ByteBuffer.self) { try pair.client.writeInbound(flight) }
        pair.client.pipeline.fireChannelInactive()
        #expect(pair.clientRecorder.tlsErrors.map(\.kind) == [.unexpectedEOF])
    }

    /// A record altered in flight after the handshake fails authentication: a protocol error.
    @Test(arguments: [TLSVersion.v1_2, .v1_3])
    func tamperedRecordAfterHandshake(version: TLSVersion) throws {
        let pair = try EmbeddedTLSPair(client: testCAConfiguration(maximum: version))
        try pair.handshake()
        pair.client.writeAndFlush(ByteBuffer(bytes: Array("secret".utf8)), promise: nil)
        var record = try #require(try pair.client.readOutbound(as: ByteBuffer.self))
        let last = record.writerIndex - 1
        record.setInteger(record.getInteger(at: last, as: UInt8.self)! ^ 0x01, at: last)
        try pair.server.writeInbound(record)
        #expect(pair.serverRecorder.received.isEmpty)
        #expect(pair.serverRecorder.tlsErrors.first?.kind == .protocolError)
        #expect(!pair.server.isActive)
    }
}
