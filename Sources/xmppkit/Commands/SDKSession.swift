import ArgumentParser
import Foundation
import ProfileSDK

/// The connection flags every `xmppkit sdk <method>` accepts after the method name
/// (Specs/sdk/profile.json `cli.globalFlags`).
struct SDKGlobalOptions: ParsableArguments {
    @Option(help: "Host to connect to (default: the stored profile's, else the domain).")
    var host: String?

    @Option(help: "Port (default: the stored profile's, else 5222).")
    var port: Int?

    @Option(help: "The XMPP domain of the accounts (default: the stored profile's).")
    var domain: String?

    @Option(help: "A PEM file of CA certificates to trust besides the system store.")
    var ca: String?

    @Option(help: "true or false: register and log in on the sandbox domain (sandbox.<domain>).")
    var sandbox: String?

    @Option(help: "Comma-separated domains whose QR-login signal servers loginWebChatViaQRCode may use, each with its subdomains (default: --domain's; \"\" trusts none).")
    var trustedSignalServers: String?

    @Option(help: "The resource to bind at login (default: the stored profile's, else xmppkit- and 8 random characters).")
    var resource: String?

    @Option(help: "The most bytes a profile image may have (default: the stored profile's, else 10485760).")
    var maxImageBytes: Int?

    @Option(help: "The stored session to use ([A-Za-z0-9._-]{1,64}); see `xmppkit sdk --help`.")
    var profile: String = "default"

    func validate() throws {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        guard (1...64).contains(profile.count), profile.allSatisfy({ allowed.contains($0) }), profile != ".", profile != ".." else {
            throw ValidationError("--profile takes 1 to 64 of A-Z a-z 0-9 . _ -")
        }
    }
}

/// What one `xmppkit sdk` invocation keeps between invocations: the connection settings given last
/// and the session's SDK token (SCRAM cached credentials, never the password).
struct StoredSDKProfile: Codable, Sendable {
    var host: String?
    var port: Int?
    var domain: String?
    var ca: String?
    var sandbox: Bool?
    /// `--trusted-signal-servers`, split at commas (Specs/qr-login.md §2.2).
    var trustedSignalServers: [String]?
    /// `--resource`: configuration.resource.
    var resource: String?
    /// `--max-image-bytes`: configuration.maxImageBytes.
    var maxImageBytes: Int?
    /// The account's username (localpart) the token belongs to.
    var username: String?
    var token: String?
    /// `setMediaEncryption`'s setting, applied to every later call.
    var mediaEncryption: Bool?
}

/// `$XDG_CONFIG_HOME/xmppkit/profiles/<name>.json` (`~/.config` without XDG_CONFIG_HOME), file
/// mode 0600 in a 0700 directory.
struct SDKProfileStore {
    let name: String

    static var directory: URL {
        let environment = ProcessInfo.processInfo.environment
        let base: URL
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") {
            base = URL(fileURLWithPath: xdg, isDirectory: true)
        } else {
            let home = environment["HOME"] ?? NSHomeDirectory()
            base = URL(fileURLWithPath: home, isDirectory: true).appendingPathComponent(".config", isDirectory: true)
        }
        return base.appendingPathComponent("xmppkit", isDirectory: true).appendingPathComponent("profiles", isDirectory: true)
    }

    var url: URL { Self.directory.appendingPathComponent("\(name).json") }

    /// The stored profile; nil when there is none. A file that does not decode is an error.
    func load() throws -> StoredSDKProfile? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        return try JSONDecoder().decode(StoredSDKProfile.self, from: Data(contentsOf: url))
    }

    /// Writes the profile atomically with mode 0600 (the directories get 0700).
    func save(_ profile: StoredSDKProfile) throws {
        let directory = Self.directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        for folder in [directory, directory.deletingLastPathComponent()] {
            try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: folder.path)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        let data = try encoder.encode(profile)
        let temporary = directory.appendingPathComponent(".\(name).json.\(getpid())")
        guard FileManager.default.createFile(atPath: temporary.path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw SDKError(statusCode: 500, message: "Internal Error: cannot write \(temporary.path)")
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: temporary.path)
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw SDKError(statusCode: 500, message: "Internal Error: cannot write \(url.path): \(reason)")
        }
    }

    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}

/// What a method does to the stored session once it succeeded.
enum SDKSessionEffect {
    /// Nothing (the connection settings are refreshed if the profile exists).
    case keep
    /// Store the SDK's current token and the settings (login, connect, setUserToken, register with autoLogin).
    case store
    /// Delete the stored profile (logout, deleteMyAccount).
    case remove
    /// Keep `setMediaEncryption`'s setting.
    case mediaEncryption(Bool)
}

