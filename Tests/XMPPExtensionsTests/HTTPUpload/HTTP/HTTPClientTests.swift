import Foundation
import Testing
import XMPPClient
@testable import XMPPExtensions

@Suite("HTTP client against an in-test NIO server")
struct HTTPClientTests {
    /// Short timeouts so the failure cases end quickly; generous enough for a loaded machine.
    private func client(_ change: (inout HTTPClient.Configuration) -> Void = { _ in }) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.idleTimeout = .seconds(10)
        configuration.requestTimeout = .seconds(60)
        change(&configuration)
        return HTTPClient(configuration: configuration)
    }

    @Test("GET returns the body and sends Host, User-Agent and Connection: close")
    func getBody() async throws {
        let server = try await TestHTTPServer.start { _ in .respond(status: 200, body: Array("hello".utf8)) }
        let response = try await client().get(try HTTPURL(server.url("/a/b?c=d#fragment-not-sent")))
        #expect(response.statusCode == 200)
        #expect(response.body == Array("hello".utf8))
        let request = try #require(server.requests.first)
        #expect(request.method == "GET")
        #expect(request.uri == "/a/b?c=d")
        #expect(request.header("Host") == "127.0.0.1:\(server.port)")
        #expect(request.header("User-Agent") == "XMPPKit")
        #expect(request.header("Connection") == "close")
        await server.stop()
    }

    @Test("PUT streams a 5 MB body byte for byte with Content-Length, Content-Type and the given headers")
    func putLargeBody() async throws {
        let server = try await TestHTTPServer.start { _ in .respond(status: 201) }
        let body = (0..<5_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
        let response = try await client().put(try HTTPURL(server.url("/upload/x.bin")),
                                              headers: [HTTPHeaderField(name: "Authorization", value: "Basic abc==")],
                                              body: .bytes(body), contentType: "application/octet-stream")
        #expect(response.statusCode == 201)
        let request = try #require(server.requests.first)
        #expect(request.method == "PUT")
        #expect(request.header("Content-Length") == "5000000")
        #expect(request.header("Content-Type") == "application/octet-stream")
        #expect(request.header("Authorization") == "Basic abc==")
        #expect(request.body == body)
        await server.stop()
    }

    @Test("PUT of a file reads it from disk as it sends")
    func putFile() async throws {
        let server = try await TestHTTPServer.start { _ in .respond(status: 201) }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("xmppkit-upload-\(UUID().uuidString)").path
        let bytes = (0..<300_001).map { UInt8(truncatingIfNeeded: $0 * 7) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = try await client().put(try HTTPURL(server.url("/f")), body: .file(atPath: path))
        let request = try #require(server.requests.first)
        #expect(request.header("Content-Length") == "300001")
        #expect(request.body == bytes)
        await server.stop()
    }

    @Test("A missing file is a bodySource error, and nothing is sent")
    func missingFile() async throws {
        let server = try await TestHTTPServer.start { _ in .respond(status: 201) }
        let error = await #expect(throws: HTTPClientError.self) {
            _ = try await client().put(try HTTPURL(server.url("/f")), body: .file(atPath: "/nonexistent/xmppkit/file"))
        }
        #expect(error?.kind == .bodySource)
        #expect(server.requests.isEmpty)
        await server.stop()
    }

    @Test("Status codes outside 2xx are typed errors carrying the code", arguments: [400, 403, 404, 413, 500, 503])
    func statusErrors(code: Int) async throws {
        let server = try await TestHTTPServer.start { _ in .respond(status: code, body: Array("no\r\nway".utf8)) }
        let error = await #expect(throws: HTTPClientError.self) {
            _ = try await client().put(try HTTPURL(server.url("/x")), body: .bytes([1, 2, 3]))
        }
        #expect(error?.kind == .status)
        #expect(error?.statusCode == code)
        #expect(error?.detail.contains("\r") == false)
        await server.stop()
    }

    @Test("A redirect is not followed by default; it is an error with its Location")
    func redirectNotFollowed() async throws {
        let server = try await TestHTTPServer.start { _ in .respond(status: 302, headers: [("Location", "/elsewhere")]) }
        let error = await #expect(throws: HTTPClientError.self) {
            _ = try await client().get(try HTTPURL(server.url("/here")))
        }
        #expect(error?.kind == .redirect)
        #expect(error?.statusCode == 302)
        #expect(error?.location == "/elsewhere")
        #expect(server.requests.count == 1)
        await server.stop()
    }

    @Test("With a redirect limit, GET follows a relative Location; a loop stops at the limit")
    func redirectFollowed() async throws {
        let server = try await TestHTTPServer.start { request in
            request.uri == "/final" ? .respond(status: 200, body: [42]) : .respond(status: 307, headers: [("Location", "/final")])
        }
        let following = client { $0.redirectLimit = 2 }
        #expect(try await following.get(try HTTPURL(server.url("/start"))).body == [42])
        let looping = try await TestHTTPServer.start { _ in .respond(status: 301, headers: [("Location", "/again")]) }
        let error = await #expect(throws: HTTPClientError.self) {
            _ = try await following.get(try HTTPURL(looping.url("/start")))
        }
        #expect(error?.kind == .redirect)
        #expect(looping.requests.count == 3)
        await server.stop()
        await looping.stop()
    }

    @Test("A body announced larger than the limit is refused before it is read")
    func declaredBodyTooLarge() async throws {
        let server = try await TestHTTPServer.start { _ in .respond(status: 200, body: [UInt8](repeating: 7, count: 2000)) }
        let error = await #expect(throws: HTTPClientError.self) {
            _ = try await client().get(try HTTPURL(server.url("/big")), maximumBodyBytes: 1999)
        }
        #expect(error?.kind == .bodyTooLarge)
        // Exactly the limit is fine.
        #expect(try await client().get(try HTTPURL(server.url("/big")), maximumBodyBytes: 2000).body.count == 2000)
        await server.stop()
    }

    @Test("A chunked body (no length announced) is cut off once it passes the limit")
    func streamedBodyTooLarge() async throws {
        // 64 MiB announced by nobody: the client stops long before.
        let server = try await TestHTTPServer.start { _ in .chunked(status: 200, chunkSize: 64 * 1024, chunks: 1024) }
        let error = await #expect(throws: HTTPClientError.self) {
            _ = try await client().get(try HTTPURL(server.url("/endless")), maximumBodyBytes: 1_000_000)
        }
        #expect(error?.kind == .bodyTooLarge)
        await server.stop()
    }

    @Test("The configured maximum applies when the request gives none")
    func configuredMaximum() async throws {
        let server = try await TestHTTPServer.start { _ in .respond(status: 200, body: [UInt8](repeating: 1, count: 101)) }
        let error = await #expect(throws: HTTPClientError.self) {
            _ = try await client { $0.maximumResponseBodyBytes = 100 }.get(try HTTPURL(server.url("/x")))
        }
        #expect(error?.kind == .bodyTooLarge)
        await server.stop()
    }

    @Test("A server that never answers is cut off after the idle timeout")
    func slowServer() async throws {
        let server = try await TestHTTPServer.start { _ in .stall }
        let error = await #expect(throws: HTTPClientError.self) {
            _ = try await client { $0.idleTimeout = .milliseconds(300) }.get(try HTTPURL(server.url("/slow")))
        }
        #expect(error?.kind == .timedOut)
        await server.stop()
    }

    @Test("The whole-exchange deadline ends an exchange before the idle timeout would")
    func totalDeadline() async throws {
        let server = try await TestHTTPServer.start { _ in .stall }
        let error = await #expect(throws: HTTPClientError.self) {
            _ = try await client { $0.requestTimeout = .milliseconds(300) }.get(try HTTPURL(server.url("/slow")))
        }
        #expect(error?.kind == .timedOut)
        await server.stop()
    }

    @Test("A response cut short of its Content-Length is truncated, not returned")
    func truncatedResponse() async throws {
        let server = try await TestHTTPServer.start { _ in .truncate(declaredLength: 1000, body: [UInt8](repeating: 9, count: 400)) }
        let error = await #expect(throws: HTTPClientError.self) {
            _ = try await client().get(try HTTPURL(server.url("/cut")))
        }
        #expect(error?.kind == .truncated)
        await server.stop()
    }

    @Test("Plain http goes only where the policy allows; nothing is connected otherwise")
    func plainHTTPPolicy() async throws {
        let server = try await TestHTTPServer.start { _ in .respond(status: 200) }
        let refused = await #expect(throws: HTTPClientError.self) {
            _ = try await client { $0.plainHTTP = .refused }.get(try HTTPURL(server.url("/")))
        }
        #expect(refused?.kind == .insecureURL)
        #expect(server.requests.isEmpty)
        let remote = await #expect(throws: HTTPClientError.self) {
            _ = try await client().get(try HTTPURL("http://upload.example.com/file"))
        }
        #expect(remote?.kind == .insecureURL)
        #expect(try await client().get(try HTTPURL(server.url("/"))).statusCode == 200)
        await server.stop()
    }

    @Test("A header value with CR or LF is refused, never sent")
    func headerInjection() async throws {
        let server = try await TestHTTPServer.start { _ in .respond(status: 201) }
        let error = await #expect(throws: HTTPClientError.self) {
            _ = try await client().put(try HTTPURL(server.url("/x")),
                                       headers: [HTTPHeaderField(name: "Cookie", value: "a=b\r\nX-Evil: 1")], body: .bytes([1]))
        }
        #expect(error?.kind == .invalidRequest)
        #expect(server.requests.isEmpty)
        await server.stop()
    }

    @Test("A port nobody listens on is connectionFailed")
    func connectionRefused() async throws {
        let server = try await TestHTTPServer.start { _ in .respond(status: 200) }
        let port = server.port
        await server.stop()
        let error = await #expect(throws: HTTPClientError.self) {
            _ = try await client().get(try HTTPURL("http://127.0.0.1:\(port)/"))
        }
        #expect(error?.kind == .connectionFailed)
    }

    @Test("https through the project's OpenSSL handler: verified against the test CA, refused without it")
    func https() async throws {
        let pki = try HTTPTestPKI.get()
        let server = try await TestHTTPServer.start(tls: (pki.certificate, pki.key)) { request in
            .respond(status: 201, body: Array("stored \(request.body.count)".utf8))
        }
        let url = try HTTPURL(server.url("/secure", scheme: "https"))
        let trusting = client { $0.trust = .certificateAuthorities(file: pki.caFile); $0.plainHTTP = .refused }
        let response = try await trusting.put(url, body: .bytes([UInt8](repeating: 5, count: 200_000)))
        #expect(response.body == Array("stored 200000".utf8))
        let error = await #expect(throws: HTTPClientError.self) {
            _ = try await client().get(url)
        }
        #expect(error?.kind == .tls)
        #expect(error?.tlsError?.kind == .certificateVerificationFailed)
        await server.stop()
    }

    @Test("A GET redirect from https to plain http is refused even when redirects are followed")
    func noDowngradeRedirect() async throws {
        let pki = try HTTPTestPKI.get()
        let plain = try await TestHTTPServer.start { _ in .respond(status: 200, body: [1]) }
        let secure = try await TestHTTPServer.start(tls: (pki.certificate, pki.key)) { _ in
            .respond(status: 302, headers: [("Location", plain.url("/plain"))])
        }
        let following = client { $0.trust = .certificateAuthorities(file: pki.caFile); $0.redirectLimit = 3 }
        let error = await #expect(throws: HTTPClientError.self) {
            _ = try await following.get(try HTTPURL(secure.url("/", scheme: "https")))
        }
        #expect(error?.kind == .redirect)
        #expect(plain.requests.isEmpty)
        await plain.stop()
        await secure.stop()
    }
}

