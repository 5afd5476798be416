import Foundation
import Logging
import XMPPClient
import XMPPCore
import XMPPCrypto
import XMPPExtensions
import XMPPXML

/// The Profile SDK facade: the documented methods (Specs/sdk/profile.json), each `async throws`,
/// returning an ``SDKResponse`` or throwing an ``SDKError`` with the documented status code.
///
/// ```swift
/// let sdk = SDK()
/// try await sdk.initialize(configuration: SDKConfiguration(domain: "example.com"))
/// try await sdk.login(username: "juliet", password: "…")
/// let blocked = try await sdk.getUsersIBlocked().data
/// ```
///
/// Checks run in the documented order: initialized (405), parameters (400), session (405), network.
public actor SDK {
    private var configuration: SDKConfiguration?
    /// The logged-in session, nil when logged out.
    var client: XMPPClient?
    /// Set by `setUserToken` or a login: later logins use it instead of a password.
    var storedToken: SDKToken?
    /// `setMediaEncryption(enabled:)`: later image uploads are AES-256-GCM encrypted (XEP-0454).
    var mediaEncryption = false
    private var watchers: [Task<Void, Never>] = []
    private let broadcaster = EventBroadcaster<SDKEvent>()

    public init() {}

    /// Every listener event, as a stream (the callbacks in ``SDKListeners`` get the same).
    public nonisolated var events: AsyncStream<SDKEvent> { broadcaster.subscribe() }

    // MARK: - Set-up

    /// Checks and stores the configuration (Specs/sdk/profile.json `initialize`). 405 while logged
    /// in; 400 naming `configuration.<field>` for a field that is invalid. Sets media encryption
    /// to ``SDKConfiguration/mediaEncryption``. No network traffic.
    @discardableResult
    public func initialize(configuration: SDKConfiguration) async throws -> SDKResponse<NoData> {
        guard client == nil else { throw SDKError(statusCode: 405, message: "Already Logged In") }
        var configuration = configuration
        try Self.validate(&configuration)
        // A code still waiting for a scan belongs to the old configuration (Specs/qr-login.md §8.1).
        await cancelPendingQRCode()
        self.configuration = configuration
        mediaEncryption = configuration.mediaEncryption
        return SDKResponse()
    }

    /// The checks of `initialize`, in field order; `domain` and `sandboxDomain` come back
    /// normalized (RFC 7622 §3.2: lowercased).
    static func validate(_ configuration: inout SDKConfiguration) throws(SDKError) {
        guard let domain = try? JID(domainpart: configuration.domain) else {
            throw SDKError.invalid("configuration.domain", "not a domain (RFC 7622 §3.2)")
        }
        configuration.domain = domain.domainpart
        if let host = configuration.host, !Self.isHostName(host) {
            throw SDKError.invalid("configuration.host", "not a host name or IP address")
        }
        if let port = configuration.port, !(1...65535).contains(port) {
            throw SDKError.invalid("configuration.port", "must be 1…65535")
        }
        if let caFile = configuration.caFile {
            // Read once here so a typo fails at initialize, not at the first login's TLS handshake.
            guard let pem = FileManager.default.contents(atPath: caFile) else {
                throw SDKError.invalid("configuration.caFile", "cannot read \(caFile)")
            }
            guard String(decoding: pem, as: UTF8.self).contains("-----BEGIN CERTIFICATE-----") else {
                throw SDKError.invalid("configuration.caFile", "\(caFile) holds no PEM certificate")
            }
        }
        if let sandbox = configuration.sandboxDomain {
            guard let jid = try? JID(domainpart: sandbox) else {
                throw SDKError.invalid("configuration.sandboxDomain", "not a domain (RFC 7622 §3.2)")
            }
            configuration.sandboxDomain = jid.domainpart
        }
        guard configuration.requestTimeout > .zero else {
            throw SDKError.invalid("configuration.requestTimeout", "must be more than 0 seconds")
        }
        for entry in configuration.trustedSignalServers ?? [] where (try? JID(domainpart: entry)) == nil || entry.contains("/") {
            throw SDKError.invalid("configuration.trustedSignalServers", "\"\(entry.prefix(64))\" is not a domain (RFC 7622 §3.2)")
        }
        if let resource = configuration.resource {
            do { _ = try JID(domainpart: configuration.domain, resourcepart: resource) } catch {
                throw SDKError.invalid("configuration.resource", "not a resourcepart (RFC 7622 §3.4): \(error)")
            }
        }
        guard configuration.maxImageBytes >= 1 else {
            throw SDKError.invalid("configuration.maxImageBytes", "must be at least 1")
        }
    }

    /// A DNS host name (RFC 1123 §2.1: letters, digits, hyphens, dots, ≤ 253 characters), an IPv4
    /// address, or an IPv6 address with or without brackets.
    static func isHostName(_ host: String) -> Bool {
        guard (1...253).contains(host.utf8.count) else { return false }
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if bare.contains(":") {
            return !bare.isEmpty && bare.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
        }
        let labels = bare.split(separator: ".", omittingEmptySubsequences: false)
        return labels.allSatisfy { label in
            (1...63).contains(label.count) && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }

    /// `xmppkit-` and 8 characters of the base32 alphabet (RFC 4648 §6, lowercased): 40 random bits.
    static func makeResource() throws(SDKError) -> String {
        guard let bytes = try? SecureRandom.bytes(count: 5) else { throw SDKError(statusCode: 500, message: "Internal Error: no randomness") }
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567")
        let bits = bytes.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return "xmppkit-" + String((0..<8).map { alphabet[Int(bits >> UInt64(35 - 5 * $0) & 31)] })
    }

    func requireConfiguration() throws(SDKError) -> SDKConfiguration {
        guard let configuration else { throw .notInitialized }
        return configuration
    }

    /// ``SDKConfiguration/maxImageBytes``, or its default before `initialize`.
    var imageByteLimit: Int { configuration?.maxImageBytes ?? ProfileImageLimits.maximumBytes }

    /// The connected client; 405 "Not Logged In" otherwise.
    func requireClient() async throws(SDKError) -> XMPPClient {
        _ = try requireConfiguration()
        guard let client, await client.state == .connected else { throw .notLoggedIn }
        return client
    }

    /// A registered module of the session.
    func module<M: XMPPModule>(_ type: M.Type) async throws(SDKError) -> M {
        let client = try await requireClient()
        guard let module = await client.module(type) else { throw SDKError(statusCode: 500, message: "Internal Error: \(type) missing") }
        return module
    }

    // MARK: - Validation

    /// A username (RFC 7622 localpart) on the account domain.
    func accountJID(_ username: String, parameter: String, configuration: SDKConfiguration) throws(SDKError) -> JID {
        let trimmed = username.trimmingWhitespace
        guard !trimmed.isEmpty else { throw .invalid(parameter, "must not be empty") }
        do { return try JID(localpart: trimmed, domainpart: configuration.accountDomain) } catch {
            throw .invalid(parameter, "not a valid username (RFC 7622 §3.3): \(error)")
        }
    }

    /// Another user's JID: `user@domain`, or a bare username on the account domain; resources dropped.
    func userJID(_ value: String, parameter: String = "toUserJid") throws(SDKError) -> JID {
        let configuration = try requireConfiguration()
        let trimmed = value.trimmingWhitespace
        guard !trimmed.isEmpty else { throw .invalid(parameter, "must not be empty") }
        do {
            let jid = trimmed.contains("@") ? try JID(trimmed) : try JID(localpart: trimmed, domainpart: configuration.accountDomain)
            guard jid.localpart != nil else { throw SDKError.invalid(parameter, "not a user's JID") }
            return jid.bare
        } catch let error as SDKError {
            throw error
        } catch {
            throw .invalid(parameter, "not a valid JID (RFC 7622): \(error)")
        }
    }

    // MARK: - Sessions

    /// The client configuration for an account on the configured server.
    /// Its JID carries ``SDKConfiguration/resource`` (or a fresh random one), and it reconnects
    /// when ``SDKConfiguration/reconnect`` says so.
    func clientConfiguration(jid: JID, credential: SASLCredentials) throws(SDKError) -> XMPPClientConfiguration {
        let configuration = try requireConfiguration()
        let resource: String
        if let configured = configuration.resource { resource = configured } else { resource = try Self.makeResource() }
        let fullJID: JID
        do { fullJID = try JID(localpart: jid.localpart, domainpart: jid.domainpart, resourcepart: resource) } catch {
            throw SDKError.invalid("configuration.resource", "not a resourcepart (RFC 7622 §3.4): \(error)")
        }
        var tls = TLSConfiguration(trust: configuration.caFile.map { .certificateAuthorities(file: $0) } ?? .systemDefault,
                                   serverName: jid.domainpart)
        // Both test servers verify tls-unique channel binding only on TLS 1.2 (README, SASL matrix).
        tls.maximumVersion = .v1_2
        var logger = Logger(label: "xmppkit.sdk")
        logger.logLevel = .warning
        var clientConfiguration = XMPPClientConfiguration(jid: fullJID, credential: credential, host: configuration.host, port: configuration.port,
                                                          tls: tls, reconnect: configuration.reconnect ? ReconnectPolicy() : nil,
                                                          requestTimeout: configuration.requestTimeout, logger: logger)
        // The facade works through modules and never reads `stanzas`: keep nothing there.
        clientConfiguration.stanzaBufferLimit = 0
        return clientConfiguration
    }

    /// Logs in with `credential`, registers the modules the facade uses, announces presence.
    func startSession(jid: JID, credential: SASLCredentials) async throws -> NegotiatedSession {
        let client = XMPPClient(configuration: try clientConfiguration(jid: jid, credential: credential))
        let vCards = VCardModule(), avatars = VCardAvatarModule(), notices = BlockedNoticeModule(), ping = PingModule()
        // Subscribed before the session starts, so no event of its first moments is missed.
        let streams = SessionEvents(notices: notices.events, avatars: avatars.events, vCards: vCards)
        await client.register([ServiceDiscoveryModule(), RosterModule(), vCards, avatars, LastActivityModule(),
                               BlockingModule(), PrivateStorageModule(), notices,
                               ContactAddressesModule(), RegistrationModule(), ping,
                               HTTPUploadModule(), SpamReportingModule()])
        let session: NegotiatedSession
        do {
            session = try await client.connect()
        } catch let error as XMPPClientError {
            if case .authentication = error.kind { emit(.connection(.authFail)) } else { emit(.connection(.connectionFailed)) }
            throw error
        }
        self.client = client
        watch(client, streams)
        // VCardAvatarModule puts our avatar hash in it (XEP-0153 §4.1) and sends it again when
        // setUserProfile changes the photo, which is how contacts learn of a new profile.
        try await client.send(Presence())
        // One round trip (XEP-0199) before login returns: the server handles a stream's stanzas in
        // order (RFC 6120 §10.1), so by its answer it has made us available (a notice to our bare
        // JID now reaches this session rather than offline storage) and has handed over the
        // messages it kept offline (XEP-0160 §4). Best effort: a server without ping still answers.
        _ = try? await ping.ping()
        emit(.connection(.connected))
        return session
    }

    /// The module event streams a session's watchers read.
    struct SessionEvents: Sendable {
        var notices: AsyncStream<BlockedNoticeModule.Event>
        var avatars: AsyncStream<VCardAvatarModule.Event>
        var vCards: VCardModule
    }

    private func watch(_ client: XMPPClient, _ streams: SessionEvents) {
        let notices = Task { [weak self] in
            for await event in streams.notices {
                switch event {
                case .blockedMe(let jid): await self?.emit(.userBlockedMe(jid: jid.description, blocked: true))
                case .unblockedMe(let jid): await self?.emit(.userBlockedMe(jid: jid.description, blocked: false))
                }
            }
        }
        let profiles = Task { [weak self] in
            await Self.watchContactProfiles(streams.avatars, vCards: streams.vCards) { [weak self] profile in
                await self?.emit(.userProfile(profile))
            }
        }
        let states = Task { [weak self] in
            for await state in await client.stateUpdates() {
                switch state {
                case .reconnecting: await self?.emit(.connection(.reconnecting))
                case .disconnected, .connectionFailed:
                    await self?.emit(.connection(state == .disconnected ? .disconnected : .connectionFailed))
                    return
                default: break
                }
            }
        }
        watchers = [notices, profiles, states]
    }

    /// `userProfileListener` for contacts (XEP-0153 §3.2): when a contact's presence advertises a
    /// photo hash we had not seen from them (a new one, or the first one this session), or drops
    /// the photo they had advertised, their vCard is read and reported like `getUserProfile`.
    /// A first presence without a photo reports nothing (there is nothing new to show). One
    /// contact at a time, in the order presence arrived; a vCard that cannot be read is skipped.
    static func watchContactProfiles(_ events: AsyncStream<VCardAvatarModule.Event>, vCards: VCardModule,
                                     report: @Sendable (UserProfile) async -> Void) async {
        // Contacts whose last reported profile had a photo; bounded like the avatar module's memory.
        var withPhoto = Set<JID>()
        for await case .avatarChanged(let jid, let hash) in events {
            if hash == nil {
                guard withPhoto.remove(jid) != nil else { continue }
            } else {
                if withPhoto.count >= 10_000 { withPhoto.removeAll(keepingCapacity: true) }
                withPhoto.insert(jid)
            }
            guard let vCard = try? await vCards.vCard(of: jid) else { continue }
            await report(UserProfile(jid: jid, vCard: vCard))
        }
    }

    func endSession() async {
        guard let client else { return }
        self.client = nil
        await client.disconnect()
        for watcher in watchers { watcher.cancel() }
        watchers = []
    }

    /// Hands an event to the configured listener, then to the stream: whoever reads the stream
    /// sees the callback already done.
    func emit(_ event: SDKEvent) {
        configuration?.listeners.deliver(event)
        broadcaster.yield(event)
    }
}
