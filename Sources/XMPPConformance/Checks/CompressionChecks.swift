import XMPPClient
import XMPPCore
import XMPPXML

/// XEP-0138 stream compression (obsolete; checked where still offered).
enum CompressionChecks {
    static let all = [zlib]

    static let zlib = ConformanceCheck(
        "xep0138-compression", "zlib compression works when offered",
        cites: Citation("XEP-0138", "2", "If no error occurs, the receiving entity MUST inform the initiating entity that compression has been successfully negotiated"),
        category: .extensions, levels: [], needs: .oneAccount,
        sends: "when zlib is offered after SASL: <compress><method>zlib</method></compress>, then (compressed) a new stream header, binding and a ping",
        expects: "<compressed/>, and the compressed stream restarts and works (<setup-failed/>: the server declines, not applicable)"
    ) { context in
        let account = try await context.accounts(1)[0]
        let (probe, _) = try await context.secured()
        let opening = try await probe.login(account, domain: context.domain)
        guard opening.features.compressionMethods.contains("zlib") else {
            throw CheckNotApplicable("the server does not offer zlib compression after authentication")
        }
        try await probe.send("<compress xmlns='\(XMPPNamespace.compression)'><method>zlib</method></compress>")
        let answer = try await probe.expectElement()
        if answer.name == "failure", answer.child("setup-failed", namespace: XMPPNamespace.compression) != nil {
            throw CheckNotApplicable("the server declined compression with <setup-failed/>")
        }
        try context.expect(answer.name == "compressed" && answer.namespace == XMPPNamespace.compression,
                           "the server answered <compress/> for the zlib it offers with \(answer)")
        try await probe.startCompression()
        try await probe.send(StreamProbe.header(to: context.domain))
        let restarted = await probe.collect { $0.contains { $0.name == "features" } }
        try context.expect(restarted.contains { $0.name == "features" && $0.namespace == XMPPNamespace.streams },
                           "no stream features on the compressed stream: \(restarted)")
        do {
            _ = try await probe.bind()
            _ = try await probe.elementsBeforeBarrier(domain: context.domain)
        } catch {
            throw CheckFailure("the compressed stream does not work: \(error)")
        }
    }
}
