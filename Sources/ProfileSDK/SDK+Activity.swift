import XMPPCore
import XMPPExtensions
import XMPPXML

extension SDK {
    /// Seconds since a user was last seen: XEP-0012 on their bare JID (0 while online).
    /// 403 without a presence subscription, 404 for an unknown user.
    public func getLastSeen(toUserJid: String) async throws -> SDKResponse<LastSeen> {
        let jid = try userJID(toUserJid)
        let lastActivity = try await module(LastActivityModule.self)
        do {
            let activity = try await lastActivity.lastActivity(of: jid)
            return SDKResponse(data: LastSeen(fromUserJid: jid.description, seconds: activity.seconds))
        } catch let error as StanzaError {
            switch error.condition {
            case .forbidden, .subscriptionRequired, .notAuthorized:
                throw SDKError(statusCode: 403, message: "Not Permitted: no presence subscription", condition: error.condition.rawValue)
            case .itemNotFound, .serviceUnavailable, .remoteServerNotFound:
                throw SDKError(statusCode: 404, message: "User Not Found", condition: error.condition.rawValue)
            default:
                throw SDKError(error)
            }
        } catch {
            throw SDKError(error)
        }
    }

    /// Sends a message to the server's feedback address (XEP-0157); 403 when it publishes none.
    @discardableResult
    public func sendFeedback(title: String, description: String) async throws -> SDKResponse<NoData> {
        guard !title.trimmingWhitespace.isEmpty else { throw SDKError.invalid("title", "must not be empty") }
        guard !description.trimmingWhitespace.isEmpty else { throw SDKError.invalid("description", "must not be empty") }
        let client = try await requireClient()
        let addresses = try await module(ContactAddressesModule.self)
        let feedback: JID
        do {
            guard let found = try await addresses.serverAddresses()?.jids(for: .feedback).first else {
                throw SDKError.notSupported("feedback address (XEP-0157)")
            }
            feedback = found
        } catch let error as SDKError {
            throw error
        } catch {
            throw SDKError(error)
        }
        var message = Message(.normal, to: feedback, body: description)
        message.append(XMLElement("subject", namespace: "jabber:client", text: title))
        do { try await client.send(message) } catch { throw SDKError(error) }
        return SDKResponse()
    }
}
