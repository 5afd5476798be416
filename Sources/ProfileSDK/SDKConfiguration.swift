import XMPPClient

/// What `SDK.initialize` needs (Specs/sdk/profile.json `initialize`).
public struct SDKConfiguration: Sendable {
    /// The XMPP domain of the accounts.
    public var domain: String
    /// Where to connect; nil means DNS SRV (RFC 6120 §3.2), else the domain.
    public var host: String?
    /// nil means from SRV, else 5222.
    public var port: Int?
    /// A PEM file of extra trust anchors (hostname checking stays on).
    public var caFile: String?
    /// Seed 000's spelling of the sandbox switch: register and log in on ``sandboxDomain``.
    public var isSandbox: Bool
    /// Seed 001's spelling of the same switch.
    public var isTrialLicenseKey: Bool
    /// The sandbox virtual host; `sandbox.` + domain unless given.
    public var sandboxDomain: String?
    public var listeners: SDKListeners
    public var requestTimeout: Duration
    /// The signal servers `loginWebChatViaQRCode` may send this session's token through
    /// (Specs/qr-login.md §10): XMPP domains, each trusting itself and its subdomains. A code is
    /// trusted when its anonymous JID's domain matches and its WebSocket URL's host matches too
    /// (or is ``host``, the server this SDK already logs in to). nil means ``domain`` (and the
    /// sandbox domain when selected), so `anon.prosody.test` is trusted for `prosody.test`.
    public var trustedSignalServers: [String]?
    /// The resourcepart (RFC 7622 §3.4) the login asks to bind (RFC 6120 §7.7.2.2); nil means
    /// `xmppkit-` and 8 random base32 characters (RFC 4648 §6), fresh for each login.
    public var resource: String?
    /// Reconnect when an established session drops: jittered exponential backoff
    /// (``ReconnectPolicy``), resuming the XEP-0198 session first (XEP-0198 §5) and logging in
    /// anew when that fails. false: a drop ends the session (`connectionListener` DISCONNECTED).
    public var reconnect: Bool
    /// The initial value of `setMediaEncryption(enabled:)`: whether image files uploaded by
    /// `setUserProfile` are AES-256-GCM encrypted (XEP-0454) from the start.
    public var mediaEncryption: Bool
    /// The most bytes a profile image (file or URL) may have; more is 400 naming `image`. The
    /// upload service's max-file-size (XEP-0363 §3) can lower it further. At least 1.
    public var maxImageBytes: Int

    public init(domain: String, host: String? = nil, port: Int? = nil, caFile: String? = nil, isSandbox: Bool = false,
                isTrialLicenseKey: Bool = false, sandboxDomain: String? = nil, listeners: SDKListeners = SDKListeners(),
                requestTimeout: Duration = .seconds(30), trustedSignalServers: [String]? = nil, resource: String? = nil,
                reconnect: Bool = true, mediaEncryption: Bool = false, maxImageBytes: Int = ProfileImageLimits.maximumBytes) {
        self.domain = domain
        self.host = host
        self.port = port
        self.caFile = caFile
        self.isSandbox = isSandbox
        self.isTrialLicenseKey = isTrialLicenseKey
        self.sandboxDomain = sandboxDomain
        self.listeners = listeners
        self.requestTimeout = requestTimeout
        self.trustedSignalServers = trustedSignalServers
        self.resource = resource
        self.reconnect = reconnect
        self.mediaEncryption = mediaEncryption
        self.maxImageBytes = maxImageBytes
    }

    /// The domains whose signal servers are trusted (``trustedSignalServers`` or its default), lowercased.
    var trustedSignalDomains: [String] {
        (trustedSignalServers ?? [domain, accountDomain]).map { $0.lowercased() }
    }

    /// Whether a QR code's signal server may receive our token: its XMPP domain is a trusted
    /// domain or a subdomain of one, and so is its WebSocket URL's host, unless that host is
    /// ``host`` itself (Specs/qr-login.md §10).
    func trustsSignalServer(domain signalDomain: String, webSocketHost: String) -> Bool {
        let trusted = trustedSignalDomains
        func matches(_ name: String) -> Bool {
            let name = name.lowercased()
            return !name.isEmpty && trusted.contains { name == $0 || name.hasSuffix("." + $0) }
        }
        let ownHost = host.map { $0.lowercased() == webSocketHost.lowercased() } ?? false
        return matches(signalDomain) && (matches(webSocketHost) || ownHost)
    }

    /// The domain accounts live on: the sandbox one when either switch is on.
    var accountDomain: String {
        (isSandbox || isTrialLicenseKey) ? (sandboxDomain ?? "sandbox.\(domain)") : domain
    }
}
