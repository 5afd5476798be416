import Foundation
import Testing
import XMPPClient
import XMPPCore
import XMPPXML
@testable import XMPPExtensions

@Suite("XEP-0363 stanzas")
struct HTTPUploadStanzaTests {
    @Test("§4 Example 5: the slot request is read and written back the same")
    func request() throws {
        let iq = try IQ(element: XEPExample.stanza("0363/slot-request.xml"))
        let request = try UploadRequest(element: try #require(iq.payload))
        #expect(request == UploadRequest(filename: "my-juliet.jpg", size: 23456, contentType: "image/jpeg"))
        #expect(request.element == iq.payload)
    }

    @Test("§4 Example 6: the slot's URLs are read; Authorization is kept, Host is dropped")
    func slot() throws {
        let iq = try IQ(element: XEPExample.stanza("0363/slot.xml"))
        let slot = try UploadSlot(element: try #require(iq.payload))
        #expect(slot.putURL == (try HTTPURL("https://upload.montague.tld/4a771ac1-f0b2-4a4a-9700-f2a26fa2bb67/my-juliet.jpg")))
        #expect(slot.getURL == (try HTTPURL("https://download.montague.tld/4a771ac1-f0b2-4a4a-9700-f2a26fa2bb67/my-juliet.jpg")))
        #expect(slot.putHeaders == [HTTPHeaderField(name: "Authorization", value: "Basic Base64String==")])
        #expect(slot.droppedHeaderCount == 1)
        let reread = try UploadSlot(element: slot.element)
        #expect(reread.putURL == slot.putURL && reread.getURL == slot.getURL && reread.putHeaders == slot.putHeaders)
    }

    @Test("Header names compare case-insensitively, repeats keep their order, newlines are removed (§4, §8)")
    func headerRules() throws {
        let xml = """
            <slot xmlns='urn:xmpp:http:upload:0'>
              <put url='https://u.example/x'>
                <header name='cookie'>a=1</header>
                <header name='EXPIRES'>Tue, 01 Jan 2030 00:00:00 GMT</header>
                <header name='Cookie'>b=2&#13;&#10;X-Injected: yes</header>
                <header name='Content-Length'>1</header>
                <header name='X-Anything'>v</header>
                <header>no name</header>
              </put>
              <get url='https://u.example/x'/>
            </slot>
            """
        let slot = try UploadSlot(element: XEPExample.parse(xml)[0])
        #expect(slot.putHeaders.map(\.name) == ["cookie", "EXPIRES", "Cookie"])
        #expect(slot.putHeaders[2].value == "b=2X-Injected: yes")
        #expect(slot.putHeaders.allSatisfy { $0.isValid })
        #expect(slot.droppedHeaderCount == 3)
    }

    @Test("A slot with thousands of headers keeps only the allowed ones and stays usable")
    func manyHeaders() throws {
        var xml = "<slot xmlns='urn:xmpp:http:upload:0'><put url='https://u.example/x'>"
        for index in 0..<5000 { xml += "<header name='X-\(index)'>v</header><header name='Cookie'>c\(index)=1</header>" }
        xml += "</put><get url='https://u.example/x'/></slot>"
        let slot = try UploadSlot(element: XEPExample.parse(xml)[0])
        #expect(slot.droppedHeaderCount == 5000)
        #expect(slot.putHeaders.count == 5000)
        #expect(slot.putHeaders.last?.value == "c4999=1")
    }

    @Test("§3 Example 4: max-file-size is read from the service's extended form")
    func serviceLimit() throws {
        let iq = try IQ(element: XEPExample.stanza("0363/disco-info-max-file-size.xml"))
        let info = try DiscoInfo(element: try #require(iq.payload))
        let service = UploadService(jid: try JID("upload.montague.tld"), info: info)
        #expect(service.maxFileSize == 5_242_880)
        #expect(info.features.contains(UploadRequest.namespace))
    }

    @Test("§5 Example 7: file-too-large carries the service's maximum")
    func fileTooLarge() throws {
        let error = try #require(try IQ(element: XEPExample.stanza("0363/error-file-too-large.xml")).error)
        #expect(HTTPUploadError(slotError: error, size: 23456) == .fileTooLarge(size: 23456, maxFileSize: 20000))
    }

    @Test("§5 Example 8: a quota error with its retry stamp")
    func quota() throws {
        let error = try #require(try IQ(element: XEPExample.stanza("0363/error-quota-retry.xml")).error)
        guard case .quotaReached(let stamp, let stanzaError) = HTTPUploadError(slotError: error, size: 1) else {
            Issue.record("not quotaReached")
            return
        }
        #expect(stamp == "2017-12-03T23:42:05Z")
        #expect(stanzaError.condition == .resourceConstraint)
    }

    @Test("§5 Example 9: not-allowed")
    func notAllowed() throws {
        let error = try #require(try IQ(element: XEPExample.stanza("0363/error-not-allowed.xml")).error)
        guard case .notAllowed(let stanzaError) = HTTPUploadError(slotError: error, size: 1) else {
            Issue.record("not notAllowed")
            return
        }
        #expect(stanzaError.text == "Only premium members are allowed to upload files")
    }

    @Test("Malformed requests and slots are bad-request", arguments: [
        "<request xmlns='urn:xmpp:http:upload:0' size='1'/>",
        "<request xmlns='urn:xmpp:http:upload:0' filename='a' size='-1'/>",
        "<request xmlns='urn:xmpp:http:upload:0' filename='a' size='99999999999999999999999'/>",
        "<request xmlns='urn:xmpp:http:upload'><filename>a</filename><size>1</size></request>",
        "<slot xmlns='urn:xmpp:http:upload:0'><put url='https://a/x'/></slot>",
        "<slot xmlns='urn:xmpp:http:upload:0'><put/><get url='https://a/x'/></slot>",
        "<slot xmlns='urn:xmpp:http:upload:0'><put url='ftp://a/x'/><get url='https://a/x'/></slot>",
        "<slot xmlns='urn:xmpp:http:upload:0'><put url='javascript:alert(1)'/><get url='https://a/x'/></slot>",
        "<slot xmlns='urn:xmpp:http:upload:0'><put url='https://a/x y'/><get url='https://a/x'/></slot>",
        "<slot xmlns='urn:xmpp:http:upload:0'><put url='https://a/\(String(repeating: "x", count: 10_000))'/><get url='https://a/x'/></slot>",
    ])
    func malformed(xml: String) throws {
        let element = try XEPExample.parse(xml)[0]
        #expect(throws: StanzaError.self) {
            if element.name == "request" { _ = try UploadRequest(element: element) } else { _ = try UploadSlot(element: element) }
        }
    }

    @Test("An unusable max-file-size reads as none, and an unusable file-too-large maximum as unknown")
    func hostileLimits() throws {
        for value in ["-5", "abc", "", "99999999999999999999999", "1e9"] {
            let form = DataForm(kind: .result, fields: [
                DataFormField(variable: "FORM_TYPE", type: .hidden, values: [UploadRequest.namespace]),
                DataFormField(variable: "max-file-size", values: [value]),
            ])
            let info = DiscoInfo(features: [UploadRequest.namespace], forms: [form])
            #expect(UploadService(jid: try JID("upload.example"), info: info).maxFileSize == nil)
        }
        var tooLarge = XMLElement("file-too-large", namespace: UploadRequest.namespace)
        tooLarge.append(XMLElement("max-file-size", namespace: UploadRequest.namespace, text: "lots"))
        let error = StanzaError(.notAcceptable, applicationCondition: tooLarge)
        #expect(HTTPUploadError(slotError: error, size: 9) == .fileTooLarge(size: 9, maxFileSize: nil))
    }
}

/// The upload service of XEP-0363 §3's examples, as a scripted server: disco, slots, and errors.
private struct MontagueServer {
    static let server = "montague.tld"
    static let upload = "upload.montague.tld"

    /// `slot` answers a slot request (default: an error); everything else is the §3 examples.
    static func responder(offersUpload: Bool = true,
                          slot: @escaping @Sendable (UploadRequest) throws -> UploadSlot = { _ in throw StanzaError(.notAllowed) })
        -> ScriptedModuleHost.Responder {
        { request in
            guard let payload = request.payload else { return request.makeError(StanzaError(.badRequest)) }
            let to = request.to?.description ?? ""
            switch (payload.name, payload.namespace, to) {
            case ("query", DiscoInfo.namespace, server):
                return request.makeResult(payload: DiscoInfo(identities: [DiscoIdentity(category: "server", type: "im")],
                                                             features: [DiscoInfo.namespace]).element)
            case ("query", DiscoItem.namespace, server):
                guard offersUpload else { return request.makeResult(payload: XMLElement("query", namespace: DiscoItem.namespace)) }
                return request.makeResult(payload: try IQ(element: XEPExample.stanza("0363/disco-items.xml")).payload)
            case ("query", DiscoInfo.namespace, upload):
                return request.makeResult(payload: try IQ(element: XEPExample.stanza("0363/disco-info-max-file-size.xml")).payload)
            case ("request", UploadRequest.namespace, upload):
                do {
                    return request.makeResult(payload: try slot(try UploadRequest(element: payload)).element)
                } catch let error as StanzaError {
                    return request.makeError(error)
                }
            default:
                return request.makeError(StanzaError(.itemNotFound))
            }
        }
    }
}

@Suite("HTTP upload module (XEP-0363) with XEP-0454 encryption")
struct HTTPUploadModuleTests {
    private func host(_ responder: @escaping ScriptedModuleHost.Responder) throws -> ScriptedModuleHost {
        try ScriptedModuleHost(jid: "romeo@montague.tld/garden", responder: responder)
    }

    @Test("§3: the service is found among the server's items, with its max-file-size")
    func discovery() async throws {
        let host = try host(MontagueServer.responder())
        let module = await host.start(HTTPUploadModule())
        #expect(try await module.isSupportedByServer())
        let service = try #require(try await module.service())
        #expect(service.jid == (try JID(MontagueServer.upload)))
        #expect(service.maxFileSize == 5_242_880)
    }

    @Test("A server without an upload service: not supported, and upload says so")
    func noService() async throws {
        let host = try host(MontagueServer.responder(offersUpload: false))
        let module = await host.start(HTTPUploadModule())
        #expect(try await !module.isSupportedByServer())
        await #expect(throws: HTTPUploadError.serviceNotFound) {
            _ = try await module.upload([1, 2, 3], filename: "a.bin")
        }
    }

    @Test("§4: the slot request goes to the service as Example 5 shows; §5 errors come back typed")
    func slotRequest() async throws {
        let host = try host(MontagueServer.responder { _ in
            throw StanzaError(.notAcceptable, type: .modify, applicationCondition: {
                var element = XMLElement("file-too-large", namespace: UploadRequest.namespace)
                element.append(XMLElement("max-file-size", namespace: UploadRequest.namespace, text: "20000"))
                return element
            }())
        })
        let module = await host.start(HTTPUploadModule())
        await #expect(throws: HTTPUploadError.fileTooLarge(size: 23456, maxFileSize: 20000)) {
            _ = try await module.requestSlot(filename: "my-juliet.jpg", size: 23456, contentType: "image/jpeg")
        }
        let sent = try #require(await host.sentRequests.last)
        #expect(sent.kind == .get)
        #expect(sent.to == (try JID(MontagueServer.upload)))
        let expected = try IQ(element: XEPExample.stanza("0363/slot-request.xml"))
        #expect(sent.payload == expected.payload)
    }

