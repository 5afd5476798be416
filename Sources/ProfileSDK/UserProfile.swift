import XMPPCore
import XMPPExtensions

/// `getUserProfile`'s data: a user's vcard-temp (XEP-0054) read into the documented fields.
public struct UserProfile: Sendable, Encodable, Hashable {
    public var userJid: String
    public var userId: String
    public var nickName: String
    public var email: String
    public var mobileNumber: String
    public var status: String
    /// The full image's URL as `setUserProfile` stored it; "" when none.
    public var image: String
    /// A `data:` URI of the vCard PHOTO; "" when none.
    public var thumbImage: String
    /// Always false: XMPP shows a client no server-side ban.
    public var isAdminBlocked: Bool
    public var fromUser: String

    init(jid: JID, vCard: VCard) {
        userJid = jid.bare.description
        userId = jid.localpart ?? ""
        nickName = vCard.nickname ?? ""
        email = vCard.emails.first?.address ?? ""
        // Prosody's vcard_legacy drops TEL type flags: fall back to the first number.
        mobileNumber = (vCard.telephones.first { $0.flags.contains(.cell) } ?? vCard.telephones.first)?.number ?? ""
        // Prosody hands DESC back as NOTE.
        status = vCard.desc ?? vCard.note ?? ""
        image = vCard.url ?? ""
        thumbImage = vCard.photo.flatMap(Self.dataURI) ?? ""
        isAdminBlocked = false
        fromUser = userJid
    }

    private static func dataURI(_ photo: VCardPhoto) -> String? {
        guard let bytes = photo.data, !bytes.isEmpty else { return nil }
        return "data:\(photo.type ?? "image/png");base64,\(Base64.encode(bytes))"
    }
}

/// One entry of `getFriendsList`: a roster contact with its profile.
public struct FriendProfile: Sendable, Encodable, Hashable {
    public var userJid: String
    public var userId: String
    /// The roster name (RFC 6121 §2.1.2.4), else the nickname, else the user id.
    public var name: String
    public var nickName: String
    public var email: String
    public var status: String
    public var image: String
    public var thumbImage: String
    public var mobileNumber: String
    public var isAdminBlocked: Bool

    init(item: RosterItem, profile: UserProfile) {
        userJid = profile.userJid
        userId = profile.userId
        name = item.name.flatMap { $0.isEmpty ? nil : $0 } ?? (profile.nickName.isEmpty ? profile.userId : profile.nickName)
        nickName = profile.nickName
        email = profile.email
        status = profile.status
        image = profile.image
        thumbImage = profile.thumbImage
        mobileNumber = profile.mobileNumber
        isAdminBlocked = false
    }
}

/// `setUserProfile`'s image: none, the URL of an image already online (http or https, or an
/// `aesgcm://` link as `getUserProfile` returns it), or an image file to upload.
public enum ProfileImage: Sendable, Hashable {
    case none
    case url(String)
    /// A PNG, JPEG, GIF or WebP file (by content), uploaded with HTTP file upload (XEP-0363).
    case file(String)
}
