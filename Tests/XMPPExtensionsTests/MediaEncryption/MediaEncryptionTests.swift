import TestSupport
import Testing
@testable import XMPPExtensions

/// One block of Fixtures/xep/0454/vectors.txt.
struct GCMVector: Sendable, CustomStringConvertible {
    var name: String
    var key: [UInt8]
    var iv: [UInt8]
    var plaintext: [UInt8]
    var sealed: [UInt8]
    var description: String { name }

    static func all() throws -> [GCMVector] {
        let text = try Fixtures.string("xep/0454/vectors.txt")
        var vectors: [GCMVector] = []
        var fields: [String: String] = [:]
        func flush() throws {
            guard let name = fields["name"] else { return }
            func hex(_ key: String) throws -> [UInt8] {
                guard let bytes = AESGCMURL.decodeHex(fields[key] ?? "") else { throw VectorError.badHex(name, key) }
                return bytes
            }
            vectors.append(GCMVector(name: name, key: try hex("key"), iv: try hex("iv"), plaintext: try hex("plaintext"), sealed: try hex("sealed")))
            fields = [:]
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("#") { continue }
            if line.trimmingCharacters(in: .whitespaces).isEmpty { try flush(); continue }
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        try flush()
        return vectors
    }

    enum VectorError: Error { case badHex(String, String) }
}

@Suite("XEP-0454 media encryption")
struct MediaEncryptionTests {
    @Test("Known-answer vectors (McGrew-Viega; Python cryptography) encrypt and decrypt exactly")
    func vectors() throws {
        let vectors = try GCMVector.all()
        #expect(vectors.count == 5)
        for vector in vectors {
            #expect(try MediaEncryption.encrypt(vector.plaintext, key: vector.key, iv: vector.iv) == vector.sealed, "\(vector)")
            #expect(try MediaEncryption.decrypt(vector.sealed, key: vector.key, iv: vector.iv) == vector.plaintext, "\(vector)")
        }
    }

    @Test("encrypt draws a fresh 32-byte key and 12-byte IV and appends the 16-byte tag (§3)")
    func freshKeys() throws {
        let plaintext = Array("a picture".utf8)
        let first = try MediaEncryption.encrypt(plaintext)
        let second = try MediaEncryption.encrypt(plaintext)
        #expect(first.key.count == 32 && first.iv.count == 12)
        #expect(first.ciphertext.count == plaintext.count + 16)
        #expect(MediaEncryption.encryptedSize(ofPlaintext: plaintext.count) == first.ciphertext.count)
        #expect(first.key != second.key && first.iv != second.iv && first.ciphertext != second.ciphertext)
        #expect(try MediaEncryption.decrypt(first.ciphertext, key: first.key, iv: first.iv) == plaintext)
    }

    @Test("Any changed byte, in the ciphertext or the tag, is rejected")
    func tampering() throws {
        let plaintext = (0..<1000).map { UInt8(truncatingIfNeeded: $0) }
        let sealed = try MediaEncryption.encrypt(plaintext)
        for index in [0, 1, 499, 999, 1000, 1007, 1015] {
            var changed = sealed.ciphertext
            changed[index] ^= 0x01
            #expect(throws: MediaEncryptionError.authenticationFailed) {
                try MediaEncryption.decrypt(changed, key: sealed.key, iv: sealed.iv)
            }
        }
    }

    @Test("A wrong key or IV, a cut or lengthened file are rejected; a file shorter than the tag is truncated")
    func wrongInputs() throws {
        let sealed = try MediaEncryption.encrypt(Array("secret".utf8))
        var key = sealed.key
        key[31] ^= 0x80
        #expect(throws: MediaEncryptionError.authenticationFailed) { try MediaEncryption.decrypt(sealed.ciphertext, key: key, iv: sealed.iv) }
        var iv = sealed.iv
        iv[0] ^= 0x01
        #expect(throws: MediaEncryptionError.authenticationFailed) { try MediaEncryption.decrypt(sealed.ciphertext, key: sealed.key, iv: iv) }
        #expect(throws: MediaEncryptionError.authenticationFailed) {
            try MediaEncryption.decrypt(Array(sealed.ciphertext.dropLast()), key: sealed.key, iv: sealed.iv)
        }
        #expect(throws: MediaEncryptionError.authenticationFailed) {
            try MediaEncryption.decrypt(sealed.ciphertext + [0], key: sealed.key, iv: sealed.iv)
        }
        #expect(throws: MediaEncryptionError.truncated(byteCount: 15)) {
            try MediaEncryption.decrypt(Array(sealed.ciphertext.prefix(15)), key: sealed.key, iv: sealed.iv)
        }
        #expect(throws: MediaEncryptionError.self) { try MediaEncryption.decrypt(sealed.ciphertext, key: [1, 2], iv: sealed.iv) }
    }
}

