import Synchronization
import Testing
import XMPPClient
import XMPPCore
import XMPPXML
@testable import XMPPExtensions

/// A server holding one vCard per bare JID, answering vCard gets and sets as XEP-0054 §3 shows.
final class VCardTestServer: Sendable {
    private let cards = Mutex<[String: XMLElement]>([:])
    private let own: String

    init(own: String) { self.own = own }

    func set(_ vcard: VCard, for jid: String) {
        cards.withLock { $0[jid] = vcard.element }
    }

    func respond(_ request: IQ) -> IQ {
        guard let payload = request.payload, payload.name == "vCard" else {
            return request.makeError(StanzaError(.serviceUnavailable))
        }
        if request.kind == .set {
            cards.withLock { $0[own] = payload }
            return request.makeResult()
        }
        let jid = request.to?.bare.description ?? own
        return request.makeResult(payload: cards.withLock { $0[jid] } ?? XMLElement("vCard", namespace: VCard.namespace))
    }
}

@Suite("vCard-based avatars module (XEP-0153)")
struct VCardAvatarModuleTests {
    private let ns = VCardUpdate.namespace

    /// The stanzas sent once there are `count`; fails (instead of trapping on an index) when fewer come.
    private func sentStanzas(_ host: ScriptedModuleHost, _ count: Int) async throws -> [XMLElement] {
        let sent = await host.waitForSent(count: count)
        try #require(sent.count >= count, "only \(sent.count) of \(count) stanzas were sent")
        return sent
    }

    private func photo(in element: XMLElement) -> VCardUpdate.Photo? {
        element.child("x", namespace: ns).flatMap(VCardUpdate.init(element:))?.photo
    }

    private func avatarVCard() throws -> (VCard, String) {
        let (bytes, sha1) = try AvatarHashVectors.image()
        return (VCard(nickname: "Juliet", photo: VCardPhoto(type: "image/png", data: bytes)), sha1)
    }

    @Test("§4.1: before our vCard is known presence carries an empty <x/>; after setVCard the hash, re-sent (§3.1, §4.2)")
    func setVCardUpdatesPresence() async throws {
        let store = VCardTestServer(own: "juliet@example.com")
        let host = try ScriptedModuleHost { store.respond($0) }
        let avatar = await host.start(VCardAvatarModule(downloadsOwnVCard: false))
        let vcards = await host.register(VCardModule())
        try await host.send(Presence(show: .away, status: "on the balcony"))
        var sent = try await sentStanzas(host, 1)
        #expect(photo(in: sent[0]) == .notReady)

        let (vcard, sha1) = try avatarVCard()
        try await vcards.setVCard(vcard)
        sent = try await sentStanzas(host, 3)
        #expect(sent[1].name == "iq")
        let resent = try Presence(element: sent[2])
        #expect(photo(in: sent[2]) == .hash(sha1))
        #expect(resent.show == .away)
        #expect(resent.status == "on the balcony")
        #expect(sent[2].children("x", namespace: ns).count == 1)
        #expect(await avatar.advertised == .hash(sha1))

        // A directed presence carries it too (§4.1 rule 1) but is not what gets re-sent.
        try await host.send(Presence(to: JID("room@muc.example.com/juliet")))
        sent = try await sentStanzas(host, 4)
        #expect(photo(in: sent[3]) == .hash(sha1))

        // Removing the photo advertises an empty <photo/> (§4.1 rule 3), to the broadcast.
        try await vcards.setVCard(VCard(nickname: "Juliet"))
        sent = try await sentStanzas(host, 6)
        #expect(photo(in: sent[5]) == .noAvatar)
        #expect(sent[5].attribute("to") == nil)
        // No presence was re-sent for the IQ that changed nothing, and unavailable carries no <x/>.
        try await host.send(Presence(.unavailable))
        sent = try await sentStanzas(host, 7)
        #expect(sent[6].child("x", namespace: ns) == nil)
    }

    @Test("§4.2 rule 1: at login our vCard is read, then presence sent earlier goes out again with the hash")
    func downloadsAtLogin() async throws {
        let store = VCardTestServer(own: "juliet@example.com")
        let (vcard, sha1) = try avatarVCard()
        store.set(vcard, for: "juliet@example.com")
        let host = try ScriptedModuleHost { store.respond($0) }
        await host.register(VCardAvatarModule())
        try await host.send(Presence())
        await host.startSession(resumed: false)
        let sent = try await sentStanzas(host, 3)
        #expect(photo(in: sent[0]) == .notReady)
        #expect(sent[1].name == "iq")
        #expect(photo(in: sent[2]) == .hash(sha1))
        // A resumed session kept the server's state: nothing is read again.
        await host.startSession(resumed: true)
        try await host.send(Presence(show: .chat))
        let after = try await sentStanzas(host, 4)
        #expect(after.count == 4)
        #expect(photo(in: after[3]) == .hash(sha1))
    }

