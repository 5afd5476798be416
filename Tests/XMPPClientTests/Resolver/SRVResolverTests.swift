import Foundation
import Testing
@testable import XMPPClient
import TestSupport

/// DNS SRV ordering (RFC 2782, RFC 6120 §3.2.1, XEP-0368 §3) and a real lookup against dnsmasq.
@Suite struct SRVResolverTests {
    typealias Record = SRVResolver.Record

    @Test func ordersByPriorityThenWeightPreferringDirectTLS() {
        let direct = [Record(priority: 10, weight: 0, port: 5223, target: "a.example.com.")]
        let starttls = [Record(priority: 10, weight: 0, port: 5222, target: "a.example.com."),
                        Record(priority: 5, weight: 0, port: 5222, target: "b.example.com."),
                        Record(priority: 20, weight: 0, port: 5222, target: "c.example.com.")]
        let order = SRVResolver.order(direct: direct, startTLS: starttls, domain: "example.com", random: { _ in 0 })
        #expect(order.map(\.description) == ["b.example.com:5222", "a.example.com:5223 (direct TLS)", "a.example.com:5222", "c.example.com:5222"])
    }

    @Test func weightsDecideWithinAPriority() {
        let records = [Record(priority: 0, weight: 10, port: 1, target: "light"), Record(priority: 0, weight: 90, port: 2, target: "heavy")]
        // A draw of 50 out of 100 falls in the heavy record's share of the running sum.
        let order = SRVResolver.order(direct: [], startTLS: records, domain: "x", random: { _ in 50 })
        #expect(order.map(\.host) == ["heavy", "light"])
        let other = SRVResolver.order(direct: [], startTLS: records, domain: "x", random: { _ in 5 })
        #expect(other.map(\.host) == ["light", "heavy"])
    }

    @Test func aDotTargetMeansNoService() {
        #expect(SRVResolver.order(direct: [], startTLS: [Record(priority: 0, weight: 0, port: 0, target: ".")], domain: "x", random: { _ in 0 }).isEmpty)
    }

    @Test func noRecordsFallsBackToTheDomain() {
        #expect(SRVResolver.order(direct: [], startTLS: [], domain: "example.com", random: { _ in 0 }).map(\.description) == ["example.com:5222"])
    }

    /// A real DNS server on loopback (dnsmasq, from Debian) answering SRV queries.
    @Test func looksUpRecordsFromARealDNSServer() async throws {
        let port = UInt16(20_000 + Int(getpid() % 10_000))
        let dnsmasq = try LocalProcess("/usr/sbin/dnsmasq", [
            "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--user=root",
            "--listen-address=127.0.0.1", "--bind-interfaces", "--port=\(port)", "--pid-file=",
            "--srv-host=_xmpp-client._tcp.srv.test,xmpp.srv.test,5222,10,5",
            "--srv-host=_xmpps-client._tcp.srv.test,xmpp.srv.test,5223,10,5",
            "--srv-host=_xmpp-client._tcp.srv.test,backup.srv.test,15222,20,5",
        ])
        let resolver = SRVResolver(nameserver: ("127.0.0.1", port))
        var targets: [ConnectionTarget] = []
        for _ in 0..<50 {  // until dnsmasq listens
            targets = await resolver.targets(for: "srv.test")
            if targets.count == 3 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(targets.map(\.description) == ["xmpp.srv.test:5223 (direct TLS)", "xmpp.srv.test:5222", "backup.srv.test:15222"])
        #expect(await resolver.targets(for: "nothing.test").map(\.description) == ["nothing.test:5222"])
        await dnsmasq.stop()
    }
}
