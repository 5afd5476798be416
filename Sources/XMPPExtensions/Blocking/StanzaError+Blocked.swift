import XMPPCore
import XMPPXML

extension StanzaError {
    /// XEP-0191 §3.3: the error a server returns for a stanza we sent to a contact we blocked:
    /// `not-acceptable` with `<blocked xmlns='urn:xmpp:blocking:errors'/>`.
    public static var blockedByUs: StanzaError {
        StanzaError(.notAcceptable, type: .cancel, applicationCondition: XMLElement("blocked", namespace: BlockingCommand.errorsNamespace))
    }

    /// Whether this error says the stanza was refused because we blocked its recipient (XEP-0191
    /// §3.3). The `<blocked/>` condition decides; the defined condition should be `not-acceptable`
    /// but is not checked, so a server using another one is still understood.
    public var isBlockedByUs: Bool {
        applicationCondition?.name == "blocked" && applicationCondition?.namespace == BlockingCommand.errorsNamespace
    }
}