@Suite("HTTP URLs")
struct HTTPURLTests {
    @Test("Parses scheme, host, port, target and fragment")
    func parses() throws {
        let url = try HTTPURL("HTTPS://Upload.Example.COM:8443/a%20b/c.jpg?x=1#frag")
        #expect(url.isSecure)
        #expect(url.host == "upload.example.com")
        #expect(url.port == 8443)
        #expect(url.requestTarget == "/a%20b/c.jpg?x=1")
        #expect(url.fragment == "frag")
        #expect(url.hostHeader == "upload.example.com:8443")
        #expect(url.redacted == "https://upload.example.com:8443/a%20b/c.jpg?x=1")
        let plain = try HTTPURL("http://127.0.0.1")
        #expect(plain.port == 80 && plain.requestTarget == "/" && plain.hostHeader == "127.0.0.1")
        #expect(plain.isLoopback)
        let v6 = try HTTPURL("http://[::1]:5280/x")
        #expect(v6.host == "::1" && v6.port == 5280 && v6.hostHeader == "[::1]:5280" && v6.isLoopback)
        #expect(try HTTPURL("http://h?q").requestTarget == "/?q")
        #expect(try !HTTPURL("http://127.0.0.1.example.com/").isLoopback)
    }

    @Test("Rejects what cannot be requested safely", arguments: [
        "ftp://example.com/x", "example.com/x", "http://user:pw@example.com/", "http://exa mple.com/", "http://example.com:0/",
        "http://example.com:70000/", "http:///path", "http://[::1/", "http://ex\u{e9}mple.com/", "http://a\r\nb/", "http://h:12ab/",
    ])
    func rejects(text: String) {
        #expect(throws: HTTPURL.ParseError.self) { try HTTPURL(text) }
    }

    @Test("An error never repeats the fragment")
    func errorHidesFragment() {
        do {
            _ = try HTTPURL("gopher://h/x#secretkey")
            Issue.record("parsed")
        } catch {
            #expect(!error.description.contains("secretkey"))
        }
    }
}
