import TestSupport
import Testing
import XMPPClient
import XMPPCore
import XMPPXML
import XMPPExtensions

@Suite("vcard-temp against the real servers (XEP-0054)")
struct VCardIntegrationTests {
    /// A vCard using every property the module types, and one it does not know.
    static func fullVCard(image: [UInt8]) -> VCard {
        VCard(
            formattedName: "Juliet Capulet",
            name: VCardName(family: "Capulet", given: "Juliet", middle: "J"),
            nickname: "jc",
            photo: VCardPhoto(type: "image/png", data: image),
            birthday: "1476-06-09",
            url: "https://capulet.example/juliet",
            organization: VCardOrganization(name: "House Capulet", units: ["Balcony"]),
            title: "Heiress",
            role: "Lead",
            telephones: [VCardTelephone(number: "+39 045 123", flags: [.cell, .voice])],
            addresses: [VCardAddress(flags: [.home], street: "Via Cappello 23", locality: "Verona", postalCode: "37121", country: "Italy")],
            emails: [VCardEmail(address: "juliet@capulet.example", flags: [.internet, .preferred])],
            jabberID: "juliet@capulet.example",
            desc: "Wherefore art thou",
            note: "A note",
            otherElements: [XMLElement("X-XMPPKIT", namespace: VCard.namespace, text: "kept?")])
    }

    /// Which properties of `sent` came back in `got`, by element name.
    static func survival(sent: VCard, got: VCard) -> [String: Bool] {
        var result: [String: Bool] = [
            "FN": got.formattedName == sent.formattedName,
            "N": got.name == sent.name,
            "NICKNAME": got.nickname == sent.nickname,
            "PHOTO": got.photo?.data == sent.photo?.data && got.photo?.type == sent.photo?.type,
            "BDAY": got.birthday == sent.birthday,
            "URL": got.url == sent.url,
            "ORG": got.organization == sent.organization,
            "TITLE": got.title == sent.title,
            "ROLE": got.role == sent.role,
            "TEL": got.telephones == sent.telephones,
            "ADR": got.addresses == sent.addresses,
            "EMAIL": got.emails == sent.emails,
            "JABBERID": got.jabberID == sent.jabberID,
            "DESC": got.desc == sent.desc,
            "NOTE": got.note == sent.note,
        ]
        result["X-XMPPKIT"] = got.otherElements.contains { $0.name == "X-XMPPKIT" && $0.text == "kept?" }
        return result
    }

