internal import CResolv
import NIOPosix

/// A host and port to try, from DNS SRV (RFC 2782) or the domain itself.
public struct ConnectionTarget: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    /// True for an `_xmpps-client` record (XEP-0368): TLS from the first byte.
    public var directTLS: Bool

    public var description: String { "\(host):\(port)\(directTLS ? " (direct TLS)" : "")" }
}

/// DNS SRV lookup of an XMPP domain's client service (RFC 6120 §3.2.1, XEP-0368 §3).
public struct SRVResolver: Sendable {
    /// A nameserver to ask instead of the system's (an IPv4 address and port), for tests.
    public var nameserver: (address: String, port: UInt16)?

    public init(nameserver: (address: String, port: UInt16)? = nil) {
        self.nameserver = nameserver
    }

    public struct Record: Sendable, Hashable {
        public var priority: Int
        public var weight: Int
        public var port: Int
        public var target: String
    }

    public struct LookupFailed: Error, CustomStringConvertible {
        public var description: String
    }

    /// The raw records of `_service._tcp.domain`; empty when there are none.
    public func records(service: String, domain: String) async throws -> [Record] {
        let name = "_\(service)._tcp.\(domain)"
        let nameserver = self.nameserver
        // libresolv blocks: keep it off the cooperative pool.
        return try await NIOThreadPool.singleton.runIfActive {
            var buffer = [CResolvSRVRecord](repeating: CResolvSRVRecord(), count: 32)
            let count = buffer.withUnsafeMutableBufferPointer { records in
                if let nameserver {
                    return CResolv_lookupSRV(name, nameserver.address, nameserver.port, records.baseAddress, Int32(records.count))
                }
                return CResolv_lookupSRV(name, nil, 0, records.baseAddress, Int32(records.count))
            }
            guard count >= 0 else { throw LookupFailed(description: "the DNS lookup of \(name) failed") }
            return buffer.prefix(Int(count)).map { record in
                var target = record.target
                let host = withUnsafeBytes(of: &target) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                return Record(priority: Int(record.priority), weight: Int(record.weight), port: Int(record.port), target: host)
            }
        }
    }

    /// Where to connect for `domain`, in the order to try: `_xmpps-client` and `_xmpp-client`
    /// records merged by priority (XEP-0368 §3: direct TLS first on equal priority), each priority
    /// ordered by RFC 2782's weighted random selection. A lone "." target means "no service here"
    /// (RFC 2782). Without records, the domain itself on 5222 (RFC 6120 §3.2.2).
    public func targets(for domain: String, random: @Sendable (Int) -> Int = { Int.random(in: 0...$0) }) async -> [ConnectionTarget] {
        let direct = (try? await records(service: "xmpps-client", domain: domain)) ?? []
        let starttls = (try? await records(service: "xmpp-client", domain: domain)) ?? []
        return Self.order(direct: direct, startTLS: starttls, domain: domain, random: random)
    }

    static func order(direct: [Record], startTLS: [Record], domain: String, random: (Int) -> Int) -> [ConnectionTarget] {
        let all = direct.map { ($0, true) } + startTLS.map { ($0, false) }
        if all.count == 1, all[0].0.target == "." || all[0].0.target.isEmpty { return [] }
        let usable = all.filter { $0.0.target != "." && !$0.0.target.isEmpty }
        if usable.isEmpty { return [ConnectionTarget(host: domain, port: 5222, directTLS: false)] }
        var result: [ConnectionTarget] = []
        // Per priority, direct-TLS records first (XEP-0368 §3), each set in RFC 2782 weighted order.
        for priority in Set(usable.map { $0.0.priority }).sorted() {
            for directTLS in [true, false] {
                var group = usable.filter { $0.0.priority == priority && $0.1 == directTLS }.map(\.0)
                    .sorted { ($0.weight == 0 ? 0 : 1) < ($1.weight == 0 ? 0 : 1) }  // zero weights first (RFC 2782)
                while !group.isEmpty {
                    let total = group.reduce(0) { $0 + $1.weight }
                    let pick = random(total)
                    var running = 0
                    var chosen = group.count - 1
                    for (index, record) in group.enumerated() {
                        running += record.weight
                        if running >= pick {
                            chosen = index
                            break
                        }
                    }
                    let record = group.remove(at: chosen)
                    var host = record.target
                    if host.hasSuffix(".") { host.removeLast() }
                    result.append(ConnectionTarget(host: host, port: record.port, directTLS: directTLS))
                }
            }
        }
        return result
    }
}
