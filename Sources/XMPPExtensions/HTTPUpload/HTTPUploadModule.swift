import NIOCore
import NIOPosix
import XMPPClient
import XMPPCore
import XMPPXML

/// HTTP file upload (XEP-0363), with optional end-to-end encryption of the file as XEP-0454
/// shares it: finds the server's upload service, asks it for a slot, PUTs the file, and returns
/// the URL to share; downloads (and decrypts) such URLs.
///
/// ```swift
/// let upload = await client.register(HTTPUploadModule())
/// let link = try await upload.upload(photo, filename: "me.jpg", contentType: "image/jpeg", encrypted: true)
/// let bytes = try await upload.download(link)   // the original photo, or an error; never garbage
/// ```
///
/// **Encrypted uploads** (XEP-0454 §3): the file is encrypted with a fresh AES-256-GCM key and
/// 12-byte IV, the 16-byte tag appended, and the slot requested for that size (§6) with content
/// type `application/octet-stream`. The link returned is `aesgcm://…#iv+key` when the service's
/// GET URL is https. XEP-0454 §3 forbids that form for plain http, and a reader maps `aesgcm://`
/// to https, so for a service that serves plain `http://` (the loopback test servers) the link is
/// `aesgcm+http://…#iv+key`, XMPPKit's own scheme: it round-trips through ``download(_:maximumBytes:)``
/// over the scheme the service really speaks, and other clients reject it rather than guess
/// (see ``AESGCMURL``). Downloading verifies the tag before anything is returned: a changed,
/// cut, or wrongly keyed file throws ``MediaEncryptionError``.
///
/// **Plain HTTP.** XEP-0363 §4 says the service MUST offer TLS. The ``HTTPClient`` this module
/// uses refuses `http://` except to this machine unless its configuration says otherwise
/// (``HTTPClient/PlainHTTPPolicy``).
///
/// The module advertises nothing and consumes no stanzas: uploading is something a client asks for.
public actor HTTPUploadModule: XMPPModule, ServerFeatureDetecting {
    public nonisolated let features: [String] = []
    public nonisolated let routes: [StanzaRoute] = []

    /// The HTTP client the PUTs and GETs go through.
    public nonisolated let httpClient: HTTPClient
    private var context = ModuleContext.unattached
    private var cachedService: UploadService?

    public init(httpClient: HTTPClient = HTTPClient()) {
        self.httpClient = httpClient
    }

    public func attach(_ context: ModuleContext) async {
        self.context = context
    }

    public func sessionStarted(resumed: Bool) async {
        if !resumed { cachedService = nil }
    }

    // MARK: Discovery (§3)

    /// The upload service (XEP-0363 §3): the server itself or the first item it lists that
    /// offers `urn:xmpp:http:upload:0`, with its `max-file-size`; nil when there is none. Cached
    /// for the session.
    /// - Throws: ``XMPPClientError`` when not connected; ``StanzaError`` if the server's own
    ///   disco fails.
    public func service(refresh: Bool = false) async throws -> UploadService? {
        if !refresh, let cachedService { return cachedService }
        let found = try await context.discovery().services(offering: UploadRequest.namespace).first
        cachedService = found.map { UploadService(jid: $0.jid, info: $0.info) }
        return cachedService
    }

    /// XEP-0363 §3: the server or one of its items offers `urn:xmpp:http:upload:0`.
    public func isSupportedByServer() async throws -> Bool {
        try await service(refresh: true) != nil
    }

    // MARK: Slots (§4, §5)

    /// Asks the upload service (default: the discovered one) for a slot (§4). Sends the request
    /// whatever the announced `max-file-size`, so the service's own answer is what comes back.
    /// - Throws: ``HTTPUploadError``: `serviceNotFound`, the §5 errors (`fileTooLarge` with the
    ///   service's limit, `quotaReached`, `notAllowed`, `slotRefused`), `invalidSlot`.
    public func requestSlot(filename: String, size: Int, contentType: String? = nil, service: JID? = nil) async throws -> UploadSlot {
        let target: JID
        if let service {
            target = service
        } else {
            guard let found = try await self.service() else { throw HTTPUploadError.serviceNotFound }
            target = found.jid
        }
        let request = UploadRequest(filename: filename, size: size, contentType: contentType)
        let reply: IQ
        do {
            reply = try await context.send(IQ(.get, to: target, payload: request.element))
        } catch let error as StanzaError {
            throw HTTPUploadError(slotError: error, size: size)
        }
        guard let payload = reply.payload else { throw HTTPUploadError.invalidSlot("the reply carries no <slot/>") }
        do {
            return try UploadSlot(element: payload)
        } catch {
            throw HTTPUploadError.invalidSlot(error.text ?? error.description)
        }
    }

    // MARK: Upload

    /// Uploads `data` (§4–§6): checks it against the announced `max-file-size`, requests a
    /// slot, PUTs it with the slot's allowed headers, and returns the URL to share: the slot's
    /// GET URL or, with `encrypted`, the XEP-0454 link (see the type's documentation).
    /// - Throws: ``HTTPUploadError`` (`fileTooLarge` before any request when the service
    ///   announced a smaller limit; the slot errors; `uploadFailed`), ``MediaEncryptionError``.
    public func upload(_ data: [UInt8], filename: String, contentType: String? = nil, encrypted: Bool = false) async throws -> String {
        guard encrypted else {
            let slot = try await prepareSlot(filename: filename, size: data.count, contentType: contentType)
            try await put(.bytes(data), to: slot, contentType: contentType)
            return slot.getURL.description
        }
        // The limit is checked on the encrypted size before anything is encrypted.
        let service = try await checkedService(size: MediaEncryption.encryptedSize(ofPlaintext: data.count))
        let sealed = try MediaEncryption.encrypt(data)
        let slot = try await prepareSlot(filename: filename, size: sealed.ciphertext.count,
                                         contentType: Self.encryptedContentType, service: service)
        try await put(.bytes(sealed.ciphertext), to: slot, contentType: Self.encryptedContentType)
        return try AESGCMURL(transportURL: slot.getURL, iv: sealed.iv, key: sealed.key).absoluteString
    }

    /// Uploads the file at `path` as ``upload(_:filename:contentType:encrypted:)`` does; the
    /// name defaults to the path's last component. Unencrypted, the file is streamed from disk;
    /// encrypted, it is read whole (AES-GCM here seals a buffer).
    /// - Throws: as ``upload(_:filename:contentType:encrypted:)``, and ``HTTPUploadError/unreadableFile(_:)``.
    public func upload(fileAtPath path: String, filename: String? = nil, contentType: String? = nil,
                       encrypted: Bool = false) async throws -> String {
        let name = filename ?? String(path.split(separator: "/").last ?? Substring(path))
        if encrypted {
            return try await upload(Self.readFile(path), filename: name, contentType: contentType, encrypted: true)
        }
        let size = try await Self.fileSize(path)
        let slot = try await prepareSlot(filename: name, size: size, contentType: contentType)
        try await put(.file(atPath: path), to: slot, contentType: contentType)
        return slot.getURL.description
    }

    /// What an encrypted file is declared as: its real type would tell the server what it hides.
    public static let encryptedContentType = "application/octet-stream"

    /// The upload service, once `size` is known to fit its announced `max-file-size` (§3).
    private func checkedService(size: Int) async throws -> UploadService {
        guard let service = try await service() else { throw HTTPUploadError.serviceNotFound }
        if let max = service.maxFileSize, size > max {
            throw HTTPUploadError.fileTooLarge(size: size, maxFileSize: max)
        }
        return service
    }

    private func prepareSlot(filename: String, size: Int, contentType: String?, service: UploadService? = nil) async throws -> UploadSlot {
        let checked: UploadService
        if let service { checked = service } else { checked = try await checkedService(size: size) }
        let slot = try await requestSlot(filename: filename, size: size, contentType: contentType, service: checked.jid)
        // Refuse before uploading anything, rather than upload to a URL nobody may fetch.
        guard httpClient.permits(slot.putURL), httpClient.permits(slot.getURL) else {
            throw HTTPUploadError.invalidSlot("the slot's URLs are plain http, and the service MUST offer TLS (XEP-0363 §4)")
        }
        return slot
    }

    /// §6: the PUT with Content-Length (the slot's size), the Content-Type of the request, and
    /// the slot's allowed headers; any 2xx (the XEP names 201) is success.
    private func put(_ body: HTTPRequestBody, to slot: UploadSlot, contentType: String?) async throws {
        do {
            _ = try await httpClient.put(slot.putURL, headers: slot.putHeaders, body: body, contentType: contentType)
        } catch let error as HTTPClientError {
            throw HTTPUploadError.uploadFailed(error)
        }
    }

    // MARK: Download

    /// Downloads `url`: an `http(s)://` URL as is, an `aesgcm://` (or `aesgcm+http://`) link
    /// fetched from its transport URL and decrypted after its tag verifies (XEP-0454 §3).
    /// Refuses a body larger than `maximumBytes` (default: the HTTP client's
    /// ``HTTPClient/Configuration/maximumResponseBodyBytes``; for an encrypted file 16 bytes are
    /// added for the tag).
    /// - Throws: ``HTTPUploadError/invalidURL(_:)``, ``HTTPUploadError/downloadFailed(_:)``,
    ///   ``MediaEncryptionError`` (`authenticationFailed` for a changed file or wrong key,
    ///   `truncated` for one shorter than its tag).
    public nonisolated func download(_ url: String, maximumBytes: Int? = nil) async throws -> [UInt8] {
        let limit = maximumBytes ?? httpClient.configuration.maximumResponseBodyBytes
        if AESGCMURL.hasAESGCMScheme(url) {
            let link = try AESGCMURL(url)
            let ciphertext = try await fetch(link.transportURL, limit: MediaEncryption.encryptedSize(ofPlaintext: limit))
            return try MediaEncryption.decrypt(ciphertext, key: link.key, iv: link.iv)
        }
        let target: HTTPURL
        do { target = try HTTPURL(url) } catch {
            throw HTTPUploadError.invalidURL(error.description)
        }
        return try await fetch(target, limit: limit)
    }

    private nonisolated func fetch(_ url: HTTPURL, limit: Int) async throws -> [UInt8] {
        do {
            return try await httpClient.get(url.withoutFragment, maximumBodyBytes: limit).body
        } catch let error as HTTPClientError {
            throw HTTPUploadError.downloadFailed(error)
        }
    }

    // MARK: Files

    private static func fileSize(_ path: String) async throws -> Int {
        do {
            return try await NonBlockingFileIO(threadPool: .singleton).withFileRegion(_deprecatedPath: path) { $0.readableBytes }
        } catch {
            throw HTTPUploadError.unreadableFile("\(path): \(error)")
        }
    }

    private static func readFile(_ path: String) async throws -> [UInt8] {
        do {
            let fileIO = NonBlockingFileIO(threadPool: .singleton)
            return try await fileIO.withFileRegion(_deprecatedPath: path) { region in
                Array(try await fileIO.read(fileRegion: region, allocator: ByteBufferAllocator()).readableBytesView)
            }
        } catch {
            throw HTTPUploadError.unreadableFile("\(path): \(error)")
        }
    }
}