    @Test("A vCard without a photo is advertised as an empty <photo/> (§4.1 rule 3)")
    func noPhoto() async throws {
        let store = VCardTestServer(own: "juliet@example.com")
        let host = try ScriptedModuleHost { store.respond($0) }
        await host.register(VCardAvatarModule())
        try await host.send(Presence())
        await host.startSession(resumed: false)
        let sent = try await sentStanzas(host, 3)
        #expect(photo(in: sent[0]) == .notReady)
        #expect(photo(in: sent[2]) == .noAvatar)
    }

    @Test("§3.2: a contact's new hash is an event once; not-ready says nothing; no image is a nil hash")
    func contactEvents() async throws {
        let host = try ScriptedModuleHost()
        let avatar = await host.start(VCardAvatarModule(downloadsOwnVCard: false))
        let events = avatar.events
        let juliet = try JID("juliet@capulet.com")
        try await host.receive(XEPExample.stanza("0153/presence-with-hash.xml"))
        try await host.receive(XEPExample.stanza("0153/presence-with-hash.xml"))
        try await host.receive(xml: "<presence from='juliet@capulet.com/chamber'><x xmlns='vcard-temp:x:update'><photo>01B87FCD030B72895FF8E88DB57EC525450F000D</photo></x></presence>")
        try await host.receive(xml: "<presence from='juliet@capulet.com/balcony'><x xmlns='vcard-temp:x:update'/></presence>")
        try await host.receive(xml: "<presence from='juliet@capulet.com/balcony'><x xmlns='vcard-temp:x:update'><photo>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</photo></x></presence>")
        try await host.receive(xml: "<presence from='juliet@capulet.com/balcony' type='unavailable'><x xmlns='vcard-temp:x:update'><photo>bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb</photo></x></presence>")
        try await host.receive(xml: "<presence from='juliet@capulet.com/balcony'><x xmlns='vcard-temp:x:update'><photo/></x></presence>")
        var seen: [VCardAvatarModule.Event] = []
        for await event in events {
            seen.append(event)
            if seen.count == 3 { break }
        }
        #expect(seen == [
            .avatarChanged(juliet, hash: "01b87fcd030b72895ff8e88db57ec525450f000d"),
            .avatarChanged(juliet, hash: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
            .avatarChanged(juliet, hash: nil),
        ])
        #expect(await avatar.lastSeen(juliet) == .noAvatar)
    }

    @Test("The avatar helper fetches the contact's vCard photo and checks its hash")
    func fetchAndVerify() async throws {
        let store = VCardTestServer(own: "juliet@example.com")
        let (vcard, sha1) = try avatarVCard()
        store.set(vcard, for: "romeo@example.com")
        let host = try ScriptedModuleHost { store.respond($0) }
        let avatar = await host.start(VCardAvatarModule(downloadsOwnVCard: false))
        let romeo = try JID("romeo@example.com/orchard")
        let events = avatar.events
        try await host.receive(xml: "<presence from='romeo@example.com/orchard'><x xmlns='vcard-temp:x:update'><photo>\(sha1)</photo></x></presence>")
        for await event in events { if case .avatarChanged(romeo.bare, sha1) = event { break } }
        let photo = try await avatar.avatar(of: romeo)
        #expect(photo.data == vcard.photo?.data)
        #expect(try await avatar.avatar(of: romeo, expectedHash: sha1.uppercased()).type == "image/png")
        let request = try #require(await host.sentRequests.last)
        #expect(request.to == romeo.bare)

        let wrong = String(repeating: "0", count: 40)
        await #expect(throws: VCardAvatarError.hashMismatch(romeo.bare, expected: wrong, actual: sha1)) {
            try await avatar.avatar(of: romeo, expectedHash: wrong)
        }
        let nobody = try JID("nobody@example.com")
        await #expect(throws: VCardAvatarError.noAvatar(nobody)) { try await avatar.avatar(of: nobody) }
    }

    @Test("§4.3: another resource without XEP-0153 stops our hash; once it leaves, the vCard is read again (§4.4)")
    func nonConformingResource() async throws {
        let store = VCardTestServer(own: "juliet@example.com")
        let (vcard, sha1) = try avatarVCard()
        let host = try ScriptedModuleHost { store.respond($0) }
        let avatar = await host.start(VCardAvatarModule(downloadsOwnVCard: false))
        let vcards = await host.register(VCardModule())
        try await host.send(Presence())
        try await vcards.setVCard(vcard)
        _ = try await sentStanzas(host, 3)
        // Our own presence echoed back by the server changes nothing.
        try await host.receive(xml: "<presence from='juliet@example.com/balcony'/>")
        try await host.receive(xml: "<presence from='juliet@example.com/legacy'/>")
        var sent = try await sentStanzas(host, 4)
        #expect(photo(in: sent[3]) == .notReady)
        #expect(await avatar.advertised == .notReady)
        try await host.receive(xml: "<presence from='juliet@example.com/legacy' type='unavailable'/>")
        sent = try await sentStanzas(host, 6)
        #expect(sent[4].name == "iq")
        #expect(photo(in: sent[5]) == .hash(sha1))
    }

    @Test("§4.3 rule 2: another resource's different hash makes us read the vCard, never upload (§4.4)")
    func otherResourceChangedAvatar() async throws {
        let store = VCardTestServer(own: "juliet@example.com")
        let (vcard, sha1) = try avatarVCard()
        let host = try ScriptedModuleHost { store.respond($0) }
        let avatar = await host.start(VCardAvatarModule(downloadsOwnVCard: false))
        try await host.send(Presence())
        _ = try await sentStanzas(host, 1)
        // The other resource stored a new vCard and advertises its hash.
        store.set(vcard, for: "juliet@example.com")
        try await host.receive(xml: "<presence from='juliet@example.com/phone'><x xmlns='vcard-temp:x:update'><photo>\(sha1)</photo></x></presence>")
        let sent = try await sentStanzas(host, 3)
        #expect(sent[1].name == "iq")
        #expect(sent[1].attribute("type") == "get")
        #expect(photo(in: sent[2]) == .hash(sha1))
        #expect(await host.sentRequests.allSatisfy { $0.kind == .get })
        #expect(await avatar.advertised == .hash(sha1))

        // The same hash again changes nothing; an empty photo makes us read the vCard (rule 2)…
        try await host.receive(xml: "<presence from='juliet@example.com/phone'><show>away</show><x xmlns='vcard-temp:x:update'><photo>\(sha1.uppercased())</photo></x></presence>")
        store.set(VCard(nickname: "Juliet"), for: "juliet@example.com")
        try await host.receive(xml: "<presence from='juliet@example.com/phone'><x xmlns='vcard-temp:x:update'><photo/></x></presence>")
        let reset = try await sentStanzas(host, 6)
        #expect(photo(in: reset[3]) == .notReady)
        #expect(reset[4].name == "iq")
        #expect(photo(in: reset[5]) == .noAvatar)
        // …but once we agree there is none, more of the same is ignored (no reset ping-pong).
        try await host.receive(xml: "<presence from='juliet@example.com/phone'><show>dnd</show><x xmlns='vcard-temp:x:update'><photo/></x></presence>")
        try await host.receive(xml: "<presence from='someone@example.net/x'/>")
        try await Task.sleep(for: .milliseconds(200))
        #expect(await host.sent.count == 6)
    }

    @Test("Hostile presence: bad hashes are ignored, and ever-new senders do not grow memory without bound")
    func hostilePresence() async throws {
        let host = try ScriptedModuleHost()
        let avatar = await host.start(VCardAvatarModule(downloadsOwnVCard: false))
        let events = avatar.events
        let huge = String(repeating: "f", count: 200_000)
        try await host.receive(xml: "<presence from='mallory@evil.example/x'><x xmlns='vcard-temp:x:update'><photo>\(huge)</photo></x></presence>")
        try await host.receive(xml: "<presence from='mallory@evil.example/x'><x xmlns='vcard-temp:x:update'><photo>../../etc/passwd</photo></x></presence>")
        try await host.receive(xml: "<presence from='mallory@evil.example/x'><x xmlns='vcard-temp:x:update'><photo><b/></photo></x></presence>")
        try await host.receive(xml: "<presence><x xmlns='vcard-temp:x:update'><photo>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</photo></x></presence>")
        for index in 0..<10_050 {
            try await host.receive(xml: "<presence from='u\(index)@flood.example/r'><x xmlns='vcard-temp:x:update'><photo>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</photo></x></presence>")
        }
        // Events are buffered newest-first (EventBroadcaster); the last sender's is there when all are handled.
        try await host.receive(xml: "<presence from='last@marker.example/r'><x xmlns='vcard-temp:x:update'><photo/></x></presence>")
        for await event in events {
            guard case .avatarChanged(let jid, _) = event else { continue }
            #expect(jid.domainpart != "evil.example")
            if jid.domainpart == "marker.example" { break }
        }
        #expect(await avatar.seenCount <= 10_000)
    }
}
