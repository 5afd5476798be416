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

    public init(domain: String, host: String? = nil, port: Int? = nil, caFile: String? = nil, isSandbox: Bool = false,
                isTrialLicenseKey: Bool = false, sandboxDomain: String? = nil, listeners: SDKListeners = SDKListeners(),
                requestTimeout: Duration = .seconds(30)) {
        self.domain = domain
        self.host = host
        self.port = port
        self.caFile = caFile
        self.isSandbox = isSandbox
        self.isTrialLicenseKey = isTrialLicenseKey
        self.sandboxDomain = sandboxDomain
        self.listeners = listeners
        self.requestTimeout = requestTimeout
    }

    /// The domain accounts live on: the sandbox one when either switch is on.
    var accountDomain: String {
        (isSandbox || isTrialLicenseKey) ? (sandboxDomain ?? "sandbox.\(domain)") : domain
    }
}