    @Test("Set our own vCard and read it back: which properties survive on each server", arguments: ["prosody", "ejabberd"])
    func ownRoundTrip(serverName: String) async throws {
        let server = try Servers.server(serverName)
        let (client, _) = try await TestAccounts.connectedClient(on: server, modules: [VCardModule()])
        let vcards = try #require(await client.module(VCardModule.self))
        #expect(try await vcards.isSupportedByServer())
        // A fresh account has no vCard: XEP-0054 §3.1 lets the server say so two ways; both read as empty.
        #expect(try await vcards.vCard().isEmpty)

        let image = try Fixtures.bytes("vectors/avatar/avatar-64x64.png")
        let sent = Self.fullVCard(image: image)
        try await vcards.setVCard(sent)
        let got = try await vcards.vCard()
        let survival = Self.survival(sent: sent, got: got)
        print("[vcard] \(serverName): own vCard round trip: kept \(survival.filter(\.value).keys.sorted()), changed or lost \(survival.filter { !$0.value }.keys.sorted())")
        // What each server really does (checked on Debian 12's packages):
        let unchanged = ["FN", "NICKNAME", "PHOTO", "BDAY", "URL", "TITLE", "ROLE", "JABBERID"]
        for property in unchanged { #expect(survival[property] == true, "\(property) survives on \(serverName)") }
        if serverName == "ejabberd" {
            // ejabberd (mod_vcard) stores the XML as sent: everything survives.
            #expect(survival.values.allSatisfy { $0 }, "ejabberd keeps every property")
        } else {
            // Prosody (mod_vcard_legacy, stored as vCard 4) keeps the values but: adds empty N
            // PREFIX/SUFFIX and ADR POBOX/EXTADD/REGION, drops ORGUNIT, TEL type flags, EMAIL PREF
            // and unknown properties, and hands DESC back as a NOTE before our own NOTE.
            #expect(got.name == VCardName(family: "Capulet", given: "Juliet", middle: "J", prefix: "", suffix: ""))
            #expect(got.organization == VCardOrganization(name: "House Capulet"))
            #expect(got.telephones == [VCardTelephone(number: "+39 045 123")])
            #expect(got.addresses == [VCardAddress(flags: [.home], postOfficeBox: "", extendedAddress: "", street: "Via Cappello 23",
                                                   locality: "Verona", region: "", postalCode: "37121", country: "Italy")])
            #expect(got.emails == [VCardEmail(address: "juliet@capulet.example", flags: [.internet])])
            #expect(got.desc == nil)
            #expect(got.note == "Wherefore art thou")
            #expect(got.otherElements.map(\.name) == ["NOTE"])
            #expect(got.otherElements.first?.text == "A note")
        }
        await client.disconnect()
    }

    @Test("User A sets a vCard, user B reads it from A's bare JID (§3.3)", arguments: ["prosody", "ejabberd"])
    func otherUserReads(serverName: String) async throws {
        let server = try Servers.server(serverName)
        let (aClient, aAccount) = try await TestAccounts.connectedClient(on: server, modules: [VCardModule()], prefix: "va")
        let (bClient, _) = try await TestAccounts.connectedClient(on: server, modules: [VCardModule()], prefix: "vb")
        let image = try Fixtures.bytes("vectors/avatar/avatar-64x64.png")
        try await #require(aClient.module(VCardModule.self)).setVCard(
            VCard(formattedName: "A", nickname: "ay", photo: VCardPhoto(type: "image/png", data: image),
                  telephones: [VCardTelephone(number: "+1 555 0100", flags: [.cell])],
                  emails: [VCardEmail(address: "a@example.com")], desc: "status text"))
        let bModule = try #require(await bClient.module(VCardModule.self))
        let seen = try await bModule.vCard(of: aAccount.jid)
        #expect(seen.formattedName == "A")
        #expect(seen.nickname == "ay")
        #expect(seen.photo?.data == image)
        #expect(seen.telephones.map(\.number) == ["+1 555 0100"])
        #expect(seen.emails.map(\.address) == ["a@example.com"])
        // DESC comes back as DESC from ejabberd, as NOTE from Prosody.
        #expect((serverName == "prosody" ? seen.note : seen.desc) == "status text")

        // §3.3: an account without a vCard, and one that does not exist, give the same error.
        let (cClient, cAccount) = try await TestAccounts.connectedClient(on: server, modules: [], prefix: "vc")
        await cClient.disconnect()
        let empty = await outcome { try await bModule.vCard(of: cAccount.jid) }
        let missing = await outcome { try await bModule.vCard(of: JID("nobody-\(StanzaID.make().lowercased().prefix(8))@\(server.domain)")) }
        print("[vcard] \(serverName): B reads an account with no vCard: \(empty); a non-existent account: \(missing)")
        // Both servers answer alike in both cases (no harvesting), but with an empty vCard where
        // XEP-0054 1.3 §3.3 asks for service-unavailable.
        #expect(empty == "empty vCard")
        #expect(missing == "empty vCard")
        await aClient.disconnect()
        await bClient.disconnect()
    }

    @Test("A PHOTO with only EXTVAL (a URL): what each server keeps", arguments: ["prosody", "ejabberd"])
    func externalPhoto(serverName: String) async throws {
        let server = try Servers.server(serverName)
        let (client, _) = try await TestAccounts.connectedClient(on: server, modules: [VCardModule()], prefix: "vx")
        let vcards = try #require(await client.module(VCardModule.self))
        try await vcards.setVCard(VCard(nickname: "x", photo: VCardPhoto(externalURL: "https://example.com/avatar.png")))
        let got = try await vcards.vCard()
        print("[vcard] \(serverName): EXTVAL-only PHOTO read back as \(got.photo.map { "\($0.element)" } ?? "no PHOTO")")
        #expect(got.nickname == "x")
        if serverName == "prosody" {
            #expect(got.photo == nil, "Prosody's vcard_legacy drops a PHOTO that has only EXTVAL")
        } else {
            #expect(got.photo?.externalURL == "https://example.com/avatar.png")
        }
        await client.disconnect()
    }

    private func outcome(_ body: () async throws -> VCard) async -> String {
        do {
            let vcard = try await body()
            return vcard.isEmpty ? "empty vCard" : "a vCard"
        } catch let error as StanzaError {
            return "error \(error.condition.rawValue)"
        } catch {
            return "failure \(error)"
        }
    }
}
