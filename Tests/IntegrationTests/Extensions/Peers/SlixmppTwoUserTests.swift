import Foundation
import Testing
import XMPPClient
import XMPPCore
import XMPPExtensions

/// Two users, one of them a third-party client: an XMPPKit client and slixmpp (PyPI, driven by
/// Tests/Peers/slixmpp_peer.py), each on a fresh account, on both servers. Slow (a Python process
/// per test), so one at a time.
@Suite("XMPPKit and slixmpp, two users on a real server", .serialized)
struct SlixmppTwoUserTests {
    @Test("RFC 6121 §3: subscription from XMPPKit to slixmpp and back; both rosters end at 'both'", arguments: ["prosody", "ejabberd"])
    func subscriptionBothWays(serverName: String) async throws {
        let server = try Servers.server(serverName)
        try await PeerPair.with(on: server, modules: [RosterModule(), PresenceSubscriptionModule(policy: .manual)]) { pair in
            let roster = try #require(await pair.client.module(RosterModule.self))
            let subscriptions = try #require(await pair.client.module(PresenceSubscriptionModule.self))
            let events = subscriptions.events
            try await pair.announcePresence()
            let peerJID = pair.peerJID
            let ourJID = JSONValue.string(pair.account.jid.description)

            // XMPPKit asks, slixmpp approves (§3.1).
            try await subscriptions.subscribe(to: peerJID)
            _ = try await pair.peer.waitFor("subscription", ["type": "subscribe", "from": ourJID])
            try await pair.peer.run("approve", ["jid": ourJID])
            _ = try await firstEvent(events, "subscribed by \(peerJID)") { event -> Bool? in
                if case .subscribed(let by) = event, by.bare == peerJID { return true }
                return nil
            }
            try await eventually("our roster has \(peerJID) as 'to'") {
                await roster.item(for: peerJID)?.subscription == .to
            }

            // slixmpp asks, XMPPKit approves.
            try await pair.peer.run("subscribe", ["jid": ourJID])
            _ = try await firstEvent(events, "a subscription request from \(peerJID)") { event -> Bool? in
                if case .subscriptionRequest(let from) = event, from.bare == peerJID { return true }
                return nil
            }
            try await subscriptions.approve(peerJID)
            _ = try await pair.peer.waitFor("subscription", ["type": "subscribed", "from": ourJID])
            try await eventually("our roster has \(peerJID) as 'both'") {
                await roster.item(for: peerJID)?.subscription == .both
            }
            try await eventually("slixmpp's roster has us as 'both'") {
                let theirs = try await pair.peer.run("get_roster")
                return theirs["items"]?[pair.account.jid.description]?["subscription"]?.string == "both"
            }
            // Now presence flows both ways: slixmpp's available presence reaches our book.
            try await eventually("slixmpp's presence is known") {
                await subscriptions.bestPresence(of: peerJID) != nil
            }
            print("[slixmpp] \(serverName): subscription both ways: both rosters 'both'")
        }
    }

