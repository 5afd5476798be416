import XMPPXML

/// The `<x xmlns='vcard-temp:x:update'/>` element a XEP-0153 client puts in its presence (§3.1, §4.1).
public struct VCardUpdate: Sendable, Hashable {
    public static let namespace = "vcard-temp:x:update"

    /// What the element says about the sender's avatar.
    public enum Photo: Sendable, Hashable {
        /// An empty `<x/>`: the sender supports the protocol but is not ready to advertise an
        /// image (§4.1 rule 2), e.g. before it has read its vCard.
        case notReady
        /// An empty `<photo/>`: the sender has no avatar (§4.1 rule 3).
        case noAvatar
        /// The SHA-1 of the avatar image, lowercase hex (§3.1).
        case hash(String)

        /// The hash, when there is one.
        public var hash: String? {
            if case .hash(let hash) = self { return hash }
            return nil
        }
    }

    public var photo: Photo

    public init(photo: Photo) {
        self.photo = photo
    }

    /// Reads the element; nil when it is not one, or its `<photo/>` holds something other than a
    /// SHA-1 hash (upper- or lower-case, surrounding whitespace allowed).
    public init?(element: XMLElement) {
        guard element.name == "x", element.namespace == Self.namespace else { return nil }
        guard let photo = element.child("photo", namespace: Self.namespace) else {
            self.init(photo: .notReady)
            return
        }
        // §3.1: the photo holds hex digits as text, nothing else.
        guard photo.elements.isEmpty else { return nil }
        let text = trimmed(photo.text)
        if text.isEmpty {
            self.init(photo: .noAvatar)
        } else if let hash = AvatarHash.normalized(text) {
            self.init(photo: .hash(hash))
        } else {
            return nil
        }
    }

    public var element: XMLElement {
        var element = XMLElement("x", namespace: Self.namespace)
        switch photo {
        case .notReady: break
        case .noAvatar: element.append(XMLElement("photo", namespace: Self.namespace))
        case .hash(let hash): element.append(XMLElement("photo", namespace: Self.namespace, text: hash))
        }
        return element
    }
}
