import XMPPCore
import XMPPXML

/// The roster (RFC 6121 §2), subscriptions (§3) and presence (§4).
extension DirectoryState {
    static let roster = "jabber:iq:roster"

    // MARK: - Roster (§2)

    func rosterElement(_ item: RosterItem, includeAsk: Bool = true) -> XMLElement {
        var element = XMLElement("item", namespace: Self.roster, attributes: ["jid": item.jid, "subscription": item.subscription])
        element.setAttribute("name", to: item.name)
        if item.ask && includeAsk { element.setAttribute("ask", to: "subscribe") }
        for group in item.groups { element.append(XMLElement("group", namespace: Self.roster, text: group)) }
        return element
    }

    /// Bumps the version and pushes `item` to every session of `user` (§2.1.6); `only` limits
    /// the push to one resource.
    mutating func pushRoster(_ item: XMLElement, to user: String, only resource: String? = nil) -> [Delivery] {
        accounts[user]?.rosterVersion += 1
        let version = accounts[user]?.rosterVersion ?? 0
        var push = XMLElement("iq", namespace: XMPPNamespace.client, attributes: ["type": "set", "id": nextPushID()])
        var query = XMLElement("query", namespace: Self.roster)
        if !breaks("rfc6121-roster-versioning") { query.setAttribute("ver", to: String(version)) }
        query.append(item)
        push.append(query)
        return deliveries(push, to: user) { resource == nil || $0.resource == resource }
    }

    mutating func pushRoster(_ item: RosterItem, to user: String, includeAsk: Bool = true) -> [Delivery] {
        pushRoster(rosterElement(item, includeAsk: includeAsk), to: user)
    }

    /// A roster get or set (§2.2, §2.3, §2.5).
    mutating func handleRoster(_ iq: XMLElement, query: XMLElement, user: String, sender: JID) -> [Delivery] {
        guard let account = accounts[user] else { return reply(ServerStanza.error(iq, "internal-server-error"), to: sender) }
        if iq.attribute("type") == "get" {
            if breaks("rfc6121-roster-get"), query.attribute("ver") == nil { return reply(ServerStanza.error(iq, "internal-server-error"), to: sender) }
            let version = String(account.rosterVersion)
            if !breaks("rfc6121-roster-versioning"), let asked = query.attribute("ver"), asked == version {
                return reply(ServerStanza.result(iq), to: sender)
            }
            var result = XMLElement("query", namespace: Self.roster)
            if !breaks("rfc6121-roster-versioning") { result.setAttribute("ver", to: version) }
            for item in account.roster.values.sorted(by: { $0.jid < $1.jid }) { result.append(rosterElement(item)) }
            return reply(ServerStanza.result(iq, result), to: sender)
        }
        let items = query.children("item", namespace: Self.roster)
        guard items.count == 1 || (breaks("rfc6121-roster-two-items") && !items.isEmpty), let element = items.first,
              case .jid(let contact) = ServerStanza.address(element.attribute("jid")), contact.resourcepart == nil else {
            return reply(ServerStanza.error(iq, "bad-request"), to: sender)
        }
        let jid = contact.bareString
        if element.attribute("subscription") == "remove" {
            guard account.roster[jid] != nil else {
                if breaks("rfc6121-roster-remove-unknown") { return reply(ServerStanza.result(iq), to: sender) }
                return reply(ServerStanza.error(iq, "item-not-found"), to: sender)
            }
            return reply(ServerStanza.result(iq), to: sender) + removeRosterItem(jid, user: user)
        }
        guard account.roster[jid] != nil || account.roster.count < Self.maximumRosterItems else {
            return reply(ServerStanza.error(iq, "resource-constraint"), to: sender)
        }
        var item = account.roster[jid] ?? RosterItem(jid: jid)
        item.name = element.attribute("name")
        item.groups = Array(Set(element.children("group", namespace: Self.roster).map(\.text)).sorted().prefix(32))
        accounts[user]?.roster[jid] = item
        let result = reply(ServerStanza.result(iq), to: sender)
        if breaks("rfc6121-roster-push") {
            return result + pushRoster(rosterElement(item), to: user, only: sender.resourcepart)
        }
        return result + pushRoster(item, to: user)
    }