@Suite("XEP-0454 aesgcm URLs")
struct AESGCMURLTests {
    private func example() throws -> [String: String] {
        var fields: [String: String] = [:]
        for line in try Fixtures.string("xep/0454/aesgcm-url.txt").split(separator: "\n") where !line.hasPrefix("#") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
        }
        return fields
    }

    @Test("§3's example parses into its GET URL, IV and key, and formats back to the same string")
    func xepExample() throws {
        let fields = try example()
        let url = try AESGCMURL(try #require(fields["url"]))
        #expect(url.transportURL == (try HTTPURL(try #require(fields["get"]))))
        #expect(url.transportURL.isSecure)
        #expect(url.iv == AESGCMURL.decodeHex(try #require(fields["iv"])))
        #expect(url.key == AESGCMURL.decodeHex(try #require(fields["key"])))
        #expect(url.absoluteString == fields["url"])
        let made = try AESGCMURL(transportURL: try HTTPURL(try #require(fields["get"])), iv: url.iv, key: url.key)
        #expect(made.absoluteString == fields["url"])
    }

    @Test("An http transport becomes aesgcm+http:// and round-trips to http")
    func plainHTTPScheme() throws {
        let link = try AESGCMURL(transportURL: try HTTPURL("http://127.0.0.1:5280/share/abc/f.bin"),
                                 iv: [UInt8](repeating: 1, count: 12), key: [UInt8](repeating: 2, count: 32))
        #expect(link.absoluteString.hasPrefix("aesgcm+http://127.0.0.1:5280/share/abc/f.bin#010101"))
        let parsed = try AESGCMURL(link.absoluteString)
        #expect(parsed == link)
        #expect(!parsed.transportURL.isSecure)
        #expect(AESGCMURL.hasAESGCMScheme(link.absoluteString))
        #expect(AESGCMURL.hasAESGCMScheme("AESGCM://x/y#00"))
        #expect(!AESGCMURL.hasAESGCMScheme("https://x/y"))
    }

    @Test("A 16-byte IV (96 hex digits) from older clients and uppercase hex are read")
    func legacyIV() throws {
        let fragment = String(repeating: "AB", count: 16) + String(repeating: "cd", count: 32)
        let url = try AESGCMURL("aesgcm://host.example/f#" + fragment)
        #expect(url.iv == [UInt8](repeating: 0xAB, count: 16))
        #expect(url.key == [UInt8](repeating: 0xCD, count: 32))
    }

    @Test("Malformed links are refused with a reason", arguments: [
        "https://host/f#" + String(repeating: "0", count: 88),
        "aesgcm://host/f",
        "aesgcm://host/f#",
        "aesgcm://host/f#" + String(repeating: "0", count: 87),
        "aesgcm://host/f#" + String(repeating: "0", count: 89),
        "aesgcm://host/f#" + String(repeating: "0", count: 64),
        "aesgcm://host/f#" + String(repeating: "g", count: 88),
        "aesgcm://user@host/f#" + String(repeating: "0", count: 88),
        "aesgcm:host/f#" + String(repeating: "0", count: 88),
        "aesgcm://host/f#" + String(repeating: "0", count: 100_000),
    ])
    func malformed(text: String) {
        #expect(throws: MediaEncryptionError.self) { try AESGCMURL(text) }
    }

    @Test("description hides the key; only absoluteString carries it")
    func descriptionHidesKey() throws {
        let url = try AESGCMURL(try #require(try example()["url"]))
        #expect(!"\(url)".contains("68e9af38"))
        #expect(url.absoluteString.contains("68e9af38"))
        do {
            _ = try AESGCMURL("aesgcm://host/f#68e9af38zz")
        } catch {
            #expect(!"\(error)".contains("68e9af38"))
        }
    }
}
