extension ChannelBindingType {
    /// XMPPKit's ranking of channel-binding types, strongest last, used both to choose among the
    /// types a server lists (XEP-0440) and to compare against a ``SASLPin``:
    ///
    /// - `tls-unique` (RFC 5929 §3) is weakest: defined for TLS ≤ 1.2 only, and open to the
    ///   triple-handshake attack without the extended master secret (RFC 7627).
    /// - `tls-server-end-point` (RFC 5929 §4) binds to the server certificate only, not to the
    ///   connection.
    /// - `tls-exporter` (RFC 9266) binds to the connection's keys.
    static let saslStrengthOrder: [ChannelBindingType] = [.tlsUnique, .tlsServerEndPoint, .tlsExporter]

    /// The position in ``saslStrengthOrder``.
    var saslStrength: Int {
        Self.saslStrengthOrder.firstIndex(of: self) ?? 0
    }
}
