import NIOCore
import NIOEmbedded
import TestSupport
import Testing
@testable import XMPPClient

/// How a client decides to trust, and what it reports when it does not.
@Suite struct TLSVerificationTests {
    /// Runs a handshake to its end and returns the client's single TLS error, if any.
    private func clientError(
        _ configuration: TLSConfiguration, certificate: String? = nil, key: String? = nil
    ) throws -> (TLSError?, EmbeddedTLSPair) {
        let pair = try EmbeddedTLSPair(client: configuration, serverCertificate: certificate, serverKey: key)
        try pair.shuttle()
        #expect(pair.clientRecorder.tlsErrors.count <= 1)
        return (pair.clientRecorder.tlsErrors.first, pair)
    }

    @Test func untrustedCAIsRefused() throws {
        // The system store does not hold the test CA.
        let (error, pair) = try clientError(TLSConfiguration(trust: .systemDefault, serverName: TLSTestPKI.serverName))
        let failure = try #require(error)
        #expect(failure.kind == .certificateVerificationFailed)
        #expect(failure.certificateError == "unable to get local issuer certificate")
        #expect(pair.clientRecorder.session == nil)
        #expect(!pair.client.isActive, "the handler closes after a failure")
        // The server heard why: OpenSSL's alert went out before the close.
        #expect(pair.serverRecorder.tlsErrors.first?.kind == .handshakeFailed)
        #expect(pair.serverRecorder.tlsErrors.first?.detail.contains("alert") == true)
    }

    @Test func expiredCertificateIsRefused() throws {
        let pki = try TLSTestPKI.get()
        let (error, _) = try clientError(testCAConfiguration(), certificate: pki.expiredCertificate)
        let failure = try #require(error)
        #expect(failure.kind == .certificateVerificationFailed)
        #expect(failure.certificateError == "certificate has expired")
        #expect(failure.description.contains("expired"))
    }

    @Test func certificateForAnotherNameIsRefused() throws {
        let pki = try TLSTestPKI.get()
        let (error, _) = try clientError(testCAConfiguration(), certificate: pki.otherNameCertificate)
        let failure = try #require(error)
        #expect(failure.kind == .certificateVerificationFailed)
        #expect(failure.certificateError == "hostname mismatch")
    }

    @Test func wrongServerNameIsRefused() throws {
        let (error, _) = try clientError(testCAConfiguration(serverName: "example.org"))
        #expect(error?.kind == .certificateVerificationFailed)
        #expect(error?.certificateError == "hostname mismatch")
    }

    /// A name with a trailing dot is the same DNS name.
    @Test func trailingDotIsTheSameName() throws {
        let (error, pair) = try clientError(testCAConfiguration(serverName: "xmpp.test."))
        #expect(error == nil)
        #expect(pair.clientRecorder.session != nil)
    }

    /// An IP literal is checked against the IP SANs (the certificate has IP:127.0.0.1).
    @Test(arguments: [("127.0.0.1", true), ("127.0.0.2", false), ("::1", false)])
    func ipAddressServerName(name: String, accepted: Bool) throws {
        let (error, pair) = try clientError(testCAConfiguration(serverName: name))
        if accepted {
            #expect(error == nil)
            #expect(pair.clientRecorder.session != nil)
        } else {
            #expect(error?.kind == .certificateVerificationFailed)
            #expect(error?.certificateError == "IP address mismatch")
        }
    }

    @Test func pinMismatchIsRefused() throws {
        let (error, pair) = try clientError(TLSConfiguration(
            trust: .pinnedCertificateSHA256([UInt8](repeating: 0xAB, count: 32)), serverName: TLSTestPKI.serverName))
        #expect(error?.kind == .pinMismatch)
        #expect(pair.clientRecorder.session == nil)
        // The client aborted inside the handshake: the server never completed it.
        #expect(pair.serverRecorder.session == nil)
    }

    /// A matching pin is enough: the test CA is not trusted and no name is given.
    @Test func matchingPinIsAccepted() throws {
        let pki = try TLSTestPKI.get()
        let pin = try pki.digest("sha256", pki.der(pki.serverCertificate))
        let (error, pair) = try clientError(TLSConfiguration(trust: .pinnedCertificateSHA256(pin), serverName: nil))
        #expect(error == nil)
        #expect(pair.clientRecorder.session?.peerCertificateSHA256 == pin)
    }

    /// A pin is the whole check: it accepts the pinned certificate even when expired.
    @Test func pinIgnoresTheChain() throws {
        let pki = try TLSTestPKI.get()
        let pin = try pki.digest("sha256", pki.der(pki.expiredCertificate))
        let (error, _) = try clientError(
            TLSConfiguration(trust: .pinnedCertificateSHA256(pin), serverName: TLSTestPKI.serverName),
            certificate: pki.expiredCertificate)
        #expect(error == nil)
    }

    @Test func insecureOptionAcceptsAnything() throws {
        let pki = try TLSTestPKI.get()
        for certificate in [pki.serverCertificate, pki.expiredCertificate, pki.otherNameCertificate] {
            let (error, pair) = try clientError(
                TLSConfiguration(trust: .insecureNoVerificationForTestingOnly, serverName: nil), certificate: certificate)
            #expect(error == nil)
            #expect(pair.clientRecorder.session != nil)
        }
    }

    @Test func tls12ServerRefusedWhenMinimumIs13() throws {
        let pair = try EmbeddedTLSPair(client: testCAConfiguration(minimum: .v1_3), serverMaximum: .v1_2)
        try pair.shuttle()
        let failure = try #require(pair.clientRecorder.tlsErrors.first)
        #expect(failure.kind == .handshakeFailed)
        #expect(failure.detail.contains("protocol version"))
        #expect(pair.clientRecorder.session == nil)
        #expect(pair.serverRecorder.tlsErrors.first?.kind == .handshakeFailed)
    }

    @Test func unusableConfigurationsThrow() throws {
        let pki = try TLSTestPKI.get()
        let cases: [TLSConfiguration] = [
            TLSConfiguration(trust: .pinnedCertificateSHA256([1, 2, 3]), serverName: "xmpp.test"),
            TLSConfiguration(trust: .systemDefault, serverName: nil),
            TLSConfiguration(trust: .certificateAuthorities(file: pki.caFile), serverName: ""),
            TLSConfiguration(trust: .certificateAuthorities(file: pki.path("missing.pem")), serverName: "xmpp.test"),
            TLSConfiguration(serverName: "xmpp.test", minimumVersion: .v1_3, maximumVersion: .v1_2),
        ]
        for configuration in cases {
            #expect {
                _ = try OpenSSLTLSHandler(configuration: configuration)
            } throws: { error in
                (error as? TLSError)?.kind == .invalidConfiguration
            }
        }
        #expect {
            _ = try OpenSSLTLSHandler(serverCertificateChainFile: pki.serverCertificate, privateKeyFile: pki.rsaKey)
        } throws: { error in
            (error as? TLSError)?.kind == .invalidConfiguration
                && (error as? TLSError)?.detail.contains("does not match") == true
        }
        #expect {
            _ = try OpenSSLTLSHandler(serverCertificateChainFile: pki.path("missing.pem"), privateKeyFile: pki.serverKey)
        } throws: { error in
            (error as? TLSError)?.kind == .invalidConfiguration
        }
    }
}
