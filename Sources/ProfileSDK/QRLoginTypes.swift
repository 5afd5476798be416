/// Where `generateQrCode` renders the code (Specs/qr-login.md §11).
public enum QRCodeOutput: Sendable, Hashable {
    /// Half blocks in `QRCodeData.terminal` (the CLI writes them to stderr).
    case terminal
    /// A PNG file.
    case png(String)
    /// An SVG file.
    case svg(String)
}

/// `generateQrCode`'s data: the exact string in the code and when it expires.
public struct QRCodeData: Sendable, Hashable, Encodable {
    public var qrString: String
    /// Unix time in seconds (issue time + 120).
    public var expiresAt: Int
    /// The terminal rendering, for `.terminal` output (not encoded: the CLI prints it apart).
    public var terminal: String?

    enum CodingKeys: String, CodingKey { case qrString, expiresAt }
}

/// A QR-login outcome (Specs/qr-login.md §9), or a refused request (§8.1 checks 1–7).
///
/// `{"statusCode":200,"message":"Login Success","username":"alice","password":null,"userJid":…,"userToken":…}`
public struct QRLoginResult: Sendable, Hashable, Encodable {
    /// `loggedIn`, `failed` (the code has ended) or `rejected` (a request was refused; the code stays valid).
    public var event: String
    public var statusCode: Int
    public var message: String
    public var username: String?
    /// Always nil: the password never leaves the logged-in device (§6).
    public var password: String? { nil }
    public var userJid: String?
    public var userToken: String?
    /// With `rejected` and `failed`: the §8.5 condition.
    public var reason: String?

    init(event: String, statusCode: Int, message: String, username: String? = nil, userJid: String? = nil,
         userToken: String? = nil, reason: String? = nil) {
        self.event = event
        self.statusCode = statusCode
        self.message = message
        self.username = username
        self.userJid = userJid
        self.userToken = userToken
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey { case event, statusCode, message, username, password, userJid, userToken, reason }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(event, forKey: .event)
        try container.encode(statusCode, forKey: .statusCode)
        try container.encode(message, forKey: .message)
        if statusCode == 200 {
            try container.encode(username, forKey: .username)
            try container.encodeNil(forKey: .password)
            try container.encode(userJid, forKey: .userJid)
            try container.encode(userToken, forKey: .userToken)
        }
        try container.encodeIfPresent(reason, forKey: .reason)
    }
}
