import XMPPCore
import XMPPXML

/// The set of accounts that blocked us, as kept in private XML storage (XEP-0049) under
/// `<blocked-by xmlns='urn:xmppkit:blocked-notice:0'/>` (Specs/blocked-notice.md §2.2).
public struct BlockedByStorage: Sendable, Hashable {
    public static let elementName = "blocked-by"

    /// Bare account JIDs, in the order they were added.
    public private(set) var jids: [JID]

    public init(_ jids: [JID] = []) {
        var seen = Set<JID>()
        self.jids = jids.map(\.bare).filter { $0.localpart != nil && seen.insert($0).inserted }
    }

    /// Reads `<blocked-by/>`, skipping items that are not bare account JIDs and keeping at most
    /// `limit` (spec §2.2, §4.4). Never throws: storage written by a buggy client must not stop us.
    public init(element: XMLElement, limit: Int) {
        var jids: [JID] = []
        var seen = Set<JID>()
        guard element.name == Self.elementName, element.namespace == BlockedNotice.namespace else {
            self.jids = []
            return
        }
        for item in element.children("item", namespace: BlockedNotice.namespace) {
            guard jids.count < limit else { break }
            guard let value = item.attribute("jid"), let jid = try? JID(value), jid.isBare, jid.localpart != nil,
                  seen.insert(jid).inserted else { continue }
            jids.append(jid)
        }
        self.jids = jids
    }

    public var element: XMLElement {
        var element = XMLElement(Self.elementName, namespace: BlockedNotice.namespace)
        for jid in jids { element.append(XMLElement("item", namespace: BlockedNotice.namespace, attributes: ["jid": jid.description])) }
        return element
    }

    public func contains(_ jid: JID) -> Bool { jids.contains(jid) }

    /// Applies `notice` from `jid`; returns whether anything changed.
    @discardableResult
    public mutating func apply(_ notice: BlockedNotice, from jid: JID) -> Bool {
        switch notice {
        case .blocked:
            guard !jids.contains(jid) else { return false }
            jids.append(jid)
            return true
        case .unblocked:
            guard let index = jids.firstIndex(of: jid) else { return false }
            jids.remove(at: index)
            return true
        }
    }
}
