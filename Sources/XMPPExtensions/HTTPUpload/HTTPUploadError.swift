import XMPPCore
import XMPPXML

/// Why an HTTP upload (XEP-0363) failed. The slot errors are those of §5; HTTP failures carry
/// the ``HTTPClientError``; decryption failures are ``MediaEncryptionError``s, thrown as they are.
public enum HTTPUploadError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Neither the server nor any item it lists offers `urn:xmpp:http:upload:0` (§3).
    case serviceNotFound
    /// The file is larger than the service takes (§5, `<file-too-large/>` with
    /// `<max-file-size/>`; or known beforehand from §3's disco form). `maxFileSize` is the
    /// service's limit in bytes when it said.
    case fileTooLarge(size: Int, maxFileSize: Int?)
    /// A temporary refusal such as a quota (§5, type `wait`); `retryAfter` is the `<retry/>`
    /// stamp (XEP-0082 date-time, UTC) when given.
    case quotaReached(retryAfter: String?, StanzaError)
    /// This account may not upload (§5, `not-allowed`; `forbidden` is read the same way).
    case notAllowed(StanzaError)
    /// Any other error reply to the slot request.
    case slotRefused(StanzaError)
    /// The slot reply cannot be used (no URLs, a URL that is not http(s), or plain http the
    /// client's policy refuses).
    case invalidSlot(String)
    /// The PUT failed; the upload service's answer or the network failure is in the error.
    case uploadFailed(HTTPClientError)
    /// The GET failed.
    case downloadFailed(HTTPClientError)
    /// A URL to download that is neither http(s) nor aesgcm.
    case invalidURL(String)
    /// The local file could not be read.
    case unreadableFile(String)

    /// Reads an error reply to a slot request (§5).
    public init(slotError error: StanzaError, size: Int) {
        let namespace = UploadRequest.namespace
        if let application = error.applicationCondition, application.namespace == namespace {
            switch application.name {
            case "file-too-large":
                let max = application.childText("max-file-size", namespace: namespace).flatMap(UploadRequest.parseSize)
                self = .fileTooLarge(size: size, maxFileSize: max)
                return
            case "retry":
                self = .quotaReached(retryAfter: application.attribute("stamp"), error)
                return
            default:
                break
            }
        }
        switch (error.condition, error.type) {
        case (.notAllowed, _), (.forbidden, _): self = .notAllowed(error)
        case (_, .wait): self = .quotaReached(retryAfter: nil, error)
        default: self = .slotRefused(error)
        }
    }

    public var description: String {
        switch self {
        case .serviceNotFound: "the server offers no HTTP upload service (XEP-0363 §3)"
        case .fileTooLarge(let size, let max):
            "the file (\(size) bytes) is larger than the upload service takes" + (max.map { " (\($0) bytes)" } ?? "")
        case .quotaReached(let retry, let error): "the upload service refused for now: \(error)" + (retry.map { "; retry after \($0)" } ?? "")
        case .notAllowed(let error): "this account may not upload: \(error)"
        case .slotRefused(let error): "the upload service refused the slot: \(error)"
        case .invalidSlot(let reason): "the upload slot cannot be used: \(reason)"
        case .uploadFailed(let error): "the upload failed: \(error)"
        case .downloadFailed(let error): "the download failed: \(error)"
        case .invalidURL(let reason): "cannot download: \(reason)"
        case .unreadableFile(let reason): "cannot read the file: \(reason)"
        }
    }
}
