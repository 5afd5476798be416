import XMPPCore
import XMPPXML

/// One `<item/>` of a blocking command (XEP-0191 §3.2–§3.4): the JID, and any payloads other
/// specifications attach to it, such as a XEP-0377 report (XEP-0377 §6).
public struct BlockItem: Sendable, Hashable {
    public var jid: JID
    /// Child elements of the item, each in its own namespace.
    public var payloads: [XMLElement]

    public init(_ jid: JID, payloads: [XMLElement] = []) {
        self.jid = jid
        self.payloads = payloads
    }

    /// Reads `<item jid='…'/>`.
    /// - Throws: `bad-request` when `jid` is missing or not a valid JID (XEP-0191 §10 schema: `jid` is required).
    public init(element: XMLElement) throws(StanzaError) {
        guard element.name == "item", element.namespace == BlockingCommand.namespace else {
            throw StanzaError(.badRequest, text: "expected <item xmlns='\(BlockingCommand.namespace)'/>")
        }
        guard let value = element.attribute("jid") else {
            throw StanzaError(.badRequest, text: "a blocking item needs a 'jid' (XEP-0191 §3.3)")
        }
        do {
            jid = try JID(value)
        } catch {
            throw StanzaError(.jidMalformed, text: "blocking item 'jid' is not a valid JID: \(error)")
        }
        payloads = element.elements
    }

    public var element: XMLElement {
        var element = XMLElement("item", namespace: BlockingCommand.namespace, attributes: ["jid": jid.description])
        for payload in payloads { element.append(payload) }
        return element
    }
}