    @Test("A file over the announced max-file-size is refused before any slot is asked for")
    func localLimit() async throws {
        let host = try host(MontagueServer.responder())
        let module = await host.start(HTTPUploadModule())
        await #expect(throws: HTTPUploadError.fileTooLarge(size: 5_242_881, maxFileSize: 5_242_880)) {
            _ = try await module.upload([UInt8](repeating: 0, count: 5_242_881), filename: "big.bin")
        }
        // Encrypted, the tag counts (XEP-0454 §6): 16 bytes less already does not fit.
        await #expect(throws: HTTPUploadError.fileTooLarge(size: 5_242_881, maxFileSize: 5_242_880)) {
            _ = try await module.upload([UInt8](repeating: 0, count: 5_242_865), filename: "big.bin", encrypted: true)
        }
        #expect(await host.sentRequests.allSatisfy { $0.payload?.name != "request" })
    }

    @Test("A plain-http slot to another machine is refused before anything is uploaded")
    func remotePlainHTTPSlot() async throws {
        let host = try host(MontagueServer.responder { _ in
            UploadSlot(putURL: try HTTPURL("http://upload.montague.tld/x"), getURL: try HTTPURL("http://upload.montague.tld/x"))
        })
        let module = await host.start(HTTPUploadModule())
        do {
            _ = try await module.upload([1], filename: "x")
            Issue.record("uploaded")
        } catch HTTPUploadError.invalidSlot(let reason) {
            #expect(reason.contains("TLS"))
        }
    }

    /// A slot on the in-test HTTP server; the server stores PUTs and serves them back by path.
    private func storingServer() async throws -> (TestHTTPServer, FileStore) {
        let store = FileStore()
        let server = try await TestHTTPServer.start { request in
            switch request.method {
            case "PUT":
                store.put(request.uri, request.body)
                return .respond(status: 201)
            case "GET":
                guard let body = store.get(request.uri) else { return .respond(status: 404) }
                return .respond(status: 200, body: body)
            default:
                return .respond(status: 405)
            }
        }
        return (server, store)
    }

    private func slotResponder(_ server: TestHTTPServer) -> ScriptedModuleHost.Responder {
        MontagueServer.responder { request in
            let path = "/share/\(StanzaID.make())/\(request.filename)"
            return UploadSlot(putURL: try HTTPURL(server.url(path)), putHeaders: [
                HTTPHeaderField(name: "Authorization", value: "Bearer t0ken"),
                HTTPHeaderField(name: "Cookie", value: "a=1"),
                HTTPHeaderField(name: "Cookie", value: "b=2"),
            ], getURL: try HTTPURL(server.url(path)))
        }
    }

    @Test("upload PUTs with Content-Length, the request's Content-Type and the slot's headers; download returns the bytes")
    func uploadAndDownload() async throws {
        let (server, _) = try await storingServer()
        let host = try host(slotResponder(server))
        let module = await host.start(HTTPUploadModule())
        let data = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        let url = try await module.upload(data, filename: "photo.jpg", contentType: "image/jpeg")
        #expect(url.hasPrefix(server.url("/share/")))
        let put = try #require(server.requests.first)
        #expect(put.method == "PUT")
        #expect(put.header("Content-Length") == "100000")
        #expect(put.header("Content-Type") == "image/jpeg")
        #expect(put.header("Authorization") == "Bearer t0ken")
        #expect(put.headers(named: "Cookie") == ["a=1", "b=2"])
        let slotRequest = try UploadRequest(element: try #require(await host.sentRequests.last?.payload))
        #expect(slotRequest == UploadRequest(filename: "photo.jpg", size: 100_000, contentType: "image/jpeg"))
        #expect(try await module.download(url) == data)
        await server.stop()
    }

    @Test("Encrypted: the service gets ciphertext and tag under octet-stream; the aesgcm+http link downloads to the original")
    func encryptedRoundTrip() async throws {
        let (server, store) = try await storingServer()
        let host = try host(slotResponder(server))
        let module = await host.start(HTTPUploadModule())
        let data = Array("a private picture, honest".utf8) + [UInt8](repeating: 0xEE, count: 50_000)
        let link = try await module.upload(data, filename: "private.jpg", contentType: "image/jpeg", encrypted: true)
        #expect(link.hasPrefix("aesgcm+http://127.0.0.1:\(server.port)/share/"))
        let parsed = try AESGCMURL(link)
        #expect(parsed.iv.count == 12 && parsed.key.count == 32)
        let put = try #require(server.requests.first)
        #expect(put.header("Content-Type") == HTTPUploadModule.encryptedContentType)
        #expect(put.header("Content-Length") == String(data.count + 16))
        let stored = try #require(store.get(parsed.transportURL.requestTarget))
        #expect(stored.count == data.count + 16)
        #expect(stored.prefix(25) != data.prefix(25))
        #expect(try await module.download(link) == data)

        // Tampered on the server, or fetched with another key: an error, never bytes.
        var tampered = stored
        tampered[100] ^= 0x40
        store.put(parsed.transportURL.requestTarget, tampered)
        await #expect(throws: MediaEncryptionError.authenticationFailed) { _ = try await module.download(link) }
        store.put(parsed.transportURL.requestTarget, stored)
        var otherKey = parsed.key
        otherKey[0] ^= 0xFF
        let wrong = try AESGCMURL(transportURL: parsed.transportURL, iv: parsed.iv, key: otherKey).absoluteString
        await #expect(throws: MediaEncryptionError.authenticationFailed) { _ = try await module.download(wrong) }
        store.put(parsed.transportURL.requestTarget, Array(stored.prefix(10)))
        await #expect(throws: MediaEncryptionError.truncated(byteCount: 10)) { _ = try await module.download(link) }
        await server.stop()
    }

    @Test("A file upload streams from disk; an encrypted one reads it whole")
    func uploadFile() async throws {
        let (server, store) = try await storingServer()
        let host = try host(slotResponder(server))
        let module = await host.start(HTTPUploadModule())
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("xmppkit-upload-\(UUID().uuidString).bin").path
        let data = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 >> 3) }
        try Data(data).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let plain = try await module.upload(fileAtPath: path)
        #expect(plain.hasSuffix(".bin"))
        #expect(try await module.download(plain) == data)
        let encrypted = try await module.upload(fileAtPath: path, filename: "renamed.bin", encrypted: true)
        #expect(try await module.download(encrypted) == data)
        #expect(store.count == 2)
        await #expect(throws: HTTPUploadError.self) { _ = try await module.upload(fileAtPath: path + ".missing") }
        await server.stop()
    }

    @Test("An upload refused by the HTTP server is uploadFailed with its status")
    func putRefused() async throws {
        let server = try await TestHTTPServer.start { _ in .respond(status: 413) }
        let host = try host(slotResponder(server))
        let module = await host.start(HTTPUploadModule())
        do {
            _ = try await module.upload([1, 2, 3], filename: "x")
            Issue.record("uploaded")
        } catch HTTPUploadError.uploadFailed(let error) {
            #expect(error.kind == .status)
            #expect(error.statusCode == 413)
        }
        await server.stop()
    }

    @Test("download refuses a body beyond the limit, and URLs it cannot fetch")
    func downloadLimits() async throws {
        let server = try await TestHTTPServer.start { _ in .respond(status: 200, body: [UInt8](repeating: 1, count: 5000)) }
        let module = HTTPUploadModule()
        do {
            _ = try await module.download(server.url("/f"), maximumBytes: 4999)
            Issue.record("downloaded")
        } catch HTTPUploadError.downloadFailed(let error) {
            #expect(error.kind == .bodyTooLarge)
        }
        #expect(try await module.download(server.url("/f"), maximumBytes: 5000).count == 5000)
        await #expect(throws: HTTPUploadError.self) { _ = try await module.download("file:///etc/passwd") }
        await #expect(throws: MediaEncryptionError.self) { _ = try await module.download("aesgcm://host/f#00") }
        await server.stop()
    }
}

/// What the in-test server stores, by request target.
final class FileStore: @unchecked Sendable {
    private let lock = NSLock()
    private var files: [String: [UInt8]] = [:]

    func put(_ path: String, _ bytes: [UInt8]) {
        lock.lock()
        files[path] = bytes
        lock.unlock()
    }

    func get(_ path: String) -> [UInt8]? {
        lock.lock()
        defer { lock.unlock() }
        return files[path]
    }

    var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return files.count
    }
}
