import XMPPCore
import XMPPXML

/// How the stream-management step of negotiation ended.
public enum StreamManagementOutcome: Sendable {
    /// Not offered, not wanted, or refused (`<failed/>`).
    case unavailable
    /// §3: enabled on a fresh session.
    case enabled(StreamManagementState)
    /// §5: the previous session resumed; the server had handled `serverHandled` of our stanzas.
    case resumed(serverHandled: UInt32)
}

extension StreamNegotiator {
    /// XEP-0198 §5: asks to resume the previous session instead of binding.
    /// Returns nil when the server refuses (`<failed/>`, §5): then bind afresh.
    mutating func resume(previousID: String, handled: UInt32) async throws -> UInt32? {
        try await send(StreamManagementElement.resume(previousID: previousID, handled: handled))
        let answer = try await nextElement(in: XMPPNamespace.streamManagement, during: "stream resumption")
        switch answer.name {
        case "resumed":
            guard answer.attribute("previd") == previousID, let h = StreamManagementElement.handledCount(answer) else {
                throw XMPPClientError(.protocolViolation("<resumed/> without the previous id or a valid 'h' (XEP-0198 §5)"))
            }
            return h
        case "failed":
            logger.debug("stream resumption refused", metadata: ["xmpp.sm.condition": "\(answer.elements.first?.name ?? "none")"])
            return nil
        default:
            throw XMPPClientError(.protocolViolation("unexpected <\(answer.name)/> in answer to <resume/>"))
        }
    }

    /// XEP-0198 §3: enables stream management with resumption after binding.
    mutating func enableStreamManagement() async throws -> StreamManagementState? {
        try await send(StreamManagementElement.enable())
        while true {
            let element = try await nextElement(in: XMPPNamespace.streamManagement, during: "enabling stream management")
            switch element.name {
            case "enabled":
                let resumable = element.attribute("resume") == "true" || element.attribute("resume") == "1"
                return StreamManagementState(resumptionID: resumable ? element.attribute("id") : nil,
                                             maximumResumptionSeconds: element.attribute("max").flatMap { Int($0) },
                                             location: element.attribute("location"))
            case "failed":
                return nil
            case "r", "a":
                continue  // an early ack request before <enabled/> carries nothing yet
            default:
                throw XMPPClientError(.protocolViolation("unexpected <\(element.name)/> in answer to <enable/>"))
            }
        }
    }
}
