import Foundation
import XMPPCore
import XMPPXML

/// IQs the server answers itself (RFC 6120 §8.2, §10.3): for the domain, for the user's own
/// account (no `to`, or the bare JID), and on behalf of another account (`onBehalfOf`).
extension DirectoryState {
    static let vCard = "vcard-temp"
    static let last = "jabber:iq:last"
    static let privateStorage = "jabber:iq:private"
    static let ping = "urn:xmpp:ping"
    static let blocking = "urn:xmpp:blocking"
    static let privacy = "jabber:iq:privacy"
    static let register = "jabber:iq:register"
    static let upload = "urn:xmpp:http:upload:0"

    mutating func handleServerIQ(_ iq: XMLElement, from sender: JID, onBehalfOf contact: String?) -> [Delivery] {
        let type = iq.attribute("type") ?? ""
        guard type == "get" || type == "set" else {
            // §8.3.1: never answer an error; results need nothing either.
            if (type == "error" && breaks("rfc6120-iq-error-not-answered")) || (type == "result" && breaks("rfc6120-iq-result-not-answered")) {
                return reply(ServerStanza.error(iq, "service-unavailable"), to: sender)
            }
            return []
        }
        guard let user = sender.localpart else { return [] }
        let payloads = iq.elements
        guard payloads.count == 1, let payload = payloads.first else {
            // §8.2.3: a get or set has exactly one child.
            if payloads.count > 1 ? breaks("rfc6120-iq-two-children") : breaks("rfc6120-iq-no-payload") {
                return reply(ServerStanza.result(iq), to: sender)
            }
            return reply(ServerStanza.error(iq, "bad-request"), to: sender)
        }
        let own = contact == nil || contact == user
        let forDomain = iq.attribute("to").flatMap { try? JID($0) }.map { $0.localpart == nil } ?? false
        func fail(_ condition: String) -> [Delivery] { reply(ServerStanza.error(iq, condition), to: sender) }
        func answer(_ payload: XMLElement?) -> [Delivery] {
            var result = ServerStanza.result(iq, payload)
            if breaks("rfc6120-iq-id-preserved"), let id = iq.attribute("id"), id.contains(":") {
                // The misbehaviour "normalises" ids with punctuation in its results.
                result.setAttribute("id", to: id.replacingOccurrences(of: ":", with: ""))
            }
            return reply(result, to: sender)
        }

        switch (payload.name, payload.namespace) {
        case ("query", Self.roster) where own && !forDomain:
            return handleRoster(iq, query: payload, user: user, sender: sender)
        case ("vCard", Self.vCard):
            return handleVCard(iq, vCard: payload, owner: forDomain ? nil : (contact ?? user), own: own, sender: sender)
        case ("query", Self.last):
            return handleLast(iq, user: user, contact: forDomain ? nil : contact, sender: sender)
        case ("query", Self.privateStorage) where own && !forDomain:
            return handlePrivate(iq, query: payload, user: user, sender: sender)
        case ("ping", Self.ping) where type == "get" && (forDomain || own):
            return breaks("xep0199-ping-server") ? fail("service-unavailable") : answer(nil)
        case ("query", DirectoryState.discoInfo) where type == "get":
            guard forDomain || contact == nil else { return answer(accountInfo(node: payload.attribute("node"))) }
            guard let info = serverInfo(node: payload.attribute("node")) else { return fail("item-not-found") }
            return answer(info)
        case ("query", DirectoryState.discoItems) where type == "get":
            guard forDomain || contact == nil else { return answer(XMLElement("query", namespace: Self.discoItems)) }
            return breaks("xep0030-disco-items") ? fail("service-unavailable") : answer(serverItems())
        case (_, Self.blocking) where own && !forDomain:
            return handleBlocking(iq, payload: payload, user: user, sender: sender)
        case ("query", Self.privacy) where own && !forDomain:
            return handlePrivacy(iq, query: payload, user: user, sender: sender)
        case ("query", Self.register) where own:
            return handleRegistration(iq, query: payload, user: user, sender: sender)
        case ("session", XMPPNamespace.session) where type == "set":
            return answer(nil)
        default:
            // §8.4: a payload nobody here understands.
            if breaks("rfc6120-iq-unknown-payload") { return fail("feature-not-implemented") }
            return reply(ServerStanza.error(iq, "service-unavailable", typed: !breaks("rfc6120-stanza-error-format")), to: sender)
        }
    }

    // MARK: - XEP-0054

