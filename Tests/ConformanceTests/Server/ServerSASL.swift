import Foundation
import TestSupport
import XMPPClient
import XMPPCore
import XMPPCrypto
import XMPPXML

/// One SASL exchange in progress (RFC 6120 §6.4).
struct SASLExchange {
    enum Step {
        /// The client sent no initial response; its first message comes in `<response/>`.
        case awaitingInitial
        /// SCRAM: the server-first message went out.
        case awaitingFinal
    }

    var mechanism: String
    var step: Step
    var scram: SCRAMServer?
    var username: String?
    /// The client used channel binding (`p=`).
    var binding = false
}

/// SASL (RFC 6120 §6) with SCRAM-SHA-1(-PLUS) (RFC 5802, XEP-0440), SCRAM-SHA-256 and PLAIN.
extension ServerConnection {
    /// Mechanisms the server implements, whatever it offers.
    static let implementedMechanisms: Set = ["SCRAM-SHA-1", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-256", "PLAIN"]

    /// The channel-binding types this TLS session defines (XEP-0440), best first.
    var offeredBindings: [ChannelBindingType] {
        [.tlsUnique, .tlsExporter, .tlsServerEndPoint].filter { tls?.channelBindings[$0] != nil }
    }

    /// Offered over TLS (§6.3.3); PLAIN only there (§13.9.4).
    var offeredMechanisms: [String] {
        if breaks("rfc6120-sasl-mechanisms") { return [] }
        let plus = offeredBindings.isEmpty ? [] : ["SCRAM-SHA-1-PLUS"]
        if breaks("rfc6120-sasl-scram-sha1") { return plus + ["SCRAM-SHA-256", "PLAIN"] }
        return plus + ["SCRAM-SHA-1", "PLAIN"]
    }

    func mechanismsElement() -> String {
        "<mechanisms xmlns='\(XMPPNamespace.sasl)'>" + offeredMechanisms.map { "<mechanism>\($0)</mechanism>" }.joined() + "</mechanisms>"
    }

    // MARK: - Exchange

    /// `<auth/>` (§6.4.2); true when it succeeded (the stream restarts).
    func auth(_ element: XMLElement) -> Bool {
        guard phase == .plaintext || phase == .secured else {
            streamError("policy-violation", text: "already authenticated")
            return false
        }
        let mechanism = element.attribute("mechanism") ?? ""
        if phase == .plaintext, !(breaks("rfc6120-tls-required") && mechanism == "PLAIN") {
            // §5.3.1: TLS is required before authentication.
            saslFailure("encryption-required")
            return false
        }
        guard Self.implementedMechanisms.contains(mechanism) else {
            saslFailure(breaks("rfc6120-sasl-invalid-mechanism") ? "not-authorized" : "invalid-mechanism")
            return false
        }
        saslAttempts += 1
        let text = element.text.trimmingWhitespace
        if text.isEmpty {
            // No initial response: an empty challenge asks for it (§6.4.2).
            sasl = SASLExchange(mechanism: mechanism, step: .awaitingInitial)
            write("<challenge xmlns='\(XMPPNamespace.sasl)'/>")
            return false
        }
        guard let payload = Self.decode(text) else {
            saslFailure(breaks("rfc6120-sasl-incorrect-encoding") ? "malformed-request" : "incorrect-encoding")
            return false
        }
        return initial(payload, mechanism: mechanism)
    }

    /// `<response/>` (§6.4.3).
    func response(_ element: XMLElement) -> Bool {
        guard let exchange = sasl else {
            saslFailure("malformed-request")
            return false
        }
        guard let payload = Self.decode(element.text.trimmingWhitespace) else {
            saslFailure(breaks("rfc6120-sasl-incorrect-encoding") ? "malformed-request" : "incorrect-encoding")
            return false
        }
        switch exchange.step {
        case .awaitingInitial:
            return initial(payload, mechanism: exchange.mechanism)
        case .awaitingFinal:
            return scramFinal(payload, exchange: exchange)
        }
    }

    /// `<abort/>` (§6.4.4).
    func abort() {
        sasl = nil
        saslFailure(breaks("rfc6120-sasl-abort") ? "not-authorized" : "aborted", retry: true)
    }

    private func initial(_ payload: [UInt8], mechanism: String) -> Bool {
        if mechanism == "PLAIN" {
            let parts = payload.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
            guard parts.count == 3 else {
                saslFailure("malformed-request")
                return false
            }
            guard let username = DirectoryState.normalize(parts[1]), directory.password(of: username) == parts[2] else {
                saslFailure(breaks("rfc6120-sasl-bad-password") ? "temporary-auth-failure" : "not-authorized")
                return false
            }
            succeed(username: username, additionalData: nil)
            return true
        }
        return scramFirst(String(decoding: payload, as: UTF8.self), mechanism: mechanism)
    }

    private func scramFirst(_ message: String, mechanism: String) -> Bool {
        let parts = message.split(separator: ",", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let name = SCRAMServer.attribute("n", in: parts[2]) else {
            saslFailure("malformed-request")
            return false
        }
        let plus = mechanism.hasSuffix("-PLUS")
        let flag = parts[0]
        var scram = SCRAMServer(password: "")
        scram.hash = mechanism.hasPrefix("SCRAM-SHA-256") ? .sha256 : .sha1
        // RFC 5802 §6: a 'y' client while we offer -PLUS is a downgrade.
        scram.offeredPlus = offeredMechanisms.contains { $0.hasSuffix("-PLUS") } && !breaks("rfc5802-scram-downgrade")
        if flag.hasPrefix("p=") {
            let type = ChannelBindingType(rawValue: String(flag.dropFirst(2)))
            guard plus, let type, let data = tls?.channelBindings[type] else {
                saslFailure("not-authorized")
                return false
            }
            scram.channelBindingData = data
        } else if plus {
            saslFailure("not-authorized")
            return false
        }
        // An unknown user goes through the motions and fails at the proof (RFC 5802 §5.1).
        let username = DirectoryState.normalize(Self.saslName(name))
        scram.password = username.flatMap { directory.password(of: $0) } ?? StanzaID.make()
        scram.saltedPassword = username.flatMap { directory.saltedPassword(of: $0, scram: scram) }
        switch scram.clientFirst(message) {
        case .challenge(let text):
            sasl = SASLExchange(mechanism: mechanism, step: .awaitingFinal, scram: scram, username: username, binding: flag.hasPrefix("p="))
            write("<challenge xmlns='\(XMPPNamespace.sasl)'>\(Data(text.utf8).base64EncodedString())</challenge>")
        case .failure(let condition):
            saslFailure(condition)
        case .success:
            saslFailure("malformed-request")
        }
        return false
    }

    private func scramFinal(_ payload: [UInt8], exchange: SASLExchange) -> Bool {
        guard var scram = exchange.scram else {
            saslFailure("malformed-request")
            return false
        }
        let message = String(decoding: payload, as: UTF8.self)
        if exchange.binding, breaks("rfc5802-scram-wrong-binding"),
           let channel = SCRAMServer.attribute("c", in: message), let data = Data(base64Encoded: channel),
           let comma = data.firstIndex(of: UInt8(ascii: ",")), let second = data[(comma + 1)...].firstIndex(of: UInt8(ascii: ",")) {
            // Ignore the binding data: take whatever the client sent after its GS2 header.
            scram.channelBindingData = Array(data[(second + 1)...])
        }
        let outcome = scram.clientFinal(message)
        sasl = nil
        switch outcome {
        case .success(let verifier):
            guard let username = exchange.username else {
                saslFailure("not-authorized")
                return false
            }
            if exchange.binding, breaks("rfc5802-scram-plus") {
                saslFailure("not-authorized")
                return false
            }
            // The misbehaviour spoils the first SCRAM-SHA-1 (not -PLUS) success on a stream.
            let spoil = breaks("rfc6120-sasl-success") && !exchange.binding && saslAttempts == 1
            succeed(username: username, additionalData: spoil ? Self.tampered(verifier) : verifier)
            return true
        case .failure(let condition):
            saslFailure(condition == "not-authorized" && breaks("rfc6120-sasl-bad-password") ? "temporary-auth-failure" : condition)
        case .challenge:
            saslFailure("malformed-request")
        }
        return false
    }

    /// §6.4.6: success; the client's next stream is a new one.
    private func succeed(username: String, additionalData: String?) {
        let payload = additionalData.map { Data($0.utf8).base64EncodedString() } ?? ""
        write("<success xmlns='\(XMPPNamespace.sasl)'>\(payload)</success>")
        user = username
        phase = .authenticated
        restartStream()
    }

    private func saslFailure(_ condition: String, retry: Bool = false) {
        sasl = nil
        write("<failure xmlns='\(XMPPNamespace.sasl)'><\(condition)/></failure>")
        if breaks("rfc6120-sasl-retry"), !retry {
            // No second attempt on this stream.
            write("</stream:stream>")
            close()
        }
    }

    /// A `v=` whose signature is wrong.
    private static func tampered(_ verifier: String) -> String {
        guard verifier.hasPrefix("v="), var signature = Data(base64Encoded: String(verifier.dropFirst(2))), !signature.isEmpty else {
            return "v=AAAA"
        }
        signature[signature.startIndex] ^= 0xFF
        return "v=" + signature.base64EncodedString()
    }

    /// Base64 (RFC 4648 §4) as SASL carries it; "=" is the empty response (§6.4.2). nil if invalid.
    static func decode(_ text: String) -> [UInt8]? {
        if text == "=" || text.isEmpty { return [] }
        return Data(base64Encoded: text).map { Array($0) }
    }

    /// RFC 5802 §5.1 saslname: "=2C" is ',' and "=3D" is '='.
    static func saslName(_ name: String) -> String {
        name.replacingOccurrences(of: "=2C", with: ",").replacingOccurrences(of: "=3D", with: "=")
    }
}