    @Test("XEP-0054: a vCard slixmpp stores reads back through XMPPKit, and the other way round", arguments: ["prosody", "ejabberd"])
    func vCardBothWays(serverName: String) async throws {
        let server = try Servers.server(serverName)
        try await PeerPair.with(on: server, modules: [VCardModule()]) { pair in
            let vcards = try #require(await pair.client.module(VCardModule.self))
            let theirPhoto = testImage(1)
            try await pair.peer.run("set_vcard", ["nickname": "Slix", "desc": "a third-party peer",
                                                  "photo": .string(Base64.encode(theirPhoto)), "photo_type": "image/png"])
            let theirs = try await vcards.vCard(of: pair.peerJID)
            #expect(theirs.nickname == "Slix")
            #expect(theirs.photo?.data == theirPhoto)
            #expect(theirs.photo?.type == "image/png")
            print("[slixmpp] \(serverName): slixmpp's DESC reads back as desc=\(theirs.desc.map { "\"\($0)\"" } ?? "nil") note=\(theirs.note.map { "\"\($0)\"" } ?? "nil")")
            #expect((theirs.desc ?? theirs.note) == "a third-party peer")

            let ourPhoto = testImage(2)
            try await vcards.setVCard(VCard(nickname: "Kit", photo: VCardPhoto(type: "image/png", data: ourPhoto), desc: "XMPPKit"))
            let ours = try await pair.peer.run("get_vcard", ["jid": .string(pair.account.jid.description)])
            #expect(ours["nickname"]?.string == "Kit")
            #expect(ours["photo"]?.string.flatMap { Base64.decode($0, ignoringWhitespace: true) } == ourPhoto)
            #expect(ours["photo_type"]?.string == "image/png")
            print("[slixmpp] \(serverName): XMPPKit's vCard as slixmpp reads it: desc=\(ours["desc"]?.string ?? "nil") note=\(ours["note"]?.string ?? "nil")")
            #expect((ours["desc"]?.string ?? ours["note"]?.string) == "XMPPKit")
        }
    }

    @Test("XEP-0191: once XMPPKit blocks slixmpp, slixmpp's messages no longer arrive (bounced or dropped, as the server does)", arguments: ["prosody", "ejabberd"])
    func blockedMessages(serverName: String) async throws {
        let server = try Servers.server(serverName)
        try await PeerPair.with(on: server, modules: [BlockingModule()]) { pair in
            let blocking = try #require(await pair.client.module(BlockingModule.self))
            #expect(try await blocking.isSupportedByServer())
            try await pair.announcePresence()
            let ourJID = JSONValue.string(pair.account.jid.description)
            let peerJID = pair.peerJID

            try await pair.peer.run("send_message", ["to": ourJID, "body": "before the block"])
            let before = await pair.inbox.message { $0.from?.bare == peerJID && $0.body == "before the block" }
            #expect(before != nil, "an unblocked message arrives")

            try await blocking.block([peerJID])
            #expect(try await blocking.blocklist(refresh: true).contains(peerJID))
            let since = await pair.peer.lastEventNumber()
            try await pair.peer.run("send_message", ["to": ourJID, "body": "after the block", "msg_id": "blocked-1"])
            let bounce = try? await pair.peer.waitFor("message_error", ["id": "blocked-1"], since: since, timeout: 5)
            let after = await pair.inbox.message(timeout: .seconds(2)) { $0.from?.bare == peerJID && $0.body == "after the block" }
            #expect(after == nil, "XEP-0191 §3.5: the server must not deliver a blocked contact's message")
            if let bounce {
                print("[slixmpp] \(serverName): message from a blocked contact bounced with \(bounce["condition"]?.string ?? "?") (\(bounce["error_type"]?.string ?? "?"))")
                #expect(bounce["condition"]?.string == "service-unavailable", "XEP-0191 §3.5")
            } else {
                print("[slixmpp] \(serverName): message from a blocked contact dropped silently")
            }

            try await blocking.unblock([peerJID])
            try await pair.peer.run("send_message", ["to": ourJID, "body": "after the unblock"])
            let unblocked = await pair.inbox.message { $0.from?.bare == peerJID && $0.body == "after the unblock" }
            #expect(unblocked != nil, "after unblocking, messages arrive again")
        }
    }

    @Test("XEP-0012: slixmpp's last activity through its server and from slixmpp itself; slixmpp asks ours", arguments: ["prosody", "ejabberd"])
    func lastActivity(serverName: String) async throws {
        let server = try Servers.server(serverName)
        try await PeerPair.with(on: server, modules: [RosterModule(), PresenceSubscriptionModule(policy: .approveAll),
                                                      LastActivityModule()]) { pair in
            let lastActivity = try #require(await pair.client.module(LastActivityModule.self))
            let subscriptions = try #require(await pair.client.module(PresenceSubscriptionModule.self))
            try await pair.announcePresence()
            let peerJID = pair.peerJID

            // §3 without a subscription: the server may refuse.
            do {
                let seen = try await lastActivity.lastActivity(of: peerJID)
                print("[slixmpp] \(serverName): last activity of an online stranger's account: \(seen.seconds) s")
            } catch let error as StanzaError {
                print("[slixmpp] \(serverName): last activity of a stranger's account → \(error.condition.rawValue)")
                #expect(error.condition == .forbidden || error.condition == .subscriptionRequired)
            }

            try await pair.befriend(subscriptions)
            // §3 with a subscription, while slixmpp is online: 0 seconds (or close).
            let online = try await lastActivity.lastActivity(of: peerJID)
            print("[slixmpp] \(serverName): last activity of an online contact's account: \(online.seconds) s")
            #expect(online.seconds < 60)

            // §4: slixmpp answers for its full JID itself.
            try await pair.peer.run("set_last_activity", ["seconds": 42, "status": "away from keyboard"])
            let idle = try await lastActivity.lastActivity(of: pair.peer.jid)
            #expect(idle.seconds >= 42 && idle.seconds < 42 + 120, "slixmpp said 42 s idle; got \(idle.seconds)")
            #expect(idle.status == "away from keyboard")

            // §4 the other way: XMPPKit answers slixmpp about its own full JID (policy: subscribers).
            let ourFullJID = try #require(await pair.client.boundJID)
            let ours = try await pair.peer.run("last_activity", ["jid": .string(ourFullJID.description)])
            print("[slixmpp] \(serverName): slixmpp reads XMPPKit's idle time: \(ours["seconds"]?.int.map(String.init) ?? "?") s")
            #expect((ours["seconds"]?.int ?? -1) >= 0)

            // §3 after logout: the server answers how long ago, with the status slixmpp left.
            await pair.peer.quit()
            try await eventually("slixmpp's logout is seen") { await subscriptions.bestPresence(of: peerJID) == nil }
            let offline = try await lastActivity.lastActivity(of: peerJID)
            print("[slixmpp] \(serverName): last activity of a contact after logout: \(offline.seconds) s, status \(offline.status.map { "\"\($0)\"" } ?? "nil")")
            #expect(offline.seconds < 120)
        }
    }

    @Test("XEP-0153: an avatar change on either side reaches the other as a new hash in presence", arguments: ["prosody", "ejabberd"])
    func avatarHashUpdates(serverName: String) async throws {
        let server = try Servers.server(serverName)
        try await PeerPair.with(on: server, modules: [RosterModule(), PresenceSubscriptionModule(policy: .approveAll),
                                                      VCardModule(), VCardAvatarModule()]) { pair in
            let avatars = try #require(await pair.client.module(VCardAvatarModule.self))
            let vcards = try #require(await pair.client.module(VCardModule.self))
            let subscriptions = try #require(await pair.client.module(PresenceSubscriptionModule.self))
            let events = avatars.events
            try await pair.announcePresence()
            try await pair.befriend(subscriptions)
            let peerJID = pair.peerJID

            // slixmpp sets an avatar: its presence carries the new hash, which we see and verify.
            let theirImage = testImage(3)
            let result = try await pair.peer.run("set_avatar_presence", ["photo": .string(Base64.encode(theirImage)), "photo_type": "image/png"])
            let theirHash = try #require(result["hash"]?.string)
            #expect(theirHash == (try AvatarHash.sha1Hex(of: theirImage)))
            _ = try await firstEvent(events, "slixmpp's avatar hash \(theirHash)") { event -> Bool? in
                if case .avatarChanged(let jid, let hash) = event, jid == peerJID, hash == theirHash { return true }
                return nil
            }
            let photo = try await avatars.avatar(of: peerJID)
            #expect(photo.data == theirImage)

            // XMPPKit sets an avatar: slixmpp sees the new hash in our presence.
            let since = await pair.peer.lastEventNumber()
            let ourImage = testImage(4)
            let ourHash = try AvatarHash.sha1Hex(of: ourImage)
            try await vcards.setVCard(VCard(nickname: "Kit", photo: VCardPhoto(type: "image/png", data: ourImage)))
            let seen = try await pair.peer.waitFor("avatar_update", ["from": .string(pair.account.jid.description), "hash": .string(ourHash)],
                                                   since: since)
            print("[slixmpp] \(serverName): avatar hashes seen both ways (slixmpp saw ours from \(seen["from"]?.string ?? "?"))")
        }
    }
}
