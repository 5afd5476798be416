import Foundation
import Testing
import TestSupport
@testable import XMPPClient
import XMPPCore

/// RFC 6120 §3.2 / XEP-0368: with no host given, the client finds the server through DNS SRV. A real
/// DNS server (dnsmasq) publishes Prosody's records; the certificate is still checked against the
/// domain, not the SRV target (RFC 6125 §6).
@Suite struct SRVLoginTests {
    @Test(arguments: [false, true])
    func logsInThroughSRVRecords(directTLS: Bool) async throws {
        let server = try Servers.server("prosody")
        let port = UInt16(30_000 + Int(getpid() % 10_000) + (directTLS ? 1 : 0))
        let record = directTLS ? "--srv-host=_xmpps-client._tcp.\(server.domain),localhost,\(server.tlsPort),0,0"
                               : "--srv-host=_xmpp-client._tcp.\(server.domain),localhost,\(server.port),0,0"
        let dnsmasq = try LocalProcess("/usr/sbin/dnsmasq", [
            "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--user=root",
            "--listen-address=127.0.0.1", "--bind-interfaces", "--port=\(port)", "--pid-file=", record,
        ])

        let resolver = SRVResolver(nameserver: ("127.0.0.1", port))
        let expected = ConnectionTarget(host: "localhost", port: directTLS ? server.tlsPort : server.port, directTLS: directTLS)
        for _ in 0..<50 where await resolver.targets(for: server.domain).first != expected {
            try await Task.sleep(for: .milliseconds(100))  // until dnsmasq listens
        }
        #expect(await resolver.targets(for: server.domain).first == expected)

        var configuration = try Servers.configuration(server, transport: directTLS ? .directTLS : .startTLS)
        configuration.host = nil
        configuration.port = nil
        configuration.resolver = resolver
        let client = XMPPClient(configuration: configuration)
        let session = try await client.connect()
        #expect(session.boundJID.bare == (try JID(server.userJID)))
        #expect(session.tls != nil)
        await client.disconnect()
        await dnsmasq.stop()
    }
}
