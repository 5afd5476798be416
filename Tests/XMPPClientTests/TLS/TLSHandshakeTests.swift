import NIOCore
import NIOEmbedded
import TestSupport
import Testing
@testable import XMPPClient

/// A client configuration trusting the test CA only.
func testCAConfiguration(
    serverName: String? = TLSTestPKI.serverName, minimum: TLSVersion = .v1_2, maximum: TLSVersion? = nil
) throws -> TLSConfiguration {
    TLSConfiguration(trust: .certificateAuthorities(file: try TLSTestPKI.get().caFile), serverName: serverName,
                     minimumVersion: minimum, maximumVersion: maximum)
}

/// Whether `future` has completed yet (an `EmbeddedEventLoop` runs callbacks at once).
func isComplete(_ future: EventLoopFuture<Void>) -> Bool {
    final class Flag: @unchecked Sendable { var value = false }
    let flag = Flag()
    future.whenComplete { _ in flag.value = true }
    return flag.value
}

/// Client ↔ server, both ``OpenSSLTLSHandler``, on `EmbeddedChannel`s.
@Suite struct TLSHandshakeTests {
    @Test(arguments: [TLSVersion.v1_2, .v1_3])
    func handshakeAndRoundTrip(version: TLSVersion) throws {
        let pki = try TLSTestPKI.get()
        let pair = try EmbeddedTLSPair(client: testCAConfiguration(maximum: version))
        try pair.handshake()
        let client = try #require(pair.clientRecorder.session)
        let server = try #require(pair.serverRecorder.session)
        #expect(client.version == version)
        #expect(server.version == version)
        #expect(client.versionString == (version == .v1_3 ? "TLSv1.3" : "TLSv1.2"))
        #expect(client.cipherSuite == server.cipherSuite)
        #expect(client.cipherSuite.hasPrefix("TLS_"))
        #expect(client.peerCertificateSHA256 == (try pki.digest("sha256", pki.der(pki.serverCertificate))))
        #expect(server.peerCertificateSHA256 == nil)

        try pair.client.writeAndFlush(ByteBuffer(bytes: Array("<stream:stream>".utf8))).wait()
        try pair.shuttle()
        #expect(pair.serverRecorder.received == Array("<stream:stream>".utf8))
        try pair.server.writeAndFlush(ByteBuffer(bytes: Array("<stream:features/>".utf8))).wait()
        try pair.shuttle()
        #expect(pair.clientRecorder.received == Array("<stream:features/>".utf8))

        // 1 MiB each way in one write: many records, decrypted into buffers of at most 64 KiB + a record.
        let big = patternBytes(1 << 20, seed: 7)
        pair.clientRecorder.received = []
        pair.serverRecorder.received = []
        let clientWrite = pair.client.writeAndFlush(ByteBuffer(bytes: big))
        let serverWrite = pair.server.writeAndFlush(ByteBuffer(bytes: big.reversed()))
        try pair.shuttle()
        try clientWrite.wait()
        try serverWrite.wait()
        #expect(pair.serverRecorder.received == big)
        #expect(pair.clientRecorder.received == big.reversed())
        #expect(pair.clientRecorder.errors.isEmpty && pair.serverRecorder.errors.isEmpty)
        #expect(pair.clientRecorder.readCount > 1, "1 MiB arrives in more than one buffer")
    }

    @Test func tls12ChannelBindingsAgree() throws {
        let pki = try TLSTestPKI.get()
        let pair = try EmbeddedTLSPair(client: testCAConfiguration(maximum: .v1_2))
        try pair.handshake()
        let client = try #require(pair.clientRecorder.session).channelBindings
        let server = try #require(pair.serverRecorder.session).channelBindings
        #expect(client == server)
        // tls-unique: the client's Finished (verify_data, 12 bytes in TLS 1.2), as both see it.
        #expect(client[.tlsUnique]?.count == 12)
        // OpenSSL negotiates the extended master secret, so tls-exporter exists on TLS 1.2 too.
        #expect(client[.tlsExporter]?.count == 32)
        #expect(client[.tlsServerEndPoint] == (try pki.digest("sha256", pki.der(pki.serverCertificate))))
    }

    @Test func tls13ChannelBindingsAgree() throws {
        let pki = try TLSTestPKI.get()
        let pair = try EmbeddedTLSPair(client: testCAConfiguration(minimum: .v1_3))
        try pair.handshake()
        let client = try #require(pair.clientRecorder.session).channelBindings
        let server = try #require(pair.serverRecorder.session).channelBindings
        #expect(client == server)
        #expect(client[.tlsUnique] == nil, "tls-unique is undefined for TLS 1.3")
        #expect(client[.tlsExporter]?.count == 32)
        #expect(client[.tlsServerEndPoint] == (try pki.digest("sha256", pki.der(pki.serverCertificate))))
        // In TLS 1.3 an empty context and no context give the same exporter (RFC 8446 §7.5).
        let noContext = pair.clientHandler.exportKeyingMaterial(label: "EXPORTER-Channel-Binding", length: 32, context: nil)
        #expect(noContext == client[.tlsExporter])
    }

    @Test func tls12ExporterUsesAnEmptyContext() throws {
        let pair = try EmbeddedTLSPair(client: testCAConfiguration(maximum: .v1_2))
        try pair.handshake()
        let exporter = try #require(pair.clientRecorder.session?.channelBinding(.tlsExporter))
        let empty = pair.clientHandler.exportKeyingMaterial(label: "EXPORTER-Channel-Binding", length: 32, context: [])
        let none = pair.clientHandler.exportKeyingMaterial(label: "EXPORTER-Channel-Binding", length: 32, context: nil)
        #expect(exporter == empty)
        #expect(none != nil && none != empty, "RFC 5705: in TLS 1.2 no context differs from an empty one")
    }