/// Runs one SDK method for the command line: settings from the stored profile and the flags,
/// `initialize`, a token login for session methods, the call, one JSON line on stdout.
enum SDKInvocation {
    static func run(_ options: SDKGlobalOptions, session needsSession: Bool, effect: SDKSessionEffect = .keep,
                    _ call: (SDK) async throws -> any Encodable) async throws {
        let sdk = SDK()
        let store = SDKProfileStore(name: options.profile)
        let result: Result<any Encodable, SDKError>
        var effect = effect
        do {
            var profile: StoredSDKProfile
            do { profile = try store.load() ?? StoredSDKProfile() } catch {
                throw SDKError(statusCode: 500, message: "Internal Error: unreadable profile \(store.url.path): \(error)")
            }
            if let host = options.host { profile.host = host }
            if let port = options.port { profile.port = port }
            if let domain = options.domain { profile.domain = domain }
            if let ca = options.ca { profile.ca = ca }
            if let sandbox = options.sandbox { profile.sandbox = try parseBool(sandbox, parameter: "sandbox") }
            if let trusted = options.trustedSignalServers {
                profile.trustedSignalServers = trusted.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
            }
            if let resource = options.resource { profile.resource = resource }
            if let maxImageBytes = options.maxImageBytes { profile.maxImageBytes = maxImageBytes }
            guard let domain = profile.domain, !domain.isEmpty else {
                throw SDKError(statusCode: 400, message: "Invalid parameter configuration.domain: give --domain (no stored profile \"\(options.profile)\" has one)",
                               parameter: "configuration.domain")
            }
            try await sdk.initialize(configuration: SDKConfiguration(
                domain: domain, host: profile.host, port: profile.port, caFile: profile.ca, isSandbox: profile.sandbox ?? false,
                trustedSignalServers: profile.trustedSignalServers, resource: profile.resource,
                mediaEncryption: profile.mediaEncryption ?? false, maxImageBytes: profile.maxImageBytes ?? ProfileImageLimits.maximumBytes))
            if needsSession, let token = profile.token, let username = profile.username {
                let notices = NoticeWatch(sdk.events)
                defer { notices.stop() }
                try await sdk.setUserToken(token: token)
                try await sdk.login(username: username, password: "")
                await notices.settle()
            }
            let value = try await call(sdk)
            if case .store = effect {
                if let token = await sdk.currentUserToken(), let jid = await sdk.currentUserTokenJid() {
                    profile.token = token
                    profile.username = jid.split(separator: "@").first.map(String.init)
                } else {
                    effect = .keep
                }
            }
            switch effect {
            case .mediaEncryption(let enabled):
                if let stored = try? store.load() {
                    profile.token = stored.token
                    profile.username = stored.username
                }
                profile.mediaEncryption = enabled
                try store.save(profile)
            case .store: try store.save(profile)
            case .remove: store.remove()
            case .keep:
                if let stored = try? store.load() {
                    profile.token = stored.token
                    profile.username = stored.username
                    try store.save(profile)
                }
            }
            result = .success(value)
        } catch {
            result = .failure(error as? SDKError ?? SDKError(statusCode: 500, message: "\(error)"))
        }
        _ = try? await sdk.logout()
        switch result {
        case .success(let value):
            let line = json(value)
            print(line)
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            if let code = object?["statusCode"] as? Int, !(200..<300).contains(code) { throw ExitCode(1) }
        case .failure(let error):
            print(json(error))
            throw ExitCode(1)
        }
    }

    /// `true` or `false`, exactly; anything else is 400 naming the parameter.
    static func parseBool(_ value: String, parameter: String) throws(SDKError) -> Bool {
        switch value {
        case "true": return true
        case "false": return false
        default: throw SDKError(statusCode: 400, message: "Invalid parameter \(parameter): must be true or false", parameter: parameter)
        }
    }

    /// `--password -` reads one line from standard input.
    static func password(_ value: String) -> String {
        value == "-" ? (readLine(strippingNewline: true) ?? "") : value
    }

    /// One JSON line, keys sorted.
    static func json(_ value: any Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else {
            return #"{"message":"Internal Error: unencodable response","statusCode":500}"#
        }
        return String(decoding: data, as: UTF8.self)
    }
}

/// Blocked notices (Specs/blocked-notice.md) sent while the user was offline arrive right after the
/// login's initial presence and are applied by the SDK in the background. A one-shot command waits
/// until they stop arriving before its call, so `getUsersWhoBlockedMe` sees them and no notice is
/// consumed by a process that exits before storing it.
final class NoticeWatch: Sendable {
    private let clock = NoticeClock()
    private let task: Task<Void, Never>

    init(_ events: AsyncStream<SDKEvent>) {
        let clock = self.clock
        task = Task {
            for await event in events {
                if case .userBlockedMe = event { await clock.tick() }
            }
        }
    }

    /// Returns once `quiet` passed without a notice (at most `limit` in all).
    func settle(quiet: Duration = .milliseconds(400), limit: Duration = .seconds(3)) async {
        let start = ContinuousClock.now
        await clock.tick()
        while ContinuousClock.now - start < limit {
            try? await Task.sleep(for: .milliseconds(50))
            if await ContinuousClock.now - clock.last >= quiet { return }
        }
    }

    func stop() { task.cancel() }
}

private actor NoticeClock {
    private(set) var last = ContinuousClock.now
    func tick() { last = .now }
}
