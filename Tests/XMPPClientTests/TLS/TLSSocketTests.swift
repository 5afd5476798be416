import NIOCore
import NIOPosix
import TestSupport
import Testing
@testable import XMPPClient

/// The handler on real TCP sockets (NIOPosix on 127.0.0.1), against itself and against
/// OpenSSL's own `s_server` and `s_client`: a third-party peer.
@Suite struct TLSSocketTests {
    /// Our client ↔ our echo server: 1 MiB there and back, then a clean close.
    @Test(arguments: [TLSVersion.v1_2, .v1_3])
    func echoOverTCP(version: TLSVersion) async throws {
        let pki = try TLSTestPKI.get()
        let loop = Sockets.group.next()
        let payload = patternBytes(1 << 20, seed: 3)
        let serverFutures = ProbeFutures(on: loop, expectedBytes: payload.count, echo: true)
        let (certificate, key) = (pki.serverCertificate, pki.serverKey)
        let server = try await Sockets.server {
            [try OpenSSLTLSHandler(serverCertificateChainFile: certificate, privateKeyFile: key), SocketProbe(serverFutures)]
        }
        let port = try #require(server.localAddress?.port)
        let clientFutures = ProbeFutures(on: loop, expectedBytes: payload.count)
        let configuration = try testCAConfiguration(maximum: version)
        let client = try await Sockets.connect(port: port) {
            [try OpenSSLTLSHandler(configuration: configuration), SocketProbe(clientFutures)]
        }
        // Written before the handshake completes: queued, then sent.
        try await client.writeAndFlush(ByteBuffer(bytes: payload)).get()
        let clientSession = try await clientFutures.handshake.futureResult.get()
        let serverSession = try await serverFutures.handshake.futureResult.get()
        #expect(clientSession.version == version)
        #expect(clientSession.channelBindings == serverSession.channelBindings)
        #expect(try await clientFutures.data.futureResult.get() == payload)
        try await client.close().get()
        // The server saw close_notify and closed its side, without an error.
        try await serverFutures.closed.futureResult.get()
        // No TLS error reached the server: completing its failure promise now wins the race.
        serverFutures.failure.succeed(TLSError(.handshakeFailed, "none"))
        #expect(try await serverFutures.failure.futureResult.get().detail == "none")
        try await server.close().get()
    }

    /// A "server" that answers with plaintext: the client fails with a protocol error at once,
    /// well within the (long) handshake timeout.
    @Test func plaintextServer() async throws {
        let loop = Sockets.group.next()
        let server = try await Sockets.server { [PlaintextGreeter()] }
        let port = try #require(server.localAddress?.port)
        let futures = ProbeFutures(on: loop)
        var patient = try testCAConfiguration()
        patient.handshakeTimeout = .seconds(60)
        let configuration = patient
        let client = try await Sockets.connect(port: port) {
            [try OpenSSLTLSHandler(configuration: configuration), SocketProbe(futures)]
        }
        let failure = try await futures.failure.futureResult.get()
        #expect(failure.kind == .protocolError)
        #expect(failure.detail.contains("<?xml"))
        try await futures.closed.futureResult.get()
        try await client.closeFuture.get()
        try await server.close().get()
    }

