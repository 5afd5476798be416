import XMPPCore
import XMPPXML

/// Stream management (XEP-0198): enable (§3), acks (§4), resumption (§5).
extension ServerConnection {
    private var smNamespace: String { XMPPNamespace.streamManagement }

    func handleStreamManagement(_ element: XMLElement) {
        switch element.name {
        case "enable":
            enable(resume: ["true", "1"].contains(element.attribute("resume") ?? ""))
        case "resume":
            resume(element)
        case "r":
            guard let state = streamManagement else { streamError("unsupported-stanza-type"); return }
            let h = breaks("xep0198-ack") ? state.inbound &+ 1 : state.inbound
            write("<a xmlns='\(smNamespace)' h='\(h)'/>")
        case "a":
            guard let state = streamManagement else { streamError("unsupported-stanza-type"); return }
            guard let h = element.attribute("h").flatMap(UInt32.init) else { streamError("invalid-xml"); return }
            state.acknowledge(h)
        default:
            streamError("unsupported-stanza-type")
        }
    }

    /// §3: after binding, once.
    private func enable(resume: Bool) {
        guard phase == .bound, streamManagement == nil, let user else {
            write("<failed xmlns='\(smNamespace)'><unexpected-request xmlns='\(XMPPNamespace.stanzaErrors)'/></failed>")
            return
        }
        if breaks("xep0198-enable") {
            write("<failed xmlns='\(smNamespace)'><feature-not-implemented xmlns='\(XMPPNamespace.stanzaErrors)'/></failed>")
            return
        }
        let state = StreamManagementState(id: StanzaID.make())
        streamManagement = state
        resumable = resume
        let connectionID = self.connectionID
        directory.update { directory in
            directory.setStreamManagement(state, user: user, connectionID: connectionID, resumable: resume)
            return ((), [])
        }
        let resumeAttributes = resume ? " resume='true' max='\(Self.resumptionTimeout.nanoseconds / 1_000_000_000)'" : ""
        write("<enabled xmlns='\(smNamespace)' id='\(state.id)'\(resumeAttributes)/>")
    }

    /// §5: after authentication, instead of binding.
    private func resume(_ element: XMLElement) {
        let itemNotFound = "<failed xmlns='\(smNamespace)'><item-not-found xmlns='\(XMPPNamespace.stanzaErrors)'/></failed>"
        guard phase == .authenticated, let user, let context,
              let previous = element.attribute("previd"), let h = element.attribute("h").flatMap(UInt32.init) else {
            write("<failed xmlns='\(smNamespace)'><unexpected-request xmlns='\(XMPPNamespace.stanzaErrors)'/></failed>")
            return
        }
        if breaks("xep0198-resume") {
            write(itemNotFound)
            return
        }
        let handle = SessionHandle(connectionID: connectionID, channel: context.channel, connection: self)
        let resumed = directory.update { state in (state.resume(id: previous, user: user, handle: handle), []) }
        guard let resumed, let full = try? JID(localpart: user, domainpart: options.domain, resourcepart: resumed.resource) else {
            if breaks("xep0198-resume-unknown") {
                write("<resumed xmlns='\(smNamespace)' previd='\(Self.escape(previous))' h='0'/>")
            } else {
                write(itemNotFound)
            }
            return
        }
        resumed.old?.detach()
        jid = full
        phase = .bound
        streamManagement = resumed.state
        resumable = true
        write("<resumed xmlns='\(smNamespace)' previd='\(Self.escape(previous))' h='\(resumed.state.inbound)'/>")
        for stanza in resumed.state.unacknowledged(after: h) { write(stanza) }
    }
}
