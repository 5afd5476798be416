extension SDK {
    /// The token of the current login (or the one set with ``setUserToken(token:)``), without
    /// logging in again: the same SCRAM cached credentials ``getUserToken(username:password:)``
    /// returns (RFC 5802 §5.1), never the password. nil when there is none.
    public func currentUserToken() -> String? {
        storedToken?.encoded
    }

    /// The bare JID the current token belongs to, nil when there is none.
    public func currentUserTokenJid() -> String? {
        storedToken?.jid
    }
}
