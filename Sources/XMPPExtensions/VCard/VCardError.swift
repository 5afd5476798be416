/// Why a vcard-temp payload was refused (XEP-0054).
public enum VCardError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The PHOTO's BINVAL decodes to more bytes than ``VCard/Limits/maxPhotoBytes`` allows; it was
    /// refused before decoding (`bytes` is a lower bound: counting stops once the limit is passed).
    case photoTooLarge(bytes: Int, limit: Int)
    /// The PHOTO's BINVAL is not base64 (RFC 4648 §4; whitespace is allowed, XEP-0153 §4.6).
    case photoNotBase64
    /// The payload is not `<vCard xmlns='vcard-temp'/>`.
    case notAVCard(name: String, namespace: String)

    public var description: String {
        switch self {
        case .photoTooLarge(let bytes, let limit): "vCard PHOTO of \(bytes) bytes exceeds the limit of \(limit) bytes"
        case .photoNotBase64: "vCard PHOTO BINVAL is not base64"
        case .notAVCard(let name, let namespace): "expected <vCard xmlns='vcard-temp'/>, got <\(name) xmlns='\(namespace)'/>"
        }
    }
}
