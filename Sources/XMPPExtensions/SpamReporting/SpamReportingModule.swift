import XMPPClient
import XMPPCore
import XMPPXML

/// Spam and abuse reports attached to a block (XEP-0377 0.4.1, "Blocking Command Reports"): the
/// report travels in the `<item/>` of a XEP-0191 `<block/>` (§6), so reporting always blocks.
///
/// Servers that do not know reports still block (the report is an unknown child of the item), so
/// ``report(_:_:)`` works wherever ``BlockingModule`` does; ``isSupportedByServer()`` says
/// whether anyone reads the report.
public actor SpamReportingModule: XMPPModule {
    public nonisolated let features: [String] = []
    public nonisolated let routes: [StanzaRoute] = []
    private var context = ModuleContext.unattached

    public init() {}

    public func attach(_ context: ModuleContext) async {
        self.context = context
    }

    /// Blocks `jid` and reports it with `report` (XEP-0377 §6, Example 5/6).
    /// - Throws: ``StanzaError`` from the server's answer to the block.
    public func report(_ jid: JID, _ report: SpamReport) async throws {
        try await blocking().block([BlockItem(jid, payloads: [report.element])])
    }

    /// Blocks and reports several JIDs in one command, each with its own report (§7: a report
    /// applies to one JID only).
    public func report(_ reports: [(jid: JID, report: SpamReport)]) async throws {
        try await blocking().block(reports.map { BlockItem($0.jid, payloads: [$0.report.element]) })
    }

    private func blocking() async throws -> BlockingModule {
        try await context.require(BlockingModule.self, orRegister: BlockingModule())
    }
}

extension SpamReportingModule: ServerFeatureDetecting {
    /// XEP-0377 §3: the server advertises `urn:xmpp:reporting:1`.
    public func isSupportedByServer() async throws -> Bool {
        try await context.serverSupports(SpamReport.namespace)
    }
}
