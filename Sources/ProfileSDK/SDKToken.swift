import Foundation
import XMPPClient
import XMPPCore

/// The SDK token: the account's bare JID and its SCRAM cached credentials (RFC 5802 §5.1:
/// salt, iteration count, ClientKey and ServerKey; never the password), as
/// `XKT1.` + base64url(JSON). A token the server no longer accepts is "Token Expired" (401).
struct SDKToken: Sendable, Hashable, Codable {
    static let prefix = "XKT1."

    var jid: String
    var credentials: SCRAMCredentials

    var encoded: String {
        let json = (try? JSONEncoder().encode(self)) ?? Data()
        return Self.prefix + Data(json).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// Reads a token string; nil unless it is one this SDK wrote.
    init?(encoded: String) {
        guard encoded.hasPrefix(Self.prefix), encoded.utf8.count < 8192 else { return nil }
        var base64 = String(encoded.dropFirst(Self.prefix.count))
            .replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.utf8.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let token = try? JSONDecoder().decode(SDKToken.self, from: data),
              let jid = try? JID(token.jid), jid.localpart != nil, jid.resourcepart == nil else { return nil }
        self = token
    }

    init(jid: JID, credentials: SCRAMCredentials) {
        self.jid = jid.description
        self.credentials = credentials
    }
}
