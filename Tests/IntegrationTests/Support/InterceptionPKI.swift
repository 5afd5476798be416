import Foundation

/// The man in the middle's certificates, made once per test process with the `openssl` CLI in a
/// fresh temporary directory: its own CA ("XMPPKit Interception CA", ECDSA P-256), which the
/// client under test is told to trust (a compromised or corporate CA), and a leaf it issued for
/// the real servers' domains (`prosody.test`, `ejabberd.test` and their subdomains). Nothing here
/// is the servers' own key or CA.
final class InterceptionPKI: Sendable {
    let directory: String
    var caFile: String { directory + "/ca.pem" }
    var certificateFile: String { directory + "/leaf.pem" }
    var keyFile: String { directory + "/leaf.key" }

    private static let shared = Result { try InterceptionPKI() }

    /// The process's interception PKI, made on first use.
    static func get() throws -> InterceptionPKI { try shared.get() }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private init() throws {
        let base = FileManager.default.temporaryDirectory
            .appendingPathComponent("xmppkit-mitm-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        directory = base.path
        let config = """
            [req]
            distinguished_name = dn
            prompt = no
            [dn]
            CN = XMPPKit Interception CA
            [ca]
            basicConstraints = critical, CA:TRUE
            keyUsage = critical, keyCertSign, cRLSign
            subjectKeyIdentifier = hash
            [leaf]
            basicConstraints = critical, CA:FALSE
            keyUsage = critical, digitalSignature, keyEncipherment
            extendedKeyUsage = serverAuth
            subjectAltName = DNS:prosody.test, DNS:*.prosody.test, DNS:ejabberd.test, DNS:*.ejabberd.test
            """
        let cnf = directory + "/openssl.cnf"
        try config.write(toFile: cnf, atomically: true, encoding: .utf8)
        func path(_ name: String) -> String { directory + "/" + name }
        try run(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", path("ca.key")])
        try run(["req", "-x509", "-new", "-key", path("ca.key"), "-config", cnf, "-extensions", "ca",
                 "-days", "7", "-sha256", "-out", path("ca.pem")])
        try run(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", path("leaf.key")])
        try run(["req", "-new", "-key", path("leaf.key"), "-subj", "/CN=intercepted", "-out", path("leaf.csr")])
        try run(["x509", "-req", "-in", path("leaf.csr"), "-CA", path("ca.pem"), "-CAkey", path("ca.key"), "-set_serial", "2",
                 "-days", "7", "-sha256", "-extfile", cnf, "-extensions", "leaf", "-out", path("leaf.pem")])
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs `openssl arguments` in the directory, its output going to `openssl.log` there.
    ///
    /// With posix_spawn and waitpid, not Foundation's `Process`: corelibs Foundation reaps its
    /// children from one monitor thread, which blocks in `waitpid` on any child that closes its
    /// inherited descriptors and keeps running (a `dnsmasq` another test starts does), and then
    /// `waitUntilExit()` never returns, holding a thread of the cooperative pool.
    private func run(_ arguments: [String]) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, directory + "/openssl.log", O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = (["openssl"] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid = pid_t()
        let status = posix_spawnp(&pid, "openssl", &actions, nil, argv, environ)
        guard status == 0 else { throw Failure(description: "cannot run openssl: \(String(cString: strerror(status)))") }
        var exit: Int32 = 0
        while waitpid(pid, &exit, 0) == -1 && errno == EINTR {}
        guard exit == 0 else {
            let log = (try? String(contentsOfFile: directory + "/openssl.log", encoding: .utf8)) ?? ""
            throw Failure(description: "openssl \(arguments.joined(separator: " ")) failed (status \(exit)): \(log)")
        }
    }
}
