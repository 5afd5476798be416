import XMPPCore
import XMPPExtensions

extension SDK {
    /// Blocks a user (XEP-0191 §3.3), after telling them by the blocked-notice protocol
    /// (Specs/blocked-notice.md). 403 when the server offers no blocking command.
    @discardableResult
    public func blockUser(toUserJid: String) async throws -> SDKResponse<NoData> {
        let jid = try userJID(toUserJid)
        try await changeBlock(jid, blocked: true)
        return SDKResponse()
    }

    /// Unblocks a user (XEP-0191 §3.4), then tells them.
    @discardableResult
    public func unblockUser(toUserJid: String) async throws -> SDKResponse<NoData> {
        let jid = try userJID(toUserJid)
        try await changeBlock(jid, blocked: false)
        return SDKResponse()
    }

    private func changeBlock(_ jid: JID, blocked: Bool) async throws {
        let blocking = try await module(BlockingModule.self)
        let notices = try await module(BlockedNoticeModule.self)
        guard (try? await blocking.isSupportedByServer()) == true else { throw SDKError.notSupported("blocking (XEP-0191 or XEP-0016)") }
        do {
            if blocked { try await notices.block([jid]) } else { try await notices.unblock([jid]) }
        } catch {
            throw SDKError(error)
        }
        emit(.blockUser(jid: jid.description, blocked: blocked))
    }

    /// The blocklist (XEP-0191 §3.2).
    public func getUsersIBlocked() async throws -> SDKResponse<[BlockedUser]> {
        let blocking = try await module(BlockingModule.self)
        guard (try? await blocking.isSupportedByServer()) == true else { throw SDKError.notSupported("blocking (XEP-0191 or XEP-0016)") }
        do {
            return SDKResponse(data: try await blocking.blocklist(refresh: true).map { BlockedUser(jid: $0.description) })
        } catch {
            throw SDKError(error)
        }
    }

    /// Who told us they blocked us (blocked-notice protocol, kept in XEP-0049 private storage).
    public func getUsersWhoBlockedMe() async throws -> SDKResponse<[BlockedUser]> {
        let notices = try await module(BlockedNoticeModule.self)
        do {
            return SDKResponse(data: try await notices.refresh().map { BlockedUser(jid: $0.description) })
        } catch let error as StanzaError where error.condition == .serviceUnavailable || error.condition == .featureNotImplemented {
            throw SDKError.notSupported("private XML storage (XEP-0049)")
        } catch {
            throw SDKError(error)
        }
    }
}
