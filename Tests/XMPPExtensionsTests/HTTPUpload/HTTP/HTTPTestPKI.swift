import Foundation
import TestSupport

/// A CA and a server certificate for 127.0.0.1, made once per test process with the `openssl`
/// CLI in a fresh temporary directory (no key is committed; see Fixtures/tls/README.md), for the
/// HTTP client's https tests.
final class HTTPTestPKI: Sendable {
    let directory: String
    var caFile: String { directory + "/ca.pem" }
    var certificate: String { directory + "/server.pem" }
    var key: String { directory + "/server.key" }

    private static let shared = Result { try HTTPTestPKI() }

    static func get() throws -> HTTPTestPKI { try shared.get() }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private init() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("xmppkit-http-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        directory = base.path
        let config = """
            [req]
            distinguished_name = dn
            prompt = no
            [dn]
            CN = XMPPKit HTTP Test CA
            [ca]
            basicConstraints = critical, CA:TRUE
            keyUsage = critical, keyCertSign, cRLSign
            [server]
            basicConstraints = critical, CA:FALSE
            keyUsage = critical, digitalSignature
            extendedKeyUsage = serverAuth
            subjectAltName = IP:127.0.0.1, DNS:localhost
            """
        try config.write(toFile: directory + "/openssl.cnf", atomically: true, encoding: .utf8)
        func run(_ arguments: [String]) throws {
            // Subprocess, not Foundation's Process (see TestSupport/Subprocess.swift).
            let (status, output) = try Subprocess.run(["openssl"] + arguments, directory: directory)
            guard status == 0 else {
                throw Failure(description: "openssl \(arguments.joined(separator: " ")): " + String(decoding: output, as: UTF8.self))
            }
        }
        try run(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ca.key"])
        try run(["req", "-x509", "-new", "-key", "ca.key", "-config", "openssl.cnf", "-extensions", "ca", "-days", "7", "-sha256", "-out", "ca.pem"])
        try run(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "server.key"])
        try run(["req", "-new", "-key", "server.key", "-subj", "/CN=127.0.0.1", "-out", "server.csr"])
        try run(["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial", "2", "-days", "7",
                 "-sha256", "-extfile", "openssl.cnf", "-extensions", "server", "-out", "server.pem"])
    }
}
