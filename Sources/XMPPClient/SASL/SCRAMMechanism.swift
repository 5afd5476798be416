import XMPPCore
import XMPPCrypto

/// The client side of SCRAM (RFC 5802) over SHA-1, SHA-256 (RFC 7677) or SHA-512, with or
/// without channel binding (the `-PLUS` mechanisms, RFC 5802 §6).
///
/// The exchange (RFC 5802 §3, §5):
/// 1. ``initialResponse()``: `gs2-header client-first-message-bare`, e.g.
///    `n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL`.
/// 2. ``respond(to:)`` with the server-first-message (`r=…,s=…,i=…`): checks it and returns the
///    client-final-message (`c=…,r=…,p=…`). This is where the key derivation runs, costing `i`
///    HMACs, unless cached ``SCRAMCredentials`` are used.
/// 3. The server-final-message (`v=…`) arrives either as a last challenge (answer it with
///    ``respond(to:)``, which returns an empty response) or as the additional data of
///    `<success/>` (``verifySuccess(_:)``). Either way the ServerSignature is checked in
///    constant time, and ``verifySuccess(_:)`` throws if none was verified: a server that does
///    not prove it knows the password is not trusted.
///
/// What is refused: a server-first-message out of RFC 5802 §7's grammar (missing, misordered or
/// empty `r`/`s`/`i`, bad base64, an iteration count that is not a positive number, a mandatory
/// extension `m=`), a nonce that does not extend the client's, an iteration count outside
/// ``acceptedIterationCounts`` (checked before any computation), and `e=` at any step.
public struct SCRAMMechanism: SASLMechanism, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// What the client proves knowledge of.
    public enum Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
        /// The password, prepared with OpaqueString (RFC 8265 §4.2) before use.
        case password(String)
        /// Credentials cached from an earlier login (RFC 5802 §5.1); the server must send the
        /// same salt and iteration count, or the exchange fails with ``SASLError/credentialsOutdated``.
        case credentials(SCRAMCredentials)

        public var description: String {
            switch self {
            case .password: "password(<redacted>)"
            case .credentials(let credentials): "credentials(\(credentials))"
            }
        }

        public var debugDescription: String { description }

        public var customMirror: Mirror { Mirror(self, children: ["secret": description]) }
    }

    /// The iteration counts accepted by default: 4096...1,000,000.
    ///
    /// - The minimum is RFC 5802 §5.1's (and RFC 7677 §4's) "at least 4096". A lower count is
    ///   refused, not merely logged: a man in the middle answering with `i=1` would obtain a proof
    ///   that is 4096 times cheaper to attack with a password dictionary.
    /// - The maximum bounds the work a hostile or misconfigured server can make the client do:
    ///   PBKDF2 runs before the server has proved anything. One million iterations took 0.35 s
    ///   for SHA-1 and SHA-256 and 0.8 s for SHA-512 with OpenSSL 3 on the (2-core, x86-64)
    ///   development machine, a few times that on a phone; a server asking for 100 million (a
    ///   minute or more) is
    ///   refused with ``SASLError/iterationCountTooHigh(_:)`` before any computation. The bound
    ///   still admits hardened servers following OWASP's 2023 PBKDF2 advice (600,000 for
    ///   SHA-256, 210,000 for SHA-512).
    public static let defaultIterationCounts: ClosedRange<Int> = 4096...1_000_000

    /// `SCRAM-SHA-…`, with `-PLUS` when ``channelBinding`` is `.bound`.
    public let name: SASLMechanismName
    /// The hash function.
    public let hash: HashFunction
    /// The GS2 channel-binding flag and data.
    public let channelBinding: SCRAMChannelBinding
    /// The iteration counts accepted from the server when deriving from a password.
    public let acceptedIterationCounts: ClosedRange<Int>

    private let escapedUsername: String
    private let clientNonce: String
    private var preparedPassword: [UInt8]?
    private let cachedCredentials: SCRAMCredentials?
    private var state: State = .initial

    private enum State {
        case initial
        case awaitingServerFirst(clientFirstBare: String)
        case awaitingServerFinal(serverSignature: [UInt8], credentials: SCRAMCredentials)
        /// `v=` arrived as a challenge and verified; `<success/>` still to come.
        case serverVerified(serverSignature: [UInt8], credentials: SCRAMCredentials)
        case succeeded(credentials: SCRAMCredentials)
        case failed
    }

    /// A SCRAM exchange for `username` over `hash`.
    ///
    /// - Parameters:
    ///   - username: the authentication identity, in XMPP the JID's localpart as RFC 7622 §3.3
    ///     prepares it (RFC 6120 §6.3.7); it is escaped (`=` → `=3D`, `,` → `=2C`,
    ///     RFC 5802 §5.1) but not otherwise changed.
    ///   - secret: the password, or cached credentials for the same hash.
    ///   - channelBinding: `n`, `y` or `p=type` with the TLS binding data (RFC 5802 §6); `.bound`
    ///     makes this the `-PLUS` mechanism. ``SASLMechanismSelector`` decides which.
    ///   - acceptedIterationCounts: see ``defaultIterationCounts``.
    ///   - clientNonce: for tests only: a fixed nonce (printable ASCII without `,`). By default
    ///     the base64 form of 24 random bytes from ``SecureRandom``.
    /// - Throws: ``SASLError/invalidArgument(_:)`` for an empty username or one with control
    ///   characters, an invalid nonce, empty binding data or an iteration range below 1;
    ///   ``SASLError/passwordPreparationFailed``; ``SASLError/credentialsOutdated`` for
    ///   credentials of another hash.
    public init(
        hash: HashFunction,
        username: String,
        secret: Secret,
        channelBinding: SCRAMChannelBinding = .unsupported,
        acceptedIterationCounts: ClosedRange<Int> = Self.defaultIterationCounts,
        clientNonce: String? = nil
    ) throws(SASLError) {
        guard !username.isEmpty else { throw .invalidArgument("the SCRAM username is empty") }
        guard !username.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw .invalidArgument("the SCRAM username contains a control character")
        }
        guard acceptedIterationCounts.lowerBound >= 1 else {
            throw .invalidArgument("accepted SCRAM iteration counts must start at 1 or more")
        }
        if case .bound(_, let data) = channelBinding, data.isEmpty {
            throw .invalidArgument("channel-binding data is empty")
        }
        self.hash = hash
        self.channelBinding = channelBinding
        if case .bound = channelBinding {
            name = .scram(hash, channelBinding: true)
        } else {
            name = .scram(hash, channelBinding: false)
        }
        self.acceptedIterationCounts = acceptedIterationCounts
        escapedUsername = Self.escape(username)

        switch secret {
        case .password(let password):
            preparedPassword = try SASLPasswordPreparation.prepare(password)
            cachedCredentials = nil
        case .credentials(let credentials):
            guard credentials.hash == hash else { throw .credentialsOutdated }
            preparedPassword = nil
            cachedCredentials = credentials
        }

        if let clientNonce {
            guard Self.isPrintable(Substring(clientNonce)) else {
                throw .invalidArgument("a SCRAM nonce must be non-empty printable ASCII without \",\" (RFC 5802 §7)")
            }
            self.clientNonce = clientNonce
        } else {
            do {
                self.clientNonce = Base64.encode(try SecureRandom.bytes(count: 24))
            } catch {
                throw .cryptoFailure(String(describing: error))
            }
        }
    }

    /// The credentials to cache for the next login (RFC 5802 §5.1), available once
    /// ``verifySuccess(_:)`` has accepted the server's signature; nil before. With cached
    /// credentials as the secret, the same credentials.
    public var derivedCredentials: SCRAMCredentials? {
        if case .succeeded(let credentials) = state { return credentials }
        return nil
    }

    /// Whether the exchange completed with a verified server signature.
    public var isComplete: Bool {
        derivedCredentials != nil
    }

    public mutating func initialResponse() throws(SASLError) -> [UInt8]? {
        guard case .initial = state else {
            throw failed(.protocolViolation("the SCRAM client-first-message was already sent"))
        }
        let bare = "n=\(escapedUsername),r=\(clientNonce)"
        state = .awaitingServerFirst(clientFirstBare: bare)
        return Array((channelBinding.gs2Header + bare).utf8)
    }

    public mutating func respond(to challenge: [UInt8]) throws(SASLError) -> [UInt8] {
        do throws(SASLError) {
            switch state {
            case .awaitingServerFirst(let bare):
                return try respondToServerFirst(challenge, clientFirstBare: bare)
            case .awaitingServerFinal(let signature, let credentials):
                try Self.verifyServerFinal(challenge, expected: signature)
                state = .serverVerified(serverSignature: signature, credentials: credentials)
                return []
            case .initial:
                throw SASLError.protocolViolation("a SCRAM challenge arrived before the client-first-message was sent")
            case .serverVerified, .succeeded:
                throw SASLError.protocolViolation("a SCRAM challenge arrived after the server-final-message")
            case .failed:
                throw SASLError.protocolViolation("the SCRAM exchange has already failed")
            }
        } catch {
            throw failed(error)
        }
    }

    public mutating func verifySuccess(_ additionalData: [UInt8]?) throws(SASLError) {
        do throws(SASLError) {
            switch state {
            case .awaitingServerFinal(let signature, let credentials):
                guard let additionalData, !additionalData.isEmpty else { throw SASLError.serverSignatureMismatch }
                try Self.verifyServerFinal(additionalData, expected: signature)
                state = .succeeded(credentials: credentials)
            case .serverVerified(let signature, let credentials):
                if let additionalData, !additionalData.isEmpty {
                    try Self.verifyServerFinal(additionalData, expected: signature)
                }
                state = .succeeded(credentials: credentials)
            case .initial, .awaitingServerFirst:
                // Success before the client has even proved itself: the server proved nothing.
                throw SASLError.serverSignatureMismatch
            case .succeeded:
                throw SASLError.protocolViolation("a second SCRAM success")
            case .failed:
                throw SASLError.protocolViolation("the SCRAM exchange has already failed")
            }
        } catch {
            throw failed(error)
        }
    }

    // MARK: - Steps

    private mutating func respondToServerFirst(_ challenge: [UInt8], clientFirstBare: String) throws(SASLError) -> [UInt8] {
        let message = try SCRAMAttributes(challenge, what: "server-first-message")
        let attributes = message.attributes
        if let first = attributes.first, first.key == "e" {
            throw .scramServerError(String(first.value))
        }
        if let first = attributes.first, first.key == "m" {
            throw .malformedChallenge("the server-first-message requires an extension (m=) this client does not support (RFC 5802 §5.1)")
        }
        guard attributes.count >= 1, attributes[0].key == "r" else {
            throw .malformedChallenge("the server-first-message does not start with the nonce (r=)")
        }
        guard attributes.count >= 2, attributes[1].key == "s" else {
            throw .malformedChallenge("the server-first-message has no salt (s=) after the nonce")
        }
        guard attributes.count >= 3, attributes[2].key == "i" else {
            throw .malformedChallenge("the server-first-message has no iteration count (i=) after the salt")
        }

        let nonce = attributes[0].value
        guard Self.isPrintable(nonce) else {
            throw .malformedChallenge("the nonce (r=) is not printable ASCII (RFC 5802 §7)")
        }
        guard nonce.count > clientNonce.count, nonce.hasPrefix(clientNonce) else {
            throw .nonceMismatch
        }
        guard let salt = Base64.decode(attributes[1].value) else {
            throw .malformedChallenge("the salt (s=) is not base64")
        }
        guard !salt.isEmpty else {
            throw .malformedChallenge("the salt (s=) is empty")
        }
        let iterations = try Self.parseIterationCount(attributes[2].value)

        let credentials: SCRAMCredentials
        if let cachedCredentials {
            guard cachedCredentials.salt == salt, cachedCredentials.iterations == iterations else {
                throw .credentialsOutdated
            }
            credentials = cachedCredentials
        } else {
            guard iterations >= acceptedIterationCounts.lowerBound else { throw .iterationCountTooLow(iterations) }
            guard iterations <= acceptedIterationCounts.upperBound else { throw .iterationCountTooHigh(iterations) }
            guard var password = preparedPassword else {
                throw .protocolViolation("the password was already used")
            }
            defer {
                password.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
            }
            preparedPassword = nil
            credentials = try SCRAMCredentials.derive(preparedPassword: password, salt: salt, iterations: iterations, hash: hash)
        }

        // RFC 5802 §3: AuthMessage, ClientProof and the ServerSignature to expect.
        let withoutProof = "c=\(Base64.encode(channelBinding.bindingInput)),r=\(nonce)"
        let authMessage = Array("\(clientFirstBare),\(message.text),\(withoutProof)".utf8)
        let proof: [UInt8]
        let serverSignature: [UInt8]
        do {
            let storedKey = try hash.hash(credentials.clientKey)
            let clientSignature = try HMAC.authenticationCode(for: authMessage, key: storedKey, using: hash)
            proof = zip(credentials.clientKey, clientSignature).map { $0 ^ $1 }
            serverSignature = try HMAC.authenticationCode(for: authMessage, key: credentials.serverKey, using: hash)
        } catch {
            throw .cryptoFailure(String(describing: error))
        }
        state = .awaitingServerFinal(serverSignature: serverSignature, credentials: credentials)
        return Array("\(withoutProof),p=\(Base64.encode(proof))".utf8)
    }

    /// Checks a server-final-message (RFC 5802 §7: `server-error / verifier`, then extensions).
    private static func verifyServerFinal(_ data: [UInt8], expected: [UInt8]) throws(SASLError) {
        let attributes = try SCRAMAttributes(data, what: "server-final-message").attributes
        guard let first = attributes.first else {
            throw .malformedChallenge("the server-final-message is empty")
        }
        switch first.key {
        case "e":
            throw .scramServerError(String(first.value))
        case "v":
            guard let signature = Base64.decode(first.value) else {
                throw .malformedChallenge("the server signature (v=) is not base64")
            }
            guard ConstantTime.equals(signature, expected) else {
                throw .serverSignatureMismatch
            }
        default:
            throw .malformedChallenge("the server-final-message has neither v= nor e= (RFC 5802 §7)")
        }
    }

    /// Marks the exchange failed (every later call is refused), wipes the password, and returns
    /// `error` to throw.
    private mutating func failed(_ error: SASLError) -> SASLError {
        state = .failed
        preparedPassword?.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        preparedPassword = nil
        return error
    }

    // MARK: - Syntax (RFC 5802 §7)

    /// `saslname`: `=` as `=3D` and `,` as `=2C` (RFC 5802 §5.1).
    static func escape(_ username: String) -> String {
        var escaped = ""
        for character in username.unicodeScalars {
            switch character {
            case "=": escaped += "=3D"
            case ",": escaped += "=2C"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    /// `printable = %x21-2B / %x2D-7E` (RFC 5802 §7), at least one.
    static func isPrintable(_ text: Substring) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { (0x21...0x7E).contains($0) && $0 != 0x2C }
    }

    /// `posit-number = %x31-39 *DIGIT` (RFC 5802 §7). A number too large for `Int` counts as
    /// `Int.max`, which no accepted range reaches.
    static func parseIterationCount(_ text: Substring) throws(SASLError) -> Int {
        let digits = Array(text.utf8)
        guard let first = digits.first, (0x31...0x39).contains(first),
              digits.allSatisfy({ (0x30...0x39).contains($0) })
        else {
            throw .malformedChallenge("the iteration count (i=) is not a positive decimal number (RFC 5802 §7)")
        }
        var value = 0
        for digit in digits {
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(Int(digit - 0x30))
            if overflow1 || overflow2 { return Int.max }
            value = sum
        }
        return value
    }

    public var description: String {
        "SCRAMMechanism(\(name), gs2 \(channelBinding))"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(self, children: ["name": name, "channelBinding": channelBinding.description, "secret": "<redacted>"])
    }
}

/// A SCRAM message split into its `attr=value` pairs (RFC 5802 §7: `attr-val` joined by `,`).
struct SCRAMAttributes {
    /// The whole message as text (it goes into AuthMessage verbatim).
    let text: String
    let attributes: [(key: Character, value: Substring)]

    /// Throws ``SASLError/malformedChallenge(_:)`` unless `bytes` is UTF-8 made of `,`-separated
    /// attributes, each one ASCII letter, `=`, and a value.
    init(_ bytes: [UInt8], what: String) throws(SASLError) {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .malformedChallenge("the \(what) is not UTF-8")
        }
        guard !text.isEmpty else {
            throw .malformedChallenge("the \(what) is empty")
        }
        var attributes: [(key: Character, value: Substring)] = []
        for (index, part) in text.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
            let utf8 = Array(part.utf8.prefix(2))
            guard utf8.count == 2, utf8[1] == 0x3D,
                  (0x41...0x5A).contains(utf8[0]) || (0x61...0x7A).contains(utf8[0])
            else {
                throw .malformedChallenge("attribute \(index + 1) of the \(what) is not of the form a=value (RFC 5802 §7)")
            }
            attributes.append((Character(Unicode.Scalar(utf8[0])), part.dropFirst(2)))
        }
        self.text = text
        self.attributes = attributes
    }
}
