import Foundation
import Testing
import XMPPClient
import XMPPCrypto

/// ``SASLMechanismSelector``: strongest first, channel-binding choice (XEP-0440 or the default),
/// pins, PLAIN only over TLS, forcing, and never a silent fallback.
@Suite("SASL mechanism selection")
struct SASLSelectorTests {
    static let unique: [UInt8] = Array(repeating: 0x11, count: 12)
    static let exporter: [UInt8] = Array(repeating: 0x22, count: 32)
    static let endPoint: [UInt8] = Array(repeating: 0x33, count: 32)
    static let tls12Bindings: [ChannelBindingType: [UInt8]] = [.tlsUnique: unique, .tlsServerEndPoint: endPoint]
    static let tls13Bindings: [ChannelBindingType: [UInt8]] = [.tlsExporter: exporter, .tlsServerEndPoint: endPoint]
    static let allBindings: [ChannelBindingType: [UInt8]] = [.tlsUnique: unique, .tlsExporter: exporter, .tlsServerEndPoint: endPoint]

    /// What Debian's Prosody 0.12 offers on TLS 1.2 (DESIGN.md, "Server facts").
    static let prosodyTLS12 = ["SCRAM-SHA-1", "SCRAM-SHA-1-PLUS", "PLAIN"]
    static let everything = ["PLAIN", "SCRAM-SHA-1", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-256", "SCRAM-SHA-256-PLUS", "SCRAM-SHA-512", "SCRAM-SHA-512-PLUS", "ANONYMOUS"]

    static func select(
        _ offered: [String], cb: [ChannelBindingType]? = nil, transport: SASLTransportSecurity = .tls12,
        bindings: [ChannelBindingType: [UInt8]]? = nil, credentials: SASLCredentials = .password("pencil"),
        policy: SASLPolicy = SASLPolicy(), pin: SASLPin? = nil, preferred: SASLMechanismName? = nil
    ) throws(SASLError) -> SASLSelection {
        let available = bindings ?? (transport == .tls13 ? tls13Bindings : transport == .tls12 ? tls12Bindings : [:])
        return try SASLMechanismSelector.select(
            offered: offered, channelBindingTypes: cb, transport: transport, availableBindings: available,
            credentials: credentials, policy: policy, pin: pin, preferred: preferred)
    }

    // MARK: - Strongest first

    @Test func plusWithTheStrongestHashWins() throws {
        let selection = try Self.select(Self.everything)
        #expect(selection.mechanism == .scramSHA512Plus)
        #expect(selection.channelBinding == .bound(.tlsUnique, data: Self.unique))
        #expect(selection.channelBindingType == .tlsUnique)
    }

    @Test func plusBeatsAStrongerHash() throws {
        let selection = try Self.select(["SCRAM-SHA-1-PLUS", "SCRAM-SHA-512"])
        #expect(selection.mechanism == .scramSHA1Plus)
    }

    @Test func unknownAndInvalidNamesAreIgnored() throws {
        let selection = try Self.select(["X-OAUTH2", "DIGEST-MD5", "scram-sha-256", "SCRAM-SHA-1", "not a name", ""])
        #expect(selection.mechanism == .scramSHA1)
    }

    @Test func prosodyOnTLS12() throws {
        let selection = try Self.select(Self.prosodyTLS12)
        #expect(selection.mechanism == .scramSHA1Plus)
        #expect(selection.channelBinding == .bound(.tlsUnique, data: Self.unique))
        #expect(selection.updatedPin == SASLPin(strongestMechanism: .scramSHA1Plus))
    }

    // MARK: - GS2 flag for plain SCRAM

    @Test func clientThatCouldBindSaysYWhenNoPlusIsOffered() throws {
        // Prosody on TLS 1.3: -PLUS is not offered (tls-unique only).
        let selection = try Self.select(["SCRAM-SHA-1", "PLAIN"], transport: .tls13)
        #expect(selection.mechanism == .scramSHA1)
        #expect(selection.channelBinding == .supportedButNotOffered)
    }

    @Test func clientWithoutTLSSaysN() throws {
        let selection = try Self.select(["SCRAM-SHA-1"], transport: .unencrypted)
        #expect(selection.channelBinding == .unsupported)
    }

    @Test func clientWithTLSButNoBindingDataSaysN() throws {
        let selection = try Self.select(["SCRAM-SHA-256"], transport: .tls13, bindings: [:])
        #expect(selection.channelBinding == .unsupported)
    }

    @Test func forcedPlainSCRAMWhilePlusIsOfferedSaysN() throws {
        var policy = SASLPolicy()
        policy.requireChannelBindingWhenOffered = false
        let selection = try Self.select(Self.prosodyTLS12, policy: policy, preferred: .scramSHA1)
        #expect(selection.mechanism == .scramSHA1)
        #expect(selection.channelBinding == .unsupported, "y would make a binding server fail the exchange")
    }

    // MARK: - Channel-binding type

    @Test func xep0440ListIsIntersectedWithWhatTLSProvides() throws {
        // The server lists exporter and unique; TLS 1.2 without EMS gives unique and end-point.
        let selection = try Self.select(["SCRAM-SHA-256-PLUS"], cb: [.tlsExporter, .tlsUnique])
        #expect(selection.channelBindingType == .tlsUnique)
    }

    @Test func xep0440PrefersExporterThenEndPointThenUnique() throws {
        #expect(try Self.select(["SCRAM-SHA-256-PLUS"], cb: [.tlsUnique, .tlsServerEndPoint, .tlsExporter], bindings: Self.allBindings)
            .channelBindingType == .tlsExporter)
        #expect(try Self.select(["SCRAM-SHA-256-PLUS"], cb: [.tlsUnique, .tlsServerEndPoint], bindings: Self.allBindings)
            .channelBindingType == .tlsServerEndPoint)
        #expect(try Self.select(["SCRAM-SHA-256-PLUS"], cb: [.tlsUnique], bindings: Self.allBindings)
            .channelBindingType == .tlsUnique)
    }

    @Test func xep0440ListWithNothingUsableMeansNoBinding() throws {
        // Binding required by default: refuse rather than drop to plain SCRAM.
        #expect(throws: SASLError.channelBindingUnavailable) {
            try Self.select(["SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"], cb: [.tlsExporter], transport: .tls12)
        }
        // Allowed to go without: plain SCRAM with n (the server does bind, so not y).
        var policy = SASLPolicy()
        policy.requireChannelBindingWhenOffered = false
        let selection = try Self.select(["SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"], cb: [.tlsExporter], transport: .tls12, policy: policy)
        #expect(selection.mechanism == .scramSHA256)
        #expect(selection.channelBinding == .unsupported)
    }

    @Test func defaultWithoutXEP0440OnTLS12IsTLSUnique() throws {
        // Even when TLS 1.2 with the extended master secret also provides tls-exporter.
        let selection = try Self.select(["SCRAM-SHA-1-PLUS"], transport: .tls12, bindings: Self.allBindings)
        #expect(selection.channelBindingType == .tlsUnique)
    }

    @Test func defaultWithoutXEP0440OnTLS13IsTLSExporter() throws {
        let selection = try Self.select(["SCRAM-SHA-1-PLUS"], transport: .tls13)
        #expect(selection.channelBindingType == .tlsExporter)
        #expect(selection.channelBinding == .bound(.tlsExporter, data: Self.exporter))
    }

    @Test func defaultFallsBackToServerEndPoint() throws {
        #expect(try Self.select(["SCRAM-SHA-1-PLUS"], transport: .tls12, bindings: [.tlsServerEndPoint: Self.endPoint])
            .channelBindingType == .tlsServerEndPoint)
        #expect(try Self.select(["SCRAM-SHA-1-PLUS"], transport: .tls13, bindings: [.tlsServerEndPoint: Self.endPoint])
            .channelBindingType == .tlsServerEndPoint)
    }

    @Test func defaultCanBeOverriddenForAServerThatBindsDifferently() throws {
        var policy = SASLPolicy()
        policy.channelBindingWhenUnadvertised = .tlsServerEndPoint
        #expect(try Self.select(["SCRAM-SHA-1-PLUS"], transport: .tls13, policy: policy).channelBindingType == .tlsServerEndPoint)
        // Not when the server advertises its list.
        #expect(try Self.select(["SCRAM-SHA-1-PLUS"], cb: [.tlsExporter], transport: .tls13, policy: policy).channelBindingType == .tlsExporter)
    }

    @Test func bindingDataIsIgnoredWithoutTLS() throws {
        var policy = SASLPolicy()
        policy.requireChannelBindingWhenOffered = false
        let selection = try Self.select(["SCRAM-SHA-1-PLUS", "SCRAM-SHA-1"], transport: .unencrypted, bindings: Self.allBindings, policy: policy)
        #expect(selection.mechanism == .scramSHA1)
        #expect(selection.channelBinding == .unsupported)
    }

    // MARK: - Minimum and no silent fallback

    @Test func nothingAcceptableIsAnError() {
        #expect(throws: SASLError.noAcceptableMechanism(offered: [.plain])) { try Self.select(["PLAIN", "X-OAUTH2"]) }
        #expect(throws: SASLError.noAcceptableMechanism(offered: [])) { try Self.select(["DIGEST-MD5"]) }
    }

    @Test func minimumMechanismIsEnforced() {
        var policy = SASLPolicy()
        policy.minimumMechanism = .scramSHA256
        #expect(throws: SASLError.noAcceptableMechanism(offered: [.scramSHA1])) { try Self.select(["SCRAM-SHA-1"], policy: policy) }
    }

    @Test func channelBindingRequiredWhenOffered() throws {
        // ejabberd offers SCRAM-SHA-1-PLUS with tls-unique; without binding data we refuse.
        #expect(throws: SASLError.channelBindingUnavailable) {
            try Self.select(["SCRAM-SHA-1", "SCRAM-SHA-1-PLUS"], transport: .tls13, bindings: [:])
        }
    }

    @Test func preferredOrderRestrictsAndOrders() throws {
        var policy = SASLPolicy()
        policy.preferredOrder = [.scramSHA256Plus, .scramSHA256]
        #expect(try Self.select(Self.everything, policy: policy).mechanism == .scramSHA256Plus)
        #expect(throws: SASLError.self) { try Self.select(["SCRAM-SHA-1"], policy: policy) }
    }

    // MARK: - PLAIN

    @Test func plainIsOffByDefault() {
        #expect(throws: SASLError.noAcceptableMechanism(offered: [.plain])) { try Self.select(["PLAIN"]) }
    }

    @Test func plainOverTLSWhenAllowed() throws {
        var policy = SASLPolicy()
        policy.allowPlain = true
        let selection = try Self.select(["PLAIN"], transport: .tls13, policy: policy)
        #expect(selection.mechanism == .plain)
        #expect(try selection.makeMechanism(username: "user", credentials: .password("pencil")) is PlainMechanism)
        // SCRAM still wins when offered.
        #expect(try Self.select(["PLAIN", "SCRAM-SHA-1"], transport: .tls13, policy: policy).mechanism == .scramSHA1)
    }

    @Test func plainWithoutTLSIsRefusedEvenWhenAllowed() {
        var policy = SASLPolicy()
        policy.allowPlain = true
        policy.minimumMechanism = .plain
        // ejabberd offers PLAIN before STARTTLS.
        #expect(throws: SASLError.plainWithoutTLS) { try Self.select(["PLAIN", "X-OAUTH2"], transport: .unencrypted, policy: policy) }
        #expect(throws: SASLError.plainWithoutTLS) {
            try Self.select(["PLAIN", "SCRAM-SHA-1"], transport: .unencrypted, policy: policy, preferred: .plain)
        }
    }

    @Test func plainIsRefusedWhenBindingIsOffered() {
        var policy = SASLPolicy()
        policy.allowPlain = true
        #expect(throws: SASLError.self) { try Self.select(["PLAIN", "SCRAM-SHA-1-PLUS"], transport: .tls12, policy: policy, preferred: .plain) }
    }

    // MARK: - ANONYMOUS

    @Test func anonymousOnlyWhenAskedFor() throws {
        #expect(throws: SASLError.noAcceptableMechanism(offered: [.anonymous])) { try Self.select(["ANONYMOUS"]) }
        let selection = try Self.select(["ANONYMOUS", "SCRAM-SHA-1-PLUS"], credentials: .anonymous)
        #expect(selection.mechanism == .anonymous)
        #expect(selection.channelBinding == .unsupported)
        #expect(try selection.makeMechanism(username: "", credentials: .anonymous) is AnonymousMechanism)
        #expect(throws: SASLError.noAcceptableMechanism(offered: [.scramSHA1])) {
            try Self.select(["SCRAM-SHA-1"], credentials: .anonymous)
        }
    }

    // MARK: - Forcing (--mechanism)

    @Test func forcedMechanismIsUsedWhenOfferedAndAllowed() throws {
        #expect(try Self.select(Self.everything, preferred: .scramSHA256Plus).mechanism == .scramSHA256Plus)
        var policy = SASLPolicy()
        policy.requireChannelBindingWhenOffered = false
        #expect(try Self.select(Self.everything, policy: policy, preferred: .scramSHA1).mechanism == .scramSHA1)
    }

    @Test func forcedMechanismNotOfferedIsAnError() {
        #expect(throws: SASLError.mechanismNotOffered(.scramSHA512)) { try Self.select(Self.prosodyTLS12, preferred: .scramSHA512) }
    }

    @Test func forcedMechanismAgainstPolicyIsAnError() {
        // Plain SCRAM while -PLUS is offered and binding is required.
        #expect(throws: SASLError.self) { try Self.select(Self.prosodyTLS12, preferred: .scramSHA1) }
        // PLAIN not allowed.
        #expect(throws: SASLError.self) { try Self.select(["PLAIN", "SCRAM-SHA-1"], preferred: .plain) }
        // Below the minimum.
        var policy = SASLPolicy()
        policy.minimumMechanism = .scramSHA256
        #expect(throws: SASLError.self) { try Self.select(["SCRAM-SHA-1", "SCRAM-SHA-256"], policy: policy, preferred: .scramSHA1) }
        do {
            _ = try Self.select(["SCRAM-SHA-1", "SCRAM-SHA-256"], policy: policy, preferred: .scramSHA1)
        } catch {
            #expect(error.code == .policyViolation)
        }
    }

    // MARK: - Pins

    @Test func pinRefusesAStrippedPlus() {
        // The man-in-the-middle case: -PLUS pinned, only plain SCRAM offered now.
        let pin = SASLPin(strongestMechanism: .scramSHA1Plus)
        #expect(throws: SASLError.downgradeDetected(pinned: pin, offered: SASLPin(strongestMechanism: .scramSHA1))) {
            try Self.select(["SCRAM-SHA-1", "PLAIN"], pin: pin)
        }
    }

    @Test func pinRefusesAWeakerHash() {
        let pin = SASLPin(strongestMechanism: .scramSHA256)
        #expect(throws: SASLError.self) { try Self.select(["SCRAM-SHA-1"], transport: .tls13, pin: pin) }
    }

    @Test func pinRefusesAnOfferWithNothingKnown() {
        let pin = SASLPin(strongestMechanism: .scramSHA1)
        #expect(throws: SASLError.downgradeDetected(pinned: pin, offered: nil)) { try Self.select(["X-OAUTH2"], pin: pin) }
    }

    @Test func pinRefusesADowngradedChannelBindingList() {
        let pin = SASLPin(strongestMechanism: .scramSHA256Plus, strongestChannelBinding: .tlsExporter)
        #expect(throws: SASLError.self) {
            try Self.select(["SCRAM-SHA-256-PLUS"], cb: [.tlsServerEndPoint], transport: .tls13, pin: pin)
        }
        // A list that vanished is a downgrade too.
        #expect(throws: SASLError.self) { try Self.select(["SCRAM-SHA-256-PLUS"], transport: .tls13, pin: pin) }
    }

    @Test func pinAcceptsTheSameOrStronger() throws {
        let pin = SASLPin(strongestMechanism: .scramSHA1Plus)
        #expect(try Self.select(Self.prosodyTLS12, pin: pin).updatedPin == pin)
        let stronger = try Self.select(["SCRAM-SHA-256-PLUS", "SCRAM-SHA-1-PLUS"], cb: [.tlsUnique], pin: pin)
        #expect(stronger.updatedPin == SASLPin(strongestMechanism: .scramSHA256Plus, strongestChannelBinding: .tlsUnique))
    }

    @Test func pinIsNeverLowered() throws {
        let pin = SASLPin(strongestMechanism: .scramSHA512Plus, strongestChannelBinding: .tlsExporter)
        let selection = try Self.select(Self.everything, cb: [.tlsExporter, .tlsUnique], transport: .tls13, pin: pin)
        #expect(selection.updatedPin == pin)
    }

    @Test func firstLoginPinsTheOffer() throws {
        let selection = try Self.select(["SCRAM-SHA-1", "SCRAM-SHA-256-PLUS"], cb: [.tlsServerEndPoint, .tlsExporter], transport: .tls13)
        #expect(selection.updatedPin == SASLPin(strongestMechanism: .scramSHA256Plus, strongestChannelBinding: .tlsExporter))
    }

    @Test func pinIsCodable() throws {
        let pin = SASLPin(strongestMechanism: .scramSHA256Plus, strongestChannelBinding: .tlsExporter)
        let data = try JSONEncoder().encode(pin)
        #expect(String(decoding: data, as: UTF8.self).contains("\"SCRAM-SHA-256-PLUS\""))
        #expect(try JSONDecoder().decode(SASLPin.self, from: data) == pin)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(SASLPin.self, from: Data(#"{"strongestMechanism":"bad name"}"#.utf8))
        }
    }

    // MARK: - Cached credentials

    static func cached(_ hash: HashFunction) throws -> SASLCredentials {
        .scram(try SCRAMCredentials.derive(password: "pencil", salt: Array("saltsaltsaltsalt".utf8), iterations: 4096, hash: hash))
    }

    @Test func cachedCredentialsUseTheirHash() throws {
        let selection = try Self.select(Self.everything, credentials: Self.cached(.sha256))
        #expect(selection.mechanism == .scramSHA256Plus)
        #expect(try selection.makeMechanism(username: "user", credentials: Self.cached(.sha256)) is SCRAMMechanism)
    }

    @Test func cachedCredentialsForAHashNoLongerOfferedAreOutdated() throws {
        #expect(throws: SASLError.credentialsOutdated) {
            try Self.select(["SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"], credentials: Self.cached(.sha1))
        }
        // When only -PLUS of their hash is missing but binding is required: also outdated,
        // a password would pass (SCRAM-SHA-256-PLUS).
        #expect(throws: SASLError.credentialsOutdated) {
            try Self.select(["SCRAM-SHA-256-PLUS", "SCRAM-SHA-1"], credentials: Self.cached(.sha1))
        }
    }

    @Test func cachedCredentialsCannotDrivePlain() throws {
        var policy = SASLPolicy()
        policy.allowPlain = true
        #expect(throws: SASLError.self) { try Self.select(["PLAIN"], transport: .tls13, credentials: Self.cached(.sha1), policy: policy) }
    }

    @Test func makeMechanismRefusesOtherCredentials() throws {
        let selection = try Self.select(["SCRAM-SHA-1"])
        #expect(throws: SASLError.self) { try selection.makeMechanism(username: "u", credentials: .anonymous) }
    }
}