    private mutating func handleVCard(_ iq: XMLElement, vCard: XMLElement, owner: String?, own: Bool, sender: JID) -> [Delivery] {
        if iq.attribute("type") == "set" {
            guard own, let owner else { return reply(ServerStanza.error(iq, "forbidden"), to: sender) }
            accounts[owner]?.vCard = vCard
            return reply(ServerStanza.result(iq), to: sender)
        }
        guard let owner else { return reply(ServerStanza.error(iq, "service-unavailable"), to: sender) }
        let empty = XMLElement("vCard", namespace: Self.vCard)
        guard let stored = accounts[owner]?.vCard else {
            if breaks("xep0054-vcard-missing") { return reply(ServerStanza.result(iq, empty), to: sender) }
            return reply(ServerStanza.error(iq, "item-not-found"), to: sender)
        }
        // The roundtrip misbehaviour forgets what was stored.
        return reply(ServerStanza.result(iq, breaks("xep0054-vcard-roundtrip") ? empty : stored), to: sender)
    }

    // MARK: - XEP-0012

    private func handleLast(_ iq: XMLElement, user: String, contact: String?, sender: JID) -> [Delivery] {
        guard iq.attribute("type") == "get" else { return reply(ServerStanza.error(iq, "bad-request"), to: sender) }
        var query = XMLElement("query", namespace: Self.last)
        guard let contact, contact != user else {
            // §5: the server's uptime (or, for the user's own account, 0: online now).
            let seconds = contact == nil ? Int((ContinuousClock.now - options.started).components.seconds) : 0
            if !(contact == nil && breaks("xep0012-server-uptime")) { query.setAttribute("seconds", to: String(max(0, seconds))) }
            return reply(ServerStanza.result(iq, query), to: sender)
        }
        // §3: only to those with a subscription to the contact's presence.
        guard accounts[contact]?.roster[bare(user)]?.hasFrom == true || breaks("xep0012-forbidden") else {
            return reply(ServerStanza.error(iq, "forbidden"), to: sender)
        }
        var seconds = 0
        if sessions[contact]?.contains(where: { $0.presence != nil }) != true, let last = accounts[contact]?.lastLogout {
            seconds = Int((ContinuousClock.now - last).components.seconds)
        }
        query.setAttribute("seconds", to: String(max(0, seconds)))
        return reply(ServerStanza.result(iq, query), to: sender)
    }

    // MARK: - XEP-0049

    private mutating func handlePrivate(_ iq: XMLElement, query: XMLElement, user: String, sender: JID) -> [Delivery] {
        let fragments = query.elements
        guard fragments.count == 1, let fragment = fragments.first else { return reply(ServerStanza.error(iq, "bad-request"), to: sender) }
        // §3: the jabber:* namespaces are the server's own.
        guard !fragment.namespace.hasPrefix("jabber:"), !fragment.namespace.isEmpty else {
            return reply(ServerStanza.error(iq, "not-acceptable"), to: sender)
        }
        let key = fragment.namespace + " " + fragment.name
        if iq.attribute("type") == "set" {
            guard accounts[user]?.privateData[key] != nil || (accounts[user]?.privateData.count ?? 0) < Self.maximumStoredItems else {
                return reply(ServerStanza.error(iq, "resource-constraint"), to: sender)
            }
            accounts[user]?.privateData[key] = fragment
            return reply(ServerStanza.result(iq), to: sender)
        }
        var result = XMLElement("query", namespace: Self.privateStorage)
        let empty = XMLElement(fragment.name, namespace: fragment.namespace)
        result.append(breaks("xep0049-private-roundtrip") ? empty : (accounts[user]?.privateData[key] ?? empty))
        return reply(ServerStanza.result(iq, result), to: sender)
    }

    // MARK: - XEP-0191