    /// A server that drops the connection on the first bytes: unexpected end of file.
    @Test func serverClosesMidHandshake() async throws {
        let loop = Sockets.group.next()
        let server = try await Sockets.server { [Hangup()] }
        let port = try #require(server.localAddress?.port)
        let futures = ProbeFutures(on: loop)
        let configuration = try testCAConfiguration()
        _ = try await Sockets.connect(port: port) {
            [try OpenSSLTLSHandler(configuration: configuration), SocketProbe(futures)]
        }
        let failure = try await futures.failure.futureResult.get()
        #expect(failure.kind == .unexpectedEOF || failure.kind == .protocolError,
                "EOF, or a TCP reset surfacing as an I/O error: \(failure)")
        try await server.close().get()
    }

    // MARK: openssl s_server as the peer

    /// Our client against `openssl s_server`: the handshake verifies, data flows both ways, and
    /// tls-exporter equals the keying material s_server exports.
    @Test(arguments: [TLSVersion.v1_2, .v1_3])
    func clientAgainstOpenSSLServer(version: TLSVersion) async throws {
        let pki = try TLSTestPKI.get()
        let peer = try OpenSSLPeer([
            "s_server", "-accept", "127.0.0.1:0", "-cert", pki.serverCertificate, "-key", pki.serverKey,
            version == .v1_3 ? "-tls1_3" : "-tls1_2", "-naccept", "1",
            "-keymatexport", "EXPORTER-Channel-Binding", "-keymatexportlen", "32",
        ], directory: pki.directory)
        defer { peer.stop() }
        let port = try await peer.acceptedPort()
        let futures = ProbeFutures(on: Sockets.group.next(), expectedBytes: "pong from s_server\n".utf8.count)
        let configuration = try testCAConfiguration()
        let client = try await Sockets.connect(port: port) {
            [try OpenSSLTLSHandler(configuration: configuration), SocketProbe(futures)]
        }
        let session = try await futures.handshake.futureResult.get()
        #expect(session.version == version)
        #expect(session.channelBinding(.tlsServerEndPoint) == (try pki.digest("sha256", pki.der(pki.serverCertificate))))

        try await client.writeAndFlush(buffer("ping from xmppkit\n")).get()
        try await peer.waitForOutput { $0.contains("ping from xmppkit") }
        peer.send("pong from s_server\n")
        #expect(try await futures.data.futureResult.get() == Array("pong from s_server\n".utf8))

        // s_server exports with no context (use_context = 0). In TLS 1.3 that equals RFC 9266's
        // empty context; in TLS 1.2 (RFC 5705) it does not, so compare it with our no-context export.
        let serverMaterial = try await peer.keyingMaterial()
        let noContext = try await futures.exporterWithoutContext.futureResult.get()
        #expect(serverMaterial == noContext)
        switch version {
        case .v1_3:
            #expect(session.channelBinding(.tlsExporter) == serverMaterial)
        case .v1_2:
            #expect(session.channelBinding(.tlsExporter)?.count == 32, "s_server negotiates extended master secret")
            #expect(session.channelBinding(.tlsExporter) != serverMaterial)
            #expect(session.channelBinding(.tlsUnique)?.count == 12)
        }
        try await client.close().get()
    }

    /// TLS 1.2 without the extended master secret (s_server configured with
    /// `Options = -ExtendedMasterSecret`): tls-exporter is withheld, tls-unique remains.
    @Test func tls12WithoutExtendedMasterSecret() async throws {
        let pki = try TLSTestPKI.get()
        let config = pki.path("no-ems.cnf")
        try """
            openssl_conf = openssl_init
            [openssl_init]
            ssl_conf = ssl_sect
            [ssl_sect]
            system_default = system_default_sect
            [system_default_sect]
            Options = -ExtendedMasterSecret
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let peer = try OpenSSLPeer([
            "s_server", "-accept", "127.0.0.1:0", "-cert", pki.serverCertificate, "-key", pki.serverKey,
            "-tls1_2", "-naccept", "1",
        ], environment: ["OPENSSL_CONF": config], directory: pki.directory)
        defer { peer.stop() }
        let port = try await peer.acceptedPort()
        let futures = ProbeFutures(on: Sockets.group.next())
        let configuration = try testCAConfiguration()
        let client = try await Sockets.connect(port: port) {
            [try OpenSSLTLSHandler(configuration: configuration), SocketProbe(futures)]
        }
        let session = try await futures.handshake.futureResult.get()
        #expect(session.version == .v1_2)
        #expect(session.channelBinding(.tlsExporter) == nil)
        #expect(session.channelBinding(.tlsUnique)?.count == 12)
        #expect(session.channelBinding(.tlsServerEndPoint) != nil)
        try await client.close().get()
    }

    /// A TLS 1.2-only s_server refuses a client whose minimum is TLS 1.3.
    @Test func minimumVersionAgainstOpenSSLServer() async throws {
        let pki = try TLSTestPKI.get()
        let peer = try OpenSSLPeer([
            "s_server", "-accept", "127.0.0.1:0", "-cert", pki.serverCertificate, "-key", pki.serverKey,
            "-tls1_2", "-naccept", "1",
        ], directory: pki.directory)
        defer { peer.stop() }
        let port = try await peer.acceptedPort()
        let futures = ProbeFutures(on: Sockets.group.next())
        let configuration = try testCAConfiguration(minimum: .v1_3)
        _ = try await Sockets.connect(port: port) {
            [try OpenSSLTLSHandler(configuration: configuration), SocketProbe(futures)]
        }
        let failure = try await futures.failure.futureResult.get()
        #expect(failure.kind == .handshakeFailed)
        #expect(failure.detail.contains("protocol version"))
    }

    // MARK: openssl s_client as the peer

    /// `openssl s_client` against our server: it verifies our certificate, its data is echoed,
    /// and its exported keying material equals ours.
    @Test(arguments: [TLSVersion.v1_2, .v1_3])
    func openSSLClientAgainstOurServer(version: TLSVersion) async throws {
        let pki = try TLSTestPKI.get()
        let futures = ProbeFutures(on: Sockets.group.next(), echo: true)
        let (certificate, key) = (pki.serverCertificate, pki.serverKey)
        let server = try await Sockets.server {
            [try OpenSSLTLSHandler(serverCertificateChainFile: certificate, privateKeyFile: key), SocketProbe(futures)]
        }
        let port = try #require(server.localAddress?.port)
        let peer = try OpenSSLPeer([
            "s_client", "-connect", "127.0.0.1:\(port)", version == .v1_3 ? "-tls1_3" : "-tls1_2",
            "-CAfile", pki.caFile, "-servername", TLSTestPKI.serverName, "-verify_hostname", TLSTestPKI.serverName,
            "-verify_return_error", "-keymatexport", "EXPORTER-Channel-Binding", "-keymatexportlen", "32",
        ], directory: pki.directory)
        defer { peer.stop() }
        let session = try await futures.handshake.futureResult.get()
        #expect(session.version == version)
        let clientMaterial = try await peer.keyingMaterial()
        #expect(try await peer.waitForOutput { $0.contains("Verification: OK") }.contains("Verified peername: xmpp.test"))
        #expect(try await futures.exporterWithoutContext.futureResult.get() == clientMaterial)
        if version == .v1_3 {
            #expect(session.channelBinding(.tlsExporter) == clientMaterial)
        }
        peer.send("echo me\n")
        try await peer.waitForOutput { $0.contains("echo me") }  // s_client prints what it receives
        try await server.close().get()
    }
}

/// Greets every connection with an XML declaration, as a server that never started TLS would.
final class PlaintextGreeter: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.writeAndFlush(wrapOutboundOut(buffer("<?xml version='1.0'?><stream:stream xmlns='jabber:client'>")), promise: nil)
    }
}

/// Closes every connection as soon as it says something.
final class Hangup: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.close(promise: nil)
    }
}
