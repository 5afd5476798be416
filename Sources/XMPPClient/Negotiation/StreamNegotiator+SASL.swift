import XMPPCore
import XMPPXML

/// What SASL settled.
struct SASLOutcome: Sendable {
    var mechanism: SASLMechanismName
    var channelBinding: ChannelBindingType?
    var credentials: SCRAMCredentials?
    var pin: SASLPin
}

extension StreamNegotiator {
    /// RFC 6120 §6.4: chooses a mechanism under the policy and pin, runs the exchange, and verifies
    /// the server's final message.
    mutating func authenticate(features: StreamFeatures) async throws -> SASLOutcome {
        let transport: SASLTransportSecurity
        switch tlsSession?.version {
        case .some(.v1_3): transport = .tls13
        case .some(.v1_2): transport = .tls12
        case .none: transport = isWebSocketTLS ? .tls13 : .unencrypted
        }
        let selection: SASLSelection
        let mechanism: any SASLMechanism
        do {
            selection = try SASLMechanismSelector.select(
                offered: features.saslMechanisms,
                channelBindingTypes: features.channelBindingTypes.map { $0.compactMap(ChannelBindingType.init(rawValue:)) },
                transport: transport, availableBindings: tlsSession?.channelBindings ?? [:],
                credentials: configuration.credential, policy: configuration.sasl, pin: configuration.saslPin,
                preferred: configuration.preferredMechanism)
            mechanism = try selection.makeMechanism(username: configuration.jid.localpart ?? "", credentials: configuration.credential)
        } catch {
            throw XMPPClientError(.authentication(error))
        }
        logger.debug("SASL", metadata: ["xmpp.sasl.mechanism": "\(selection.mechanism)",
                                        "xmpp.sasl.binding": "\(selection.channelBindingType?.rawValue ?? "none")"])
        var running = mechanism
        try await exchange(&running, name: selection.mechanism)
        return SASLOutcome(mechanism: selection.mechanism, channelBinding: selection.channelBindingType,
                           credentials: (running as? SCRAMMechanism)?.derivedCredentials, pin: selection.updatedPin)
    }

    /// `<auth/>`, then `<challenge/>`/`<response/>` until `<success/>` or `<failure/>` (RFC 6120 §6.4.2–§6.4.6).
    private mutating func exchange(_ mechanism: inout any SASLMechanism, name: SASLMechanismName) async throws {
        do {
            let initial = try mechanism.initialResponse()
            var auth = XMLElement("auth", namespace: XMPPNamespace.sasl, attributes: ["mechanism": name.rawValue])
            // §6.4.2: an empty initial response is sent as "=", none at all as no text.
            if let initial { auth.append(text: initial.isEmpty ? "=" : Base64.encode(initial)) }
            try await send(auth)
            while true {
                let element = try await nextElement(in: XMPPNamespace.sasl, during: "SASL")
                switch element.name {
                case "challenge":
                    let challenge = try Self.decodePayload(element)
                    let response = try mechanism.respond(to: challenge)
                    try await send(XMLElement("response", namespace: XMPPNamespace.sasl, text: Base64.encode(response)))
                case "success":
                    let text = element.text.trimmingWhitespace
                    try mechanism.verifySuccess(text.isEmpty ? nil : try Self.decodePayload(element))
                    return
                case "failure":
                    let condition = element.elements.compactMap { SASLFailureCondition(rawValue: $0.name) }.first ?? .notAuthorized
                    let text = element.childText("text", namespace: XMPPNamespace.sasl)
                    throw SASLError.serverFailure(condition, text: text)
                default:
                    throw XMPPClientError(.protocolViolation("unexpected <\(element.name)/> during SASL"))
                }
            }
        } catch let error as SASLError {
            if !error.isServerRejection {
                // §6.4.5: abort the exchange we no longer trust, then stop.
                try? await send(XMLElement("abort", namespace: XMPPNamespace.sasl))
            }
            throw XMPPClientError(.authentication(error))
        }
    }

    private static func decodePayload(_ element: XMLElement) throws(SASLError) -> [UInt8] {
        let text = element.text.trimmingWhitespace
        if text.isEmpty || text == "=" { return [] }
        guard let bytes = Base64.decode(text) else {
            throw SASLError.malformedChallenge("the server's <\(element.name)/> is not base64 (RFC 6120 §6.4.2)")
        }
        return bytes
    }
}
