import XMPPCore
import XMPPXML

/// The `<login xmlns='urn:xmppkit:qr-login:0'/>` request (Specs/qr-login.md §5).
struct QRLoginRequest: Sendable, Hashable {
    /// At most 4,096 bytes of plaintext plus the 16-byte tag (§5).
    static let maximumPayload = 4096 + 16

    var nonce: String
    var sender: String
    /// `E`, 32 bytes.
    var key: [UInt8]
    /// The GCM IV, 12 bytes.
    var iv: [UInt8]
    /// `C ‖ T`.
    var payload: [UInt8]

    init(nonce: String, sender: String, key: [UInt8], iv: [UInt8], payload: [UInt8]) {
        self.nonce = nonce
        self.sender = sender
        self.key = key
        self.iv = iv
        self.payload = payload
    }

    /// Reads a request, refusing anything but the exact §5 shape (check 2, `<malformed/>`).
    init(element: XMLElement) throws(StanzaError) {
        func malformed(_ why: String) -> StanzaError { QRLoginRequest.error(.malformed, why) }
        guard element.name == "login", element.namespace == QRLoginCrypto.namespace else { throw malformed("not <login/>") }
        let names = element.attributes.filter { $0.namespace.isEmpty }.map(\.name).sorted()
        guard names == ["nonce", "sender"], let nonce = element.attribute("nonce"), let sender = element.attribute("sender") else {
            throw malformed("attributes must be exactly nonce and sender")
        }
        guard element.text.allSatisfy(\.isWhitespace) else { throw malformed("text outside the elements") }
        let children = element.elements
        guard children.map(\.name).sorted() == ["iv", "key", "payload"],
              children.allSatisfy({ $0.namespace == QRLoginCrypto.namespace && $0.elements.isEmpty && $0.attributes.isEmpty }) else {
            throw malformed("children must be exactly key, iv and payload")
        }
        func bytes(_ name: String) throws(StanzaError) -> [UInt8] {
            guard let text = element.childText(name, namespace: QRLoginCrypto.namespace), text.utf8.count <= 8192,
                  let bytes = Base64URL.decode(text) else { throw malformed("\(name) is not base64url") }
            return bytes
        }
        let key = try bytes("key"), iv = try bytes("iv"), payload = try bytes("payload")
        guard key.count == 32 else { throw malformed("key is not 32 bytes") }
        guard iv.count == 12 else { throw malformed("iv is not 12 bytes") }
        guard (16...Self.maximumPayload).contains(payload.count) else { throw malformed("payload length") }
        self.init(nonce: nonce, sender: sender, key: key, iv: iv, payload: payload)
    }

    var element: XMLElement {
        let ns = QRLoginCrypto.namespace
        return XMLElement("login", namespace: ns, attributes: [XMLAttribute("nonce", value: nonce), XMLAttribute("sender", value: sender)],
                          children: [.element(XMLElement("key", namespace: ns, text: Base64URL.encode(key))),
                                     .element(XMLElement("iv", namespace: ns, text: Base64URL.encode(iv))),
                                     .element(XMLElement("payload", namespace: ns, text: Base64URL.encode(payload)))])
    }

    /// The application-specific conditions (§8.5) and their RFC 6120 conditions (§8.1).
    enum Reason: String, Sendable, CaseIterable {
        case wrongSender = "wrong-sender", malformed, unknownNonce = "unknown-nonce", replayed, expired
        case decryptionFailed = "decryption-failed", wrongDomain = "wrong-domain", tokenExpired = "token-expired"

        var condition: StanzaError.Condition {
            switch self {
            case .wrongSender: .forbidden
            case .malformed: .badRequest
            case .unknownNonce: .itemNotFound
            case .replayed: .conflict
            case .expired, .decryptionFailed, .wrongDomain: .notAcceptable
            case .tokenExpired: .notAuthorized
            }
        }

        var type: StanzaError.ErrorType {
            switch self {
            case .wrongSender, .tokenExpired: .auth
            case .malformed, .decryptionFailed: .modify
            case .unknownNonce, .replayed, .expired, .wrongDomain: .cancel
            }
        }

        /// The listener's status code (§8.1 table).
        var statusCode: Int {
            switch self {
            case .wrongSender: 403
            case .malformed, .decryptionFailed, .wrongDomain: 400
            case .unknownNonce: 404
            case .replayed: 409
            case .expired, .tokenExpired: 401
            }
        }
    }

    static func error(_ reason: Reason, _ text: String? = nil) -> StanzaError {
        StanzaError(reason.condition, type: reason.type, text: text,
                    applicationCondition: XMLElement(reason.rawValue, namespace: QRLoginCrypto.namespace))
    }
}
