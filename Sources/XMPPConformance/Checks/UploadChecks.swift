import XMPPClient
import XMPPCore
import XMPPXML

/// XEP-0363 HTTP file upload.
enum UploadChecks {
    static let all = [slot]

    /// Whether `text` is an absolute http(s) URL (RFC 3986 §3 with a host).
    static func isHTTPURL(_ text: String?) -> Bool {
        guard let text else { return false }
        let lower = text.lowercased()
        for scheme in ["https://", "http://"] where lower.hasPrefix(scheme) {
            return text.count > scheme.count && !text.contains(" ")
        }
        return false
    }

    static let slot = ConformanceCheck(
        "xep0363-upload-slot", "The upload service hands out a slot",
        cites: Citation("XEP-0363", "4", "The upload service responds with both a PUT and a GET URL wrapped by a <slot> element."),
        category: .extensions, levels: [.imServer, .advancedIMServer], needs: .oneAccount,
        sends: "disco#items of the domain and disco#info of each item; to the service with urn:xmpp:http:upload:0, a <request/> for a 16-byte text/plain file",
        expects: "a result with <slot> holding <put url='…'/> and <get url='…'/>, both absolute HTTP(S) URLs"
    ) { context in
        let account = try await context.accounts(1)[0]
        let (probe, _) = try await context.loggedIn(account)
        let items = try await probe.query("get", to: context.domain, "<query xmlns='\(NS.discoItems)'/>")
        guard items.attribute("type") == "result" else { throw CheckSetupError("disco#items of the domain failed: \(items)") }
        let jids = [context.domain] + (items.child("query", namespace: NS.discoItems)?.children("item", namespace: NS.discoItems)
            .compactMap { $0.attribute("jid") } ?? [])
        var service: String?
        for jid in jids {
            let info = try await probe.query("get", to: jid, "<query xmlns='\(NS.discoInfo)'/>")
            let features = info.child("query", namespace: NS.discoInfo)?.children("feature", namespace: NS.discoInfo).compactMap { $0.attribute("var") } ?? []
            if features.contains(NS.upload) { service = jid; break }
        }
        guard let service else { throw CheckNotApplicable("no service of the domain offers \(NS.upload)") }
        let reply = try await probe.query("get", to: service,
            "<request xmlns='\(NS.upload)' filename='conformance.txt' size='16' content-type='text/plain'/>")
        guard reply.attribute("type") == "result" else {
            throw CheckSetupError("the upload service refused a 16-byte slot: \(Answer.summary(reply)) \(reply)")
        }
        let slot = try context.expect(reply.child("slot", namespace: NS.upload), "the result has no <slot/>: \(reply)")
        let put = slot.child("put", namespace: NS.upload)?.attribute("url")
        let get = slot.child("get", namespace: NS.upload)?.attribute("url")
        try context.expect(isHTTPURL(put), "the slot has no usable PUT URL: \(slot)")
        try context.expect(isHTTPURL(get), "the slot has no usable GET URL: \(slot)")
    }
}