    /// §2.5.2: removing an item cancels the subscriptions both ways.
    private mutating func removeRosterItem(_ jid: String, user: String) -> [Delivery] {
        guard let item = accounts[user]?.roster[jid], let contact = try? JID(jid) else { return [] }
        var out: [Delivery] = []
        let userJID = bare(user)
        if item.hasTo || item.ask {
            out += inboundUnsubscribe(from: userJID, to: contact)
        }
        if item.hasFrom {
            out += inboundUnsubscribed(from: userJID, to: contact, fromResources: sessions[user] ?? [])
        }
        accounts[user]?.pendingSubscriptions[jid] = nil
        accounts[user]?.roster[jid] = nil
        var removed = XMLElement("item", namespace: Self.roster, attributes: ["jid": jid, "subscription": "remove"])
        removed.setAttribute("name", to: nil)
        return out + pushRoster(removed, to: user)
    }

    // MARK: - Subscriptions (§3)

    private func subscriptionStanza(_ type: String, from: String, to: String) -> XMLElement {
        XMLElement("presence", namespace: XMPPNamespace.client, attributes: ["type": type, "from": from, "to": to])
    }

    /// Deliveries to the sessions of `user` that have sent initial presence.
    func toAvailable(_ stanza: XMLElement, user: String) -> [Delivery] {
        deliveries(stanza, to: user) { $0.presence != nil }
    }

    /// A subscription stanza from the user's session (§3.1.2, §3.1.5, §3.2, §3.3).
    mutating func handleSubscription(_ type: String, from sender: JID, to contact: JID) -> [Delivery] {
        guard let user = sender.localpart, accounts[user] != nil else { return [] }
        let jid = contact.bareString
        let userJID = bare(user)
        var out: [Delivery] = []
        switch type {
        case "subscribe":
            var item = accounts[user]?.roster[jid] ?? RosterItem(jid: jid)
            if !item.hasTo {
                guard accounts[user]?.roster[jid] != nil || (accounts[user]?.roster.count ?? 0) < Self.maximumRosterItems else { return [] }
                item.ask = true
                accounts[user]?.roster[jid] = item
                out += pushRoster(item, to: user, includeAsk: !breaks("rfc6121-subscribe-ask"))
            }
            out += inboundSubscribe(from: userJID, to: contact)
        case "subscribed":
            guard let contactUser = localUser(contact), let request = accounts[user]?.pendingSubscriptions[jid] else { return [] }
            _ = request
            accounts[user]?.pendingSubscriptions[jid] = nil
            var item = accounts[user]?.roster[jid] ?? RosterItem(jid: jid)
            item.subscription = item.hasTo ? "both" : "from"
            accounts[user]?.roster[jid] = item
            out += pushRoster(item, to: user)
            out += inboundSubscribed(from: userJID, to: contactUser, approverSessions: sessions[user] ?? [])
        case "unsubscribed":
            let pending = accounts[user]?.pendingSubscriptions.removeValue(forKey: jid) != nil
            var changed = pending
            if var item = accounts[user]?.roster[jid], item.hasFrom {
                item.subscription = item.hasTo ? "to" : "none"
                accounts[user]?.roster[jid] = item
                out += pushRoster(item, to: user)
                changed = true
            }
            if changed { out += inboundUnsubscribed(from: userJID, to: contact, fromResources: sessions[user] ?? []) }
        case "unsubscribe":
            if var item = accounts[user]?.roster[jid], item.hasTo || item.ask {
                item.subscription = item.hasFrom ? "from" : "none"
                item.ask = false
                accounts[user]?.roster[jid] = item
                out += pushRoster(item, to: user)
            }
            out += inboundUnsubscribe(from: userJID, to: contact)
        default:
            break
        }
        return out
    }

