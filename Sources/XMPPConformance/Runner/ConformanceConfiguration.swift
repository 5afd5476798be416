import XMPPClient

/// The server under test and how to test it.
public struct ConformanceConfiguration: Sendable {
    /// Where the accounts for the checks come from.
    public enum Accounts: Sendable {
        /// Accounts the operator gave (`--user`, `--user2`, `--user3`). Checks that use them run
        /// one at a time so they cannot disturb each other, and clean up after themselves.
        case given([ConformanceAccount])
        /// Fresh accounts registered in-band (XEP-0077 §3.1) for each check and removed after it
        /// (§3.2), so checks run side by side (`--register`).
        case register
    }

    public var host: String
    public var port: Int
    /// The XMPP domain (the stream's `to`, RFC 6120 §4.7.2).
    public var domain: String
    /// How the server's certificate is verified; the server name is always ``domain``.
    public var trust: TLSTrust
    /// TLS versions the checks offer; by default 1.2 and up.
    public var minimumTLSVersion: TLSVersion = .v1_2
    public var maximumTLSVersion: TLSVersion?
    public var accounts: Accounts
    /// An RFC 7395 endpoint (`ws://` or `wss://`), for the WebSocket checks.
    public var webSocketURL: String?
    /// How long one check may take before it is an `error`.
    public var checkTimeout: Duration = .seconds(30)
    /// How many checks run at once.
    public var concurrency = 8

    public init(host: String, port: Int, domain: String, trust: TLSTrust = .systemDefault, accounts: Accounts,
                webSocketURL: String? = nil) {
        self.host = host
        self.port = port
        self.domain = domain
        self.trust = trust
        self.accounts = accounts
        self.webSocketURL = webSocketURL
    }

    /// TLS as the checks negotiate it.
    public var tls: TLSConfiguration {
        TLSConfiguration(trust: trust, serverName: domain, minimumVersion: minimumTLSVersion, maximumVersion: maximumTLSVersion,
                         handshakeTimeout: .seconds(10))
    }

    /// Whether the run may create accounts of its own.
    public var mayRegister: Bool {
        if case .register = accounts { return true }
        return false
    }
}