    private mutating func handleBlocking(_ iq: XMLElement, payload: XMLElement, user: String, sender: JID) -> [Delivery] {
        let type = iq.attribute("type")
        switch (payload.name, type) {
        case ("blocklist", "get"):
            if breaks("xep0191-blocklist") { return reply(ServerStanza.error(iq, "internal-server-error"), to: sender) }
            var list = XMLElement("blocklist", namespace: Self.blocking)
            for jid in accounts[user]?.blocklist ?? [] { list.append(XMLElement("item", namespace: Self.blocking, attributes: ["jid": jid])) }
            return reply(ServerStanza.result(iq, list), to: sender)
        case ("block", "set"), ("unblock", "set"):
            var jids: [String] = []
            for item in payload.children("item", namespace: Self.blocking) {
                guard case .jid(let jid) = ServerStanza.address(item.attribute("jid")) else {
                    return reply(ServerStanza.error(iq, "jid-malformed"), to: sender)
                }
                jids.append(jid.description)
            }
            var list = accounts[user]?.blocklist ?? []
            if payload.name == "block" {
                // §3.3: at least one item.
                guard !jids.isEmpty else { return reply(ServerStanza.error(iq, "bad-request"), to: sender) }
                for jid in jids where !list.contains(jid) { list.append(jid) }
                guard list.count <= Self.maximumRosterItems else { return reply(ServerStanza.error(iq, "resource-constraint"), to: sender) }
            } else {
                list = jids.isEmpty ? [] : list.filter { !jids.contains($0) }
            }
            accounts[user]?.blocklist = list
            var out = reply(ServerStanza.result(iq), to: sender)
            if !breaks("xep0191-block-push") {
                var push = XMLElement("iq", namespace: XMPPNamespace.client, attributes: ["type": "set", "id": nextPushID()])
                push.append(payload)
                out += deliveries(push, to: user)
            }
            return out
        default:
            return reply(ServerStanza.error(iq, "bad-request"), to: sender)
        }
    }

    // MARK: - XEP-0016 (set, get, active, default)

    private mutating func handlePrivacy(_ iq: XMLElement, query: XMLElement, user: String, sender: JID) -> [Delivery] {
        guard let account = accounts[user] else { return [] }
        let children = query.elements
        if iq.attribute("type") == "get" {
            var result = XMLElement("query", namespace: Self.privacy)
            if children.isEmpty {
                if let active = account.activePrivacyList { result.append(XMLElement("active", namespace: Self.privacy, attributes: ["name": active])) }
                if let name = account.defaultPrivacyList { result.append(XMLElement("default", namespace: Self.privacy, attributes: ["name": name])) }
                for name in account.privacyLists.keys.sorted() { result.append(XMLElement("list", namespace: Self.privacy, attributes: ["name": name])) }
                return reply(ServerStanza.result(iq, result), to: sender)
            }
            // §2.3: one list at a time.
            guard children.count == 1, let list = children.first, list.name == "list", let name = list.attribute("name") else {
                return reply(ServerStanza.error(iq, "bad-request"), to: sender)
            }
            guard var stored = account.privacyLists[name] else { return reply(ServerStanza.error(iq, "item-not-found"), to: sender) }
            if breaks("xep0016-privacy-lists") { stored.children = [] }
            result.append(stored)
            return reply(ServerStanza.result(iq, result), to: sender)
        }
        guard children.count == 1, let child = children.first else { return reply(ServerStanza.error(iq, "bad-request"), to: sender) }
        let name = child.attribute("name")
        switch child.name {
        case "list":
            guard let name else { return reply(ServerStanza.error(iq, "bad-request"), to: sender) }
            if child.elements.isEmpty {
                guard account.activePrivacyList != name, account.defaultPrivacyList != name else {
                    return reply(ServerStanza.error(iq, "conflict"), to: sender)
                }
                accounts[user]?.privacyLists[name] = nil
            } else {
                guard account.privacyLists[name] != nil || account.privacyLists.count < Self.maximumStoredItems else {
                    return reply(ServerStanza.error(iq, "resource-constraint"), to: sender)
                }
                accounts[user]?.privacyLists[name] = child
            }
            return reply(ServerStanza.result(iq), to: sender)
        case "active", "default":
            if let name, account.privacyLists[name] == nil { return reply(ServerStanza.error(iq, "item-not-found"), to: sender) }
            if child.name == "active" { accounts[user]?.activePrivacyList = name } else { accounts[user]?.defaultPrivacyList = name }
            return reply(ServerStanza.result(iq), to: sender)
        default:
            return reply(ServerStanza.error(iq, "bad-request"), to: sender)
        }
    }

    // MARK: - XEP-0077 on an authenticated stream

