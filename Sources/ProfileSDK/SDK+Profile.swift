import XMPPClient
import XMPPCore
import XMPPExtensions

extension SDK {
    /// A user's profile from their vcard-temp (XEP-0054 §3.3; our own, §3.1, for our JID). A user
    /// without a vCard reads as an empty profile: neither server tells it apart from an unknown user.
    public func getUserProfile(toUserJid: String) async throws -> SDKResponse<UserProfile> {
        let jid = try userJID(toUserJid)
        let vCards = try await module(VCardModule.self)
        let own = await client?.boundJID?.bare == jid
        do {
            let profile = UserProfile(jid: jid, vCard: try await vCards.vCard(of: own ? nil : jid))
            emit(.userProfile(profile))
            return SDKResponse(data: profile)
        } catch let error as StanzaError where error.condition == .itemNotFound || error.condition == .serviceUnavailable {
            let profile = UserProfile(jid: jid, vCard: VCard())
            emit(.userProfile(profile))
            return SDKResponse(data: profile)
        } catch {
            throw SDKError(error)
        }
    }

    /// Stores our profile in our vCard (XEP-0054 §3.2): NICKNAME, DESC, TEL CELL, EMAIL, and the
    /// image URL in URL (kept by both servers; Prosody drops an EXTVAL-only PHOTO). An image file
    /// is checked by content and size, uploaded with XEP-0363 (encrypted per XEP-0454 when media
    /// encryption is on), its URL stored in URL and its thumbnail, made with libgd, in PHOTO
    /// (TYPE + BINVAL): the image itself when ≤ 256×256 px and ≤ 64 KB. An http(s) URL is
    /// fetched once and checked the same way for its thumbnail (``fetchProfileImage(_:)``); an
    /// `aesgcm://` link passed back keeps the thumbnail it has. Other vCard properties are kept
    /// (get, modify, set). Contacts learn of it by the XEP-0153 hash.
    /// All five parameters are required (Specs/sdk/profile.json): `.none` means no image, "" an
    /// empty status, number or e-mail.
    public func setUserProfile(name: String, image: ProfileImage, status: String, mobileNumber: String,
                               email: String) async throws -> SDKResponse<UserProfile> {
        guard !name.trimmingWhitespace.isEmpty else { throw SDKError.invalid("name", "must not be empty") }
        var imageFile: CheckedImageFile?
        switch image {
        case .url(let url):
            let lowered = url.lowercased()
            // An aesgcm link as getUserProfile returns it may be passed back to keep the image.
            guard lowered.hasPrefix("https://") || lowered.hasPrefix("http://") || AESGCMURL.hasAESGCMScheme(url),
                  url.utf8.count <= 2048 else {
                throw SDKError.invalid("image", "must be an http(s) URL")
            }
        case .file(let path):
            imageFile = try Self.checkedImageFile(path, limit: imageByteLimit)
        case .none:
            break
        }
        guard mobileNumber.allSatisfy({ $0.isNumber || "+-() ".contains($0) }) else {
            throw SDKError.invalid("mobileNumber", "digits, spaces and + - ( ) only")
        }
        guard email.isEmpty || (email.contains("@") && !email.contains(where: \.isWhitespace)) else {
            throw SDKError.invalid("email", "not an e-mail address")
        }
        let vCards = try await module(VCardModule.self)
        let client = try await requireClient()
        guard let jid = await client.boundJID?.bare else { throw SDKError.notLoggedIn }
        // The full image is uploaded first (XEP-0363); PHOTO gets its thumbnail (or itself).
        let uploadedURL: String? = if let imageFile { try await uploadProfileImage(imageFile) } else { nil }
        // An http(s) URL is fetched once for its thumbnail; an aesgcm link passed back keeps its own.
        var fetched: ProfileImageFile?
        if case .url(let url) = image, !AESGCMURL.hasAESGCMScheme(url) { fetched = try await fetchProfileImage(url) }
        do {
            var vCard = try await vCards.vCard()
            vCard.nickname = name.trimmingWhitespace
            vCard.desc = status.isEmpty ? nil : status
            vCard.note = nil
            vCard.telephones = mobileNumber.isEmpty ? [] : [VCardTelephone(number: mobileNumber, flags: [.cell, .voice])]
            vCard.emails = email.isEmpty ? [] : [VCardEmail(address: email)]
            switch image {
            case .url(let url):
                if let fetched {
                    vCard.photo = VCardPhoto(type: fetched.thumbnailType, data: fetched.thumbnail)
                } else if vCard.url != url {
                    // An aesgcm link other than ours: no thumbnail (its old one would be wrong).
                    vCard.photo = nil
                }
                vCard.url = url
            case .file:
                vCard.url = uploadedURL
                vCard.photo = imageFile.map { VCardPhoto(type: $0.image.thumbnailType, data: $0.image.thumbnail) }
            case .none:
                vCard.url = nil
                vCard.photo = nil
            }
            try await vCards.setVCard(vCard)
            let profile = UserProfile(jid: jid, vCard: vCard)
            emit(.userProfile(profile))
            return SDKResponse(data: profile)
        } catch {
            throw SDKError(error)
        }
    }

    /// The roster (RFC 6121 §2.2) with each contact's vCard, fetched concurrently (at most 32 at a
    /// time); a contact whose vCard cannot be read keeps empty profile fields.
    public func getFriendsList() async throws -> SDKResponse<[FriendProfile]> {
        try await getFriendsList(maxConcurrentFetches: 32)
    }

    /// `getFriendsList` with at most `maxConcurrentFetches` vCard fetches in flight (1: one after
    /// another). Not part of the documented API: `xmppkit bench sdk` compares 32 with 1.
    @_spi(Benchmarks)
    public func getFriendsList(maxConcurrentFetches: Int) async throws -> SDKResponse<[FriendProfile]> {
        let limit = max(1, maxConcurrentFetches)
        let roster = try await module(RosterModule.self)
        let vCards = try await module(VCardModule.self)
        let items: [RosterItem]
        do { items = try await roster.fetch() } catch { throw SDKError(error) }
        let profiles = await withTaskGroup(of: (Int, UserProfile).self) { group in
            var results = [UserProfile?](repeating: nil, count: items.count)
            var next = 0
            func startNext() {
                guard next < items.count else { return }
                let index = next, jid = items[index].jid.bare
                next += 1
                group.addTask { (index, UserProfile(jid: jid, vCard: (try? await vCards.vCard(of: jid)) ?? VCard())) }
            }
            for _ in 0..<min(limit, items.count) { startNext() }
            while let (index, profile) = await group.next() {
                results[index] = profile
                startNext()
            }
            return results
        }
        let friends = zip(items, profiles).compactMap { item, profile in profile.map { FriendProfile(item: item, profile: $0) } }
            .sorted { $0.userJid < $1.userJid }
        emit(.friendsList(friends))
        return SDKResponse(data: friends)
    }
}