    /// The contact's side of a subscription request (§3.1.3).
    private mutating func inboundSubscribe(from userJID: String, to contact: JID) -> [Delivery] {
        guard let contactUser = localUser(contact), let user = (try? JID(userJID))?.localpart else { return [] }
        if accounts[contactUser]?.roster[userJID]?.hasFrom == true {
            // Already approved: answer for the contact (§3.1.3 step 1).
            return deliveries(subscriptionStanza("subscribed", from: bare(contactUser), to: userJID), to: user) { $0.presence != nil }
        }
        if blocks(contactUser, bare: userJID) { return [] }
        let request = subscriptionStanza("subscribe", from: userJID, to: bare(contactUser))
        guard accounts[contactUser]?.pendingSubscriptions[userJID] != nil
              || (accounts[contactUser]?.pendingSubscriptions.count ?? 0) < Self.maximumRosterItems else { return [] }
        accounts[contactUser]?.pendingSubscriptions[userJID] = request
        return toAvailable(request, user: contactUser)
    }

    /// The subscriber's side of an approval (§3.1.6), then the approver's presence (§3.1.5).
    private mutating func inboundSubscribed(from approverJID: String, to subscriber: String, approverSessions: [Session]) -> [Delivery] {
        guard var item = accounts[subscriber]?.roster[approverJID], item.ask else { return [] }
        item.ask = false
        item.subscription = item.hasFrom ? "both" : "to"
        accounts[subscriber]?.roster[approverJID] = item
        var pushed = item
        if breaks("rfc6121-subscription-approval") { pushed.subscription = item.hasFrom ? "from" : "none" }
        var out = pushRoster(pushed, to: subscriber)
        out += toAvailable(subscriptionStanza("subscribed", from: approverJID, to: bare(subscriber)), user: subscriber)
        for session in approverSessions {
            guard var presence = session.presence else { continue }
            presence.setAttribute("from", to: "\(approverJID)/\(session.resource)")
            presence.setAttribute("to", to: nil)
            out += toAvailable(presence, user: subscriber)
        }
        return out
    }

    /// The subscriber's side of a denial or cancellation (§3.2.2, §3.2.3).
    private mutating func inboundUnsubscribed(from contactJID: String, to user: JID, fromResources: [Session]) -> [Delivery] {
        guard let subscriber = localUser(user) else { return [] }
        var out: [Delivery] = []
        if var item = accounts[subscriber]?.roster[contactJID], item.hasTo || item.ask {
            item.subscription = item.hasFrom ? "from" : "none"
            if !breaks("rfc6121-subscription-denial") { item.ask = false }
            accounts[subscriber]?.roster[contactJID] = item
            out += pushRoster(item, to: subscriber)
        }
        out += toAvailable(subscriptionStanza("unsubscribed", from: contactJID, to: bare(subscriber)), user: subscriber)
        for session in fromResources where session.presence != nil {
            let unavailable = XMLElement("presence", namespace: XMPPNamespace.client,
                                         attributes: ["type": "unavailable", "from": "\(contactJID)/\(session.resource)"])
            out += toAvailable(unavailable, user: subscriber)
        }
        return out
    }

    /// The contact's side of an unsubscribe (§3.3.3).
    private mutating func inboundUnsubscribe(from userJID: String, to contact: JID) -> [Delivery] {
        guard let contactUser = localUser(contact) else { return [] }
        accounts[contactUser]?.pendingSubscriptions[userJID] = nil
        guard var item = accounts[contactUser]?.roster[userJID], item.hasFrom else { return [] }
        item.subscription = item.hasTo ? "to" : "none"
        accounts[contactUser]?.roster[userJID] = item
        var out = pushRoster(item, to: contactUser)
        out += toAvailable(subscriptionStanza("unsubscribe", from: userJID, to: bare(contactUser)), user: contactUser)
        if let user = (try? JID(userJID))?.localpart {
            for session in sessions[contactUser] ?? [] where session.presence != nil {
                let unavailable = XMLElement("presence", namespace: XMPPNamespace.client,
                                             attributes: ["type": "unavailable", "from": "\(bare(contactUser))/\(session.resource)"])
                out += toAvailable(unavailable, user: user)
            }
        }
        return out
    }

    // MARK: - Presence (§4)