    private mutating func handleRegistration(_ iq: XMLElement, query: XMLElement, user: String, sender: JID) -> [Delivery] {
        if iq.attribute("type") == "get" {
            var form = registrationForm()
            form.append(XMLElement("registered", namespace: Self.register))
            form.removeChildren("username", namespace: Self.register)
            form.append(XMLElement("username", namespace: Self.register, text: user))
            return reply(ServerStanza.result(iq, form), to: sender)
        }
        if query.child("remove", namespace: Self.register) != nil {
            // §3.2: the account goes, with everything in it.
            if !breaks("xep0077-register-remove") { removeAccount(user) }
            return reply(ServerStanza.result(iq), to: sender)
        }
        // §3.3: a password change for the user's own account.
        guard let username = query.childText("username", namespace: Self.register), Self.normalize(username) == user,
              let password = query.childText("password", namespace: Self.register), !password.isEmpty, password.utf8.count <= 1024 else {
            return reply(ServerStanza.error(iq, "bad-request"), to: sender)
        }
        accounts[user]?.password = password
        return reply(ServerStanza.result(iq), to: sender)
    }

    /// The registration form (XEP-0077 §3.1).
    func registrationForm() -> XMLElement {
        var query = XMLElement("query", namespace: Self.register)
        query.append(XMLElement("instructions", namespace: Self.register, text: "Choose a username and password."))
        query.append(XMLElement("username", namespace: Self.register))
        if !breaks("xep0077-register-form") { query.append(XMLElement("password", namespace: Self.register)) }
        return query
    }

    /// Registration on an unauthenticated stream (XEP-0077 §3.1); returns the reply.
    mutating func handleUnauthenticatedRegistration(_ iq: XMLElement) -> XMLElement {
        guard let query = iq.child("query", namespace: Self.register), iq.elements.count == 1 else {
            return ServerStanza.error(iq, "bad-request")
        }
        switch iq.attribute("type") {
        case "get":
            return ServerStanza.result(iq, registrationForm())
        case "set":
            guard query.child("remove", namespace: Self.register) == nil else { return ServerStanza.error(iq, "not-authorized") }
            guard let username = query.childText("username", namespace: Self.register),
                  let password = query.childText("password", namespace: Self.register) else {
                return ServerStanza.error(iq, "bad-request")
            }
            if let user = Self.normalize(username), accounts[user] != nil, breaks("xep0077-register-conflict") {
                return ServerStanza.result(iq)
            }
            if let condition = register(username: username, password: password) { return ServerStanza.error(iq, condition) }
            return ServerStanza.result(iq)
        default:
            return ServerStanza.error(iq, "bad-request")
        }
    }

    // MARK: - XEP-0363

    mutating func handleUploadIQ(_ iq: XMLElement, from sender: JID) -> [Delivery] {
        let type = iq.attribute("type") ?? ""
        guard type == "get" || type == "set" else { return [] }
        let payloads = iq.elements
        guard payloads.count == 1, let payload = payloads.first else { return reply(ServerStanza.error(iq, "bad-request"), to: sender) }
        switch (payload.name, payload.namespace, type) {
        case ("query", Self.discoInfo, "get"):
            guard payload.attribute("node") == nil else { return reply(ServerStanza.error(iq, "item-not-found"), to: sender) }
            return reply(ServerStanza.result(iq, uploadInfo()), to: sender)
        case ("query", Self.discoItems, "get"):
            return reply(ServerStanza.result(iq, XMLElement("query", namespace: Self.discoItems)), to: sender)
        case ("request", Self.upload, "get"):
            // §4: filename and size are required; the size within the limit.
            guard let filename = payload.attribute("filename"), !filename.isEmpty, filename.utf8.count <= 255,
                  let size = payload.attribute("size").flatMap(Int.init), size > 0 else {
                return reply(ServerStanza.error(iq, "bad-request"), to: sender)
            }
            guard size <= Self.maximumUploadSize else {
                var tooLarge = XMLElement("file-too-large", namespace: Self.upload)
                tooLarge.append(XMLElement("max-file-size", namespace: Self.upload, text: String(Self.maximumUploadSize)))
                return reply(ServerStanza.error(iq, "not-acceptable", extra: tooLarge), to: sender)
            }
            let escaped = filename.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "file"
            let path = "\(StanzaID.make())/\(escaped)"
            var slot = XMLElement("slot", namespace: Self.upload)
            slot.append(XMLElement("put", namespace: Self.upload, attributes: ["url": "https://\(options.uploadDomain)/upload/\(path)"]))
            if !breaks("xep0363-upload-slot") {
                slot.append(XMLElement("get", namespace: Self.upload, attributes: ["url": "https://\(options.uploadDomain)/download/\(path)"]))
            }
            return reply(ServerStanza.result(iq, slot), to: sender)
        default:
            return reply(ServerStanza.error(iq, "service-unavailable"), to: sender)
        }
    }
}