    /// RFC 5929 §4.1: the certificate's signature hash, SHA-256 in place of MD5 and SHA-1.
    @Test(arguments: [("sha256", "sha256"), ("sha384", "sha384"), ("sha1", "sha256")])
    func tlsServerEndPointHashFollowsTheSignature(signatureHash: String, expectedHash: String) throws {
        let pki = try TLSTestPKI.get()
        let certificate = pki.rsaCertificate(hash: signatureHash)
        let pair = try EmbeddedTLSPair(
            client: TLSConfiguration(trust: .insecureNoVerificationForTestingOnly, serverName: TLSTestPKI.serverName),
            serverCertificate: certificate, serverKey: pki.rsaKey)
        try pair.handshake()
        let expected = try pki.digest(expectedHash, pki.der(certificate))
        #expect(pair.clientRecorder.session?.channelBinding(.tlsServerEndPoint) == expected)
        #expect(pair.serverRecorder.session?.channelBinding(.tlsServerEndPoint) == expected)
    }

    /// STARTTLS: the handlers join channels that are already active, and start in handlerAdded.
    @Test(arguments: [TLSVersion.v1_2, .v1_3])
    func startsOnLiveChannel(version: TLSVersion) throws {
        let pair = try EmbeddedTLSPair(client: testCAConfiguration(maximum: version), activeFirst: true)
        try pair.handshake()
        #expect(pair.clientRecorder.session?.version == version)
        try pair.client.writeAndFlush(ByteBuffer(bytes: Array("after starttls".utf8))).wait()
        try pair.shuttle()
        #expect(pair.serverRecorder.received == Array("after starttls".utf8))
    }

    /// Writes made before the handshake wait for it, in order; the flushed ones go out then, the
    /// others on the next flush; each promise completes with its write.
    @Test func writesWaitForTheHandshake() throws {
        let pair = try EmbeddedTLSPair(client: testCAConfiguration())
        let first = pair.client.write(ByteBuffer(bytes: Array("one ".utf8)))
        pair.client.flush()
        let second = pair.client.write(ByteBuffer(bytes: Array("two ".utf8)))  // not flushed yet
        try pair.handshake()
        try first.wait()
        #expect(pair.serverRecorder.received == Array("one ".utf8))
        #expect(!isComplete(second))
        let third = pair.client.writeAndFlush(ByteBuffer(bytes: Array("three".utf8)))
        try pair.shuttle()
        try second.wait()
        try third.wait()
        #expect(pair.serverRecorder.received == Array("one two three".utf8))
    }

    /// After the handshake a write is encrypted and sent only on flush.
    @Test func writeWithoutFlushSendsNothing() throws {
        let pair = try EmbeddedTLSPair(client: testCAConfiguration())
        try pair.handshake()
        let write = pair.client.write(ByteBuffer(bytes: [1, 2, 3]))
        #expect(try pair.client.readOutbound(as: ByteBuffer.self) == nil)
        #expect(!isComplete(write))
        pair.client.flush()
        let record = try #require(try pair.client.readOutbound(as: ByteBuffer.self))
        #expect(record.getInteger(at: record.readerIndex, as: UInt8.self) == 23, "an application_data record")
        try write.wait()
    }

    /// Many small writes in one flush arrive whole and in order, coalesced into few records.
    @Test func manySmallWrites() throws {
        let pair = try EmbeddedTLSPair(client: testCAConfiguration())
        try pair.handshake()
        var expected: [UInt8] = []
        var futures: [EventLoopFuture<Void>] = []
        for index in 0..<5_000 {
            let chunk = Array("<r id='\(index)'/>".utf8)
            expected += chunk
            futures.append(pair.client.write(ByteBuffer(bytes: chunk)))
        }
        pair.client.flush()
        try pair.shuttle()
        for future in futures { try future.wait() }
        #expect(pair.serverRecorder.received == expected)
        let recordBytes = pair.clientToServer.suffix(1).reduce(0) { $0 + $1.readableBytes }
        #expect(recordBytes < expected.count + 5 * 64, "coalesced: \(recordBytes) bytes of records for \(expected.count) bytes")
    }

    /// Closing sends close_notify; the peer answers by closing too.
    @Test(arguments: [TLSVersion.v1_2, .v1_3])
    func closeSendsCloseNotify(version: TLSVersion) throws {
        let pair = try EmbeddedTLSPair(client: testCAConfiguration(maximum: version))
        try pair.handshake()
        let closed = pair.client.close()
        let alert = try #require(try pair.client.readOutbound(as: ByteBuffer.self))
        #expect(alert.getInteger(at: alert.readerIndex, as: UInt8.self) == (version == .v1_2 ? 21 : 23),
                "an alert record (encrypted as application_data in TLS 1.3)")
        try closed.wait()
        #expect(!pair.client.isActive)
        try pair.server.writeInbound(alert)
        #expect(!pair.server.isActive, "close_notify received: the server closes")
        #expect(pair.serverRecorder.errors.isEmpty)
        #expect(pair.serverRecorder.inactive)
        // The server answered with its own close_notify before closing.
        #expect(try pair.server.readOutbound(as: ByteBuffer.self) != nil)
    }

    /// A write after close fails; it never reaches the wire as plaintext.
    @Test func writeAfterCloseFails() throws {
        let pair = try EmbeddedTLSPair(client: testCAConfiguration())
        try pair.handshake()
        try pair.client.close().wait()
        #expect(throws: (any Error).self) { try pair.client.writeAndFlush(ByteBuffer(bytes: [1])).wait() }
    }
}
