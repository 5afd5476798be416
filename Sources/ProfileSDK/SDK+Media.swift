import Foundation
import XMPPCore
import XMPPExtensions

/// A profile image file read and checked for `setUserProfile` (before any network traffic).
struct CheckedImageFile: Sendable {
    var bytes: [UInt8]
    var filename: String
    var image: ProfileImageFile
}

extension SDK {
    /// Turns media encryption on or off for later uploads (XEP-0454 §3): an image file given to
    /// `setUserProfile` is then encrypted with AES-256-GCM (fresh 32-byte key, 12-byte IV, tag
    /// appended) and shared as an `aesgcm://` link (`aesgcm+http://` for a plain-http upload
    /// service, Fixtures/xep/0454/README.md). A local setting: needs only `initialize`.
    @discardableResult
    public func setMediaEncryption(enabled: Bool) async throws -> SDKResponse<NoData> {
        _ = try requireConfiguration()
        mediaEncryption = enabled
        return SDKResponse()
    }

    /// Reads and checks an image file: readable, ≤ `limit` bytes (``SDKConfiguration/maxImageBytes``),
    /// PNG/JPEG/GIF/WebP by content, ≤ 8192 px per side, decodable by libgd; makes its thumbnail.
    /// 400 naming `image` otherwise.
    static func checkedImageFile(_ path: String, limit: Int) throws(SDKError) -> CheckedImageFile {
        guard !path.isEmpty else { throw .invalid("image", "no file given") }
        // A regular file only (symbolic links followed): a FIFO or device could block or never end.
        var status = stat()
        guard stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            throw .invalid("image", "cannot read \(path): not a regular file")
        }
        let bytes: [UInt8]
        do {
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            // One byte more than the limit tells an oversized file without reading all of it.
            bytes = Array(try handle.read(upToCount: min(limit, Int.max - 1) + 1) ?? Data())
        } catch {
            throw .invalid("image", "cannot read \(path)")
        }
        do {
            let image = try ProfileImageFile(bytes: bytes, maximumBytes: limit)
            let name = String(path.split(separator: "/").last ?? "image")
            return CheckedImageFile(bytes: bytes, filename: name.isEmpty ? "image" : name, image: image)
        } catch {
            throw .invalid("image", error.description)
        }
    }

    /// Fetches an http(s) profile image once to make its thumbnail (Specs/sdk/profile.json
    /// `setUserProfile` `image`): at most ``SDKConfiguration/maxImageBytes``, at most 5 redirects (never from
    /// https to http), 15 s; then the same checks as a file (content, bytes, pixels, decoding).
    /// 400 naming `image` for what the checks refuse; 404 `Image Not Found` for HTTP 404 or 410;
    /// 500 `Internal Error: <reason>` when it cannot be fetched.
    func fetchProfileImage(_ url: String) async throws(SDKError) -> ProfileImageFile {
        let configuration = try requireConfiguration()
        let target: HTTPURL
        do { target = try HTTPURL(url) } catch { throw .invalid("image", "not an http(s) URL: \(error)") }
        let limit = configuration.maxImageBytes
        var http = HTTPClient.Configuration()
        http.redirectLimit = 5
        http.connectTimeout = .seconds(10)
        http.idleTimeout = .seconds(15)
        http.requestTimeout = .seconds(15)
        // The user chose the URL: plain http is allowed as for any image link (the vCard stores it anyway).
        http.plainHTTP = .allowed
        http.maximumResponseBodyBytes = limit
        if let caFile = configuration.caFile { http.trust = .certificateAuthorities(file: caFile) }
        let body: [UInt8]
        do {
            body = try await HTTPClient(configuration: http).get(target, maximumBodyBytes: limit).body
        } catch let error as HTTPClientError {
            if error.kind == .status, error.statusCode == 404 || error.statusCode == 410 {
                throw SDKError(statusCode: 404, message: "Image Not Found", condition: error.statusCode.map { "HTTP \($0)" }, parameter: "image")
            }
            if error.kind == .bodyTooLarge { throw .invalid("image", "more than the limit of \(limit) bytes") }
            throw SDKError(statusCode: 500, message: "Internal Error: image URL: \(error)")
        } catch {
            throw SDKError(statusCode: 500, message: "Internal Error: image URL: \(error)")
        }
        do {
            return try ProfileImageFile(bytes: body, maximumBytes: limit)
        } catch {
            throw .invalid("image", "\(error.description) (fetched from the URL)")
        }
    }

    /// Uploads the checked file with HTTP file upload (XEP-0363 §4–§6), encrypted when media
    /// encryption is on, and returns the URL to store. The service's max-file-size refusing it is
    /// 400; no service, or a refused slot, 403; a failed PUT or quota, 500.
    func uploadProfileImage(_ file: CheckedImageFile) async throws(SDKError) -> String {
        let upload = try await module(HTTPUploadModule.self)
        do {
            return try await upload.upload(file.bytes, filename: file.filename, contentType: file.image.format.mimeType,
                                           encrypted: mediaEncryption)
        } catch let error as HTTPUploadError {
            switch error {
            case .serviceNotFound:
                throw SDKError.notSupported("HTTP file upload (XEP-0363)")
            case .fileTooLarge:
                throw SDKError.invalid("image", error.description)
            case .notAllowed(let stanzaError), .slotRefused(let stanzaError):
                throw SDKError(statusCode: 403, message: "Feature Not Available: HTTP file upload (XEP-0363)",
                               condition: stanzaError.condition.rawValue)
            case .quotaReached(_, let stanzaError):
                throw SDKError(statusCode: 500, message: "Internal Error: \(error)", condition: stanzaError.condition.rawValue)
            default:
                throw SDKError(statusCode: 500, message: "Internal Error: \(error)")
            }
        } catch {
            throw SDKError(error)
        }
    }
}
