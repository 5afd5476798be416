import XMPPCore
import XMPPCrypto

/// The cryptography of QR login (Specs/qr-login.md §7): X25519, HKDF-SHA-256, AES-256-GCM.
enum QRLoginCrypto {
    static let namespace = "urn:xmppkit:qr-login:0"
    static let info = Array("urn:xmppkit:qr-login:0/key".utf8)

    /// `LP(x)`: a 4-byte big-endian length, then `x`.
    static func lengthPrefixed(_ bytes: [UInt8]) -> [UInt8] {
        let count = UInt32(bytes.count)
        return [UInt8(count >> 24), UInt8((count >> 16) & 0xFF), UInt8((count >> 8) & 0xFF), UInt8(count & 0xFF)] + bytes
    }

    /// §7.2 step 5: `K = HKDF-SHA-256(salt = N, IKM = Z, info = "urn:xmppkit:qr-login:0/key" ‖ E ‖ Q, L = 32)`.
    static func key(sharedSecret: [UInt8], nonce: [UInt8], scannerKey: [UInt8], newDeviceKey: [UInt8]) throws -> [UInt8] {
        try HKDF.deriveKey(inputKeyMaterial: sharedSecret, salt: nonce, info: info + scannerKey + newDeviceKey,
                           outputByteCount: 32, using: .sha256)
    }

    /// §7.2 step 7: `LP(ns) ‖ LP(J_new) ‖ LP(J_scan) ‖ LP(N) ‖ LP(exp)`.
    static func aad(newDevice: JID, scanner: JID, nonce: [UInt8], exp: Int) -> [UInt8] {
        lengthPrefixed(Array(namespace.utf8)) + lengthPrefixed(Array(newDevice.description.utf8))
            + lengthPrefixed(Array(scanner.description.utf8)) + lengthPrefixed(nonce) + lengthPrefixed(Array(String(exp).utf8))
    }

    /// The shared secret `X25519(k, u)`; nil for the all-zero result of a low-order key (RFC 7748 §6.1).
    static func sharedSecret(_ privateKey: X25519.PrivateKey, _ peer: [UInt8]) -> [UInt8]? {
        guard let key = try? X25519.PublicKey(rawRepresentation: peer), let secret = try? privateKey.sharedSecret(with: key),
              secret.contains(where: { $0 != 0 }) else { return nil }
        return secret
    }
}
