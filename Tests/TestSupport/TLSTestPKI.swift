import Foundation

/// Certificates for the TLS tests, made once per test process with the `openssl` CLI in a fresh
/// temporary directory (no private key is ever committed; see Fixtures/tls/README.md).
///
/// - `ca.pem`: "XMPPKit Test CA", ECDSA P-256, self-signed.
/// - `server.pem`: issued by the CA for DNS:xmpp.test and IP:127.0.0.1 (ecdsa-with-SHA256),
///   key `server.key`; `expired.pem` (expired yesterday) and `other.pem` (DNS:other.test only)
///   are issued by the same CA for the same key.
/// - `rsa-sha1.pem`, `rsa-sha256.pem`, `rsa-sha384.pem`: self-signed RSA-2048 certificates for
///   xmpp.test with those signature hashes, key `rsa.key` (tls-server-end-point's hash choice).
public final class TLSTestPKI: Sendable {
    public static let serverName = "xmpp.test"

    public let directory: String
    public var caFile: String { path("ca.pem") }
    public var serverCertificate: String { path("server.pem") }
    public var serverKey: String { path("server.key") }
    public var expiredCertificate: String { path("expired.pem") }
    public var otherNameCertificate: String { path("other.pem") }
    public var rsaKey: String { path("rsa.key") }
    public func rsaCertificate(hash: String) -> String { path("rsa-\(hash).pem") }

    private static let shared = Result { try TLSTestPKI() }

    /// The process's PKI, made on first use.
    public static func get() throws -> TLSTestPKI { try shared.get() }

    public func path(_ name: String) -> String { directory + "/" + name }

    private init() throws {
        let base = FileManager.default.temporaryDirectory
            .appendingPathComponent("xmppkit-tls-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        directory = base.path
        let config = """
            [req]
            distinguished_name = dn
            prompt = no
            [dn]
            CN = XMPPKit Test CA
            [ca]
            basicConstraints = critical, CA:TRUE
            keyUsage = critical, keyCertSign, cRLSign
            subjectKeyIdentifier = hash
            [server]
            basicConstraints = critical, CA:FALSE
            keyUsage = critical, digitalSignature, keyEncipherment
            extendedKeyUsage = serverAuth
            subjectAltName = DNS:xmpp.test, IP:127.0.0.1
            [other]
            basicConstraints = critical, CA:FALSE
            keyUsage = critical, digitalSignature, keyEncipherment
            extendedKeyUsage = serverAuth
            subjectAltName = DNS:other.test
            [selfsigned]
            basicConstraints = critical, CA:FALSE
            keyUsage = critical, digitalSignature, keyEncipherment
            subjectAltName = DNS:xmpp.test
            """
        try config.write(toFile: directory + "/openssl.cnf", atomically: true, encoding: .utf8)
        let cnf = directory + "/openssl.cnf"

        func run(_ arguments: [String]) throws { _ = try OpenSSLCLI.run(arguments, directory: directory) }
        try run(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ca.key"])
        try run(["req", "-x509", "-new", "-key", "ca.key", "-config", cnf, "-extensions", "ca",
                 "-days", "7", "-sha256", "-out", "ca.pem"])
        try run(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "server.key"])
        try run(["req", "-new", "-key", "server.key", "-subj", "/CN=xmpp.test", "-out", "server.csr"])
        for (name, section, days, serial) in [("server", "server", "7", "2"), ("expired", "server", "-1", "3"), ("other", "other", "7", "4")] {
            try run(["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial", serial,
                     "-days", days, "-sha256", "-extfile", cnf, "-extensions", section, "-out", "\(name).pem"])
        }
        try run(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "rsa.key"])
        for hash in ["sha1", "sha256", "sha384"] {
            try run(["req", "-x509", "-new", "-key", "rsa.key", "-subj", "/CN=xmpp.test", "-config", cnf,
                     "-extensions", "selfsigned", "-days", "7", "-\(hash)", "-out", "rsa-\(hash).pem"])
        }
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The DER encoding of a PEM certificate file.
    public func der(_ certificateFile: String) throws -> [UInt8] {
        [UInt8](try OpenSSLCLI.run(["x509", "-in", certificateFile, "-outform", "DER"], directory: directory))
    }

    /// A digest computed by the openssl CLI (`openssl dgst -<algorithm> -binary`).
    public func digest(_ algorithm: String, _ data: [UInt8]) throws -> [UInt8] {
        [UInt8](try OpenSSLCLI.run(["dgst", "-\(algorithm)", "-binary"], input: Data(data), directory: directory))
    }
}

/// Runs the `openssl` command-line tool.
public enum OpenSSLCLI {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Runs `openssl arguments` in `directory`, feeding `input`; returns standard output or
    /// throws with standard error when the exit status is not 0.
    public static func run(_ arguments: [String], input: Data? = nil, directory: String) throws -> Data {
        // Subprocess, not Foundation's Process: see TestSupport/Subprocess.swift for the deadlock.
        let (status, data) = try Subprocess.run(["openssl"] + arguments, input: input, directory: directory)
        guard status == 0 else {
            throw Failure(description: "openssl \(arguments.joined(separator: " ")) exited with \(status): " + String(decoding: data, as: UTF8.self))
        }
        return data
    }
}
