import Foundation

/// Where the local test servers started by `scripts/servers start` listen, and their users.
///
/// Values come from the process environment (`eval "$(scripts/servers env)"`, as `scripts/test`
/// does); when they are missing, `scripts/servers env` is asked directly. When no server is
/// running, this throws an error that names the command that starts them: integration tests
/// fail, they never skip.
public struct ServerEnvironment: Sendable {
    public struct Server: Sendable {
        public var name: String
        public var host: String
        public var port: Int
        public var tlsPort: Int
        public var webSocketURL: String
        public var domain: String
        public var userJID: String
        public var password: String
        public var user2JID: String
        public var password2: String
        /// Extra hosts on the same server: (domain, a user there with `password`), when the script made one.
        public var extraHosts: [String: String] = [:]
    }

    public var prosody: Server
    public var ejabberd: Server
    /// PEM file of the test CA that signed both servers' certificates.
    public var caFile: String

    public var servers: [Server] { [prosody, ejabberd] }

    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    public static func load() throws -> ServerEnvironment {
        var values = ProcessInfo.processInfo.environment
        if values["PROSODY_PORT"] == nil || values["EJABBERD_PORT"] == nil {
            values.merge(try askScript(), uniquingKeysWith: { current, _ in current })
        }
        func server(_ prefix: String, _ name: String) throws -> Server {
            func value(_ key: String) throws -> String {
                guard let v = values["\(prefix)_\(key)"], !v.isEmpty else {
                    throw Unavailable(description: "\(prefix)_\(key) is not set: start the servers with `scripts/servers start`")
                }
                return v
            }
            func number(_ key: String) throws -> Int {
                guard let n = Int(try value(key)) else {
                    throw Unavailable(description: "\(prefix)_\(key) is not a port number")
                }
                return n
            }
            return Server(
                name: name, host: try value("HOST"), port: try number("PORT"), tlsPort: try number("TLS_PORT"),
                webSocketURL: try value("WS_URL"), domain: try value("DOMAIN"),
                userJID: try value("USER_JID"), password: try value("PASSWORD"),
                user2JID: try value("USER2_JID"), password2: try value("PASSWORD2"))
        }
        guard let ca = values["CA_FILE"], !ca.isEmpty else {
            throw Unavailable(description: "CA_FILE is not set: start the servers with `scripts/servers start`")
        }
        var prosody = try server("PROSODY", "prosody")
        var ejabberd = try server("EJABBERD", "ejabberd")
        if let jid = values["PROSODY_SHA256_USER_JID"] { prosody.extraHosts["sha256"] = jid }
        if let jid = values["EJABBERD_PLAIN_USER_JID"] { ejabberd.extraHosts["plain"] = jid }
        return ServerEnvironment(prosody: prosody, ejabberd: ejabberd, caFile: ca)
    }

    /// Runs `scripts/servers env` and parses its `NAME=value` lines.
    private static func askScript() throws -> [String: String] {
        let script = Fixtures.root.deletingLastPathComponent().appendingPathComponent("scripts/servers")
        let status: Int32
        let output: Data
        do { (status, output) = try Subprocess.run(["/bin/bash", script.path, "env"]) } catch {
            throw Unavailable(description: "cannot run \(script.path): \(error); start the servers with `scripts/servers start`")
        }
        guard status == 0 else {
            throw Unavailable(description: "the test servers are not running: start them with `scripts/servers start`")
        }
        var result: [String: String] = [:]
        for line in String(decoding: output, as: UTF8.self).split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            var value = String(line[line.index(after: eq)...])
            if value.count >= 2, value.hasPrefix("'") || value.hasPrefix("\""), value.last == value.first {
                value = String(value.dropFirst().dropLast())
            }
            result[String(line[..<eq])] = value
        }
        return result
    }
}