    /// Broadcast presence from `user/resource` (§4.2.2, §4.4.2, §4.5.2): to the contacts with a
    /// subscription from the user, and the user's other available resources.
    func broadcast(_ presence: XMLElement, from user: String, resource: String) -> [Delivery] {
        let unavailable = presence.attribute("type") == "unavailable"
        var out: [Delivery] = []
        for other in sessions[user] ?? [] where other.resource != resource && other.presence != nil {
            out += deliveries(presence, to: user) { $0.resource == other.resource }
        }
        if breaks("rfc6121-presence-no-leak") {
            for (other, _) in sessions where other != user {
                out += deliveries(presence, to: other)
            }
            return out
        }
        if unavailable ? breaks("rfc6121-presence-unavailable") : breaks("rfc6121-presence-broadcast") { return out }
        guard let roster = accounts[user]?.roster else { return out }
        for item in roster.values where item.hasFrom {
            guard let contact = try? JID(item.jid), let contactUser = localUser(contact), !blocks(user, contact),
                  !blocks(contactUser, bare: bare(user)) else { continue }
            out += toAvailable(presence, user: contactUser)
        }
        return out
    }

    /// A presence stanza from a bound session (§4).
    mutating func routePresence(_ presence: XMLElement, from sender: JID) -> [Delivery] {
        guard let user = sender.localpart, let resource = sender.resourcepart else { return [] }
        let type = presence.attribute("type")
        var stanza = stamped(presence, sender: sender)
        switch ServerStanza.address(presence.attribute("to")) {
        case .invalid:
            return []
        case .none:
            guard type == nil || type == "unavailable",
                  let index = sessions[user]?.firstIndex(where: { $0.resource == resource }) else { return [] }
            stanza.setAttribute("from", to: sender.description)
            let initial = type == nil && sessions[user]?[index].presence == nil
            sessions[user]?[index].presence = type == nil ? stanza : nil
            var out = broadcast(stanza, from: user, resource: resource)
            if initial { out += initialPresence(user: user, resource: resource) }
            if type == "unavailable" { accounts[user]?.lastLogout = .now }
            return out
        case .jid(let to):
            switch type {
            case "subscribe", "subscribed", "unsubscribe", "unsubscribed":
                return handleSubscription(type ?? "", from: sender, to: to)
            case "probe":
                guard let contactUser = localUser(to), accounts[contactUser]?.roster[bare(user)]?.hasFrom == true else { return [] }
                return presences(of: contactUser, to: user, resource: resource)
            default:
                guard let contactUser = localUser(to), !blocks(user, to), !blocks(contactUser, sender) else { return [] }
                if let targetResource = to.resourcepart {
                    return deliveries(stanza, to: contactUser) { $0.resource == targetResource }
                }
                return toAvailable(stanza, user: contactUser)
            }
        }
    }

    /// After initial presence: the contacts' presence (the server's probes, §4.3.2), the user's
    /// other resources, and subscription requests that waited (§3.1.3).
    private func initialPresence(user: String, resource: String) -> [Delivery] {
        var out: [Delivery] = []
        if !breaks("rfc6121-presence-probe") {
            for item in (accounts[user]?.roster.values).map(Array.init) ?? [] where item.hasTo {
                guard let contact = try? JID(item.jid), let contactUser = localUser(contact),
                      accounts[contactUser]?.roster[bare(user)]?.hasFrom == true, !blocks(user, contact) else { continue }
                out += presences(of: contactUser, to: user, resource: resource)
            }
        }
        out += presences(of: user, to: user, resource: resource, excluding: resource)
        for request in (accounts[user]?.pendingSubscriptions.values).map(Array.init) ?? [] {
            out += deliveries(request, to: user) { $0.resource == resource }
        }
        return out
    }

    /// The current presence of each available resource of `contactUser`, to `user/resource`.
    private func presences(of contactUser: String, to user: String, resource: String, excluding: String? = nil) -> [Delivery] {
        var result: [Delivery] = []
        for session in sessions[contactUser] ?? [] where session.resource != excluding {
            guard var presence = session.presence else { continue }
            presence.setAttribute("from", to: "\(bare(contactUser))/\(session.resource)")
            presence.setAttribute("to", to: "\(bare(user))/\(resource)")
            result += deliveries(presence, to: user) { $0.resource == resource }
        }
        return result
    }
}
