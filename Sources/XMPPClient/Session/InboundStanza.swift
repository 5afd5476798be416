import XMPPCore

/// A stanza the session received and did not consume itself (IQ results go to their requests).
public enum InboundStanza: Sendable, Hashable {
    case message(Message)
    case presence(Presence)
    case iq(IQ)
}
