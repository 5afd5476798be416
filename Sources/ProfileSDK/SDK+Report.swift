import Foundation
import XMPPCore
import XMPPExtensions
import XMPPXML

/// `reportUserOrGroup`'s MESSAGE_DATA_OBJECT (Specs/sdk/profile.json; the seed leaves its shape
/// open): `{"reason": "spam"|"abuse", "text": String, "messages": [ReportedMessage]}`, every key
/// optional, unknown keys ignored.
public struct ReportMessageData: Sendable, Hashable, Codable {
    /// `spam` (the default) or `abuse`: XEP-0377 §4's `urn:xmpp:reporting:spam|abuse`.
    public var reason: String?
    /// The reporter's explanation, ≤ 4096 characters.
    public var text: String?
    /// The reported messages, ≤ 100.
    public var messages: [ReportedMessage]?

    public init(reason: String? = nil, text: String? = nil, messages: [ReportedMessage]? = nil) {
        self.reason = reason
        self.text = text
        self.messages = messages
    }

    /// Reads the CLI's `--message-data` JSON text; 400 naming `messageData` unless it is an object
    /// of the documented shape.
    public static func parse(json: String) throws(SDKError) -> ReportMessageData {
        let bytes = Data(json.utf8)
        guard (try? JSONSerialization.jsonObject(with: bytes)) is [String: Any] else {
            throw .invalid("messageData", "not a JSON object")
        }
        do { return try JSONDecoder().decode(ReportMessageData.self, from: bytes) } catch {
            throw .invalid("messageData", "not the documented shape (reason, text, messages)")
        }
    }

    public static let maximumTextCharacters = 4096
    public static let maximumMessages = 100
}

/// One reported message: its XEP-0359 stanza id as the archive `by` assigned it, and what the
/// reporter saw.
public struct ReportedMessage: Sendable, Hashable, Codable {
    /// The message's stanza id (XEP-0359); required.
    public var msgId: String
    /// The archive that assigned `msgId`; default the reporter's bare JID.
    public var by: String?
    public var from: String?
    /// The body text as the reporter saw it.
    public var message: String?
    /// Milliseconds since 1970 or ISO 8601 text, as given.
    public var timestamp: String?

    public init(msgId: String, by: String? = nil, from: String? = nil, message: String? = nil, timestamp: String? = nil) {
        self.msgId = msgId
        self.by = by
        self.from = from
        self.message = message
        self.timestamp = timestamp
    }

    private enum CodingKeys: String, CodingKey { case msgId, by, from, message, timestamp }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        msgId = try container.decode(String.self, forKey: .msgId)
        by = try container.decodeIfPresent(String.self, forKey: .by)
        from = try container.decodeIfPresent(String.self, forKey: .from)
        message = try container.decodeIfPresent(String.self, forKey: .message)
        // A number of milliseconds or an ISO 8601 string.
        if let milliseconds = try? container.decodeIfPresent(Int64.self, forKey: .timestamp) {
            timestamp = String(milliseconds)
        } else {
            timestamp = try container.decodeIfPresent(String.self, forKey: .timestamp)
        }
    }
}

extension SDK {
    /// Reports a user or group (XEP-0377 0.4.1): when the server advertises `urn:xmpp:reporting:1`,
    /// a `<report/>` inside a XEP-0191 block item (§6: the JID is also blocked, told through
    /// `blockUserListener`); else a message to the server's first xmpp: abuse address (XEP-0157
    /// §3) naming the JID, the chat type and each message, carrying the same `<report/>`; else 403.
    @discardableResult
    public func reportUserOrGroup(toUserJid: String, chatType: String,
                                  messageData: ReportMessageData) async throws -> SDKResponse<NoData> {
        let jid = try userJID(toUserJid)
        let kind: String
        switch chatType.trimmingWhitespace.lowercased() {
        case "chat", "user": kind = "chat"
        case "groupchat", "group": kind = "groupchat"
        default: throw SDKError.invalid("chatType", "must be chat (user) or groupchat (group)")
        }
        let reason: SpamReport.Reason
        switch (messageData.reason ?? "spam").lowercased() {
        case "spam": reason = .spam
        case "abuse": reason = .abuse
        default: throw SDKError.invalid("messageData", "reason must be spam or abuse")
        }
        if let text = messageData.text, text.count > ReportMessageData.maximumTextCharacters {
            throw SDKError.invalid("messageData", "text longer than \(ReportMessageData.maximumTextCharacters) characters")
        }
        let messages = messageData.messages ?? []
        guard messages.count <= ReportMessageData.maximumMessages else {
            throw SDKError.invalid("messageData", "more than \(ReportMessageData.maximumMessages) messages")
        }
        var byJIDs: [JID?] = []
        for entry in messages {
            guard !entry.msgId.isEmpty, entry.msgId.utf8.count <= 1024 else {
                throw SDKError.invalid("messageData", "a message needs a msgId")
            }
            for value in [entry.from, entry.message, entry.timestamp] where (value?.utf8.count ?? 0) > 4096 {
                throw SDKError.invalid("messageData", "a message field is too long")
            }
            if let from = entry.from, (try? JID(from)) == nil { throw SDKError.invalid("messageData", "from is not a JID") }
            if let by = entry.by {
                guard let parsed = try? JID(by) else { throw SDKError.invalid("messageData", "by is not a JID") }
                byJIDs.append(parsed)
            } else {
                byJIDs.append(nil)
            }
        }

        let client = try await requireClient()
        guard let own = await client.boundJID?.bare else { throw SDKError.notLoggedIn }
        guard jid != own else { throw SDKError.invalid("toUserJid", "must not be your own JID") }
        let report = SpamReport(reason: reason,
                                stanzaIDs: zip(messages, byJIDs).map { StanzaIDReference(by: $1 ?? own, id: $0.msgId) },
                                texts: messageData.text.map { [SpamReport.Text($0)] } ?? [])
        let reporting = try await module(SpamReportingModule.self)
        let addresses = try await module(ContactAddressesModule.self)
        do {
            if try await reporting.isSupportedByServer() {
                try await reporting.report(jid, report)
                emit(.blockUser(jid: jid.description, blocked: true))
                return SDKResponse()
            }
            guard let abuse = try await addresses.serverAddresses()?.jids(for: .abuse).first else {
                throw SDKError.notSupported("reporting (XEP-0377 or XEP-0157 abuse address)")
            }
            var lines = ["Report (\(reason.rawValue)) of \(jid) (\(kind))"]
            if let text = messageData.text, !text.isEmpty { lines.append(text) }
            for entry in messages {
                let parts = [entry.from.map { "from \($0)" }, entry.timestamp.map { "at \($0)" }, "id \(entry.msgId)"]
                lines.append("- " + parts.compactMap { $0 }.joined(separator: ", ") + (entry.message.map { ": \($0)" } ?? ""))
            }
            var message = Message(.normal, to: abuse, body: lines.joined(separator: "\n"))
            message.append(XMLElement("subject", namespace: "jabber:client", text: "Abuse report: \(jid)"))
            message.append(report.element)
            try await client.send(message)
            return SDKResponse()
        } catch let error as SDKError {
            throw error
        } catch {
            throw SDKError(error)
        }
    }
}
