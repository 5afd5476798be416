internal import COpenSSL

/// X25519 Diffie-Hellman over Curve25519 (RFC 7748 §5, §6.1), computed by OpenSSL's
/// `EVP_PKEY_X25519` raw keys. XMPPKit's QR login agrees a key with it, then feeds the shared
/// secret through ``HKDF`` into ``AESGCM``.
public enum X25519 {
    /// The length of keys and of the shared secret: 32 bytes (RFC 7748 §5).
    public static let keyByteCount = 32

    /// A private key: 32 bytes, used as a scalar after clamping (RFC 7748 §5, `decodeScalar25519`).
    ///
    /// Its description never shows the key bytes, so logging one leaks nothing.
    public struct PrivateKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
        /// The 32 raw bytes of the key, as RFC 7748 §6.1 writes them (before clamping).
        /// Secret: store it only where a password could be stored.
        public let rawRepresentation: [UInt8]

        /// The matching public key, `X25519(k, 9)` (RFC 7748 §6.1).
        public let publicKey: PublicKey

        /// A new random key: 32 bytes from ``SecureRandom`` (RFC 7748 §6.1).
        /// Throws `CryptoError.openSSLFailure` if random bytes or the public key cannot be made.
        public init() throws {
            try self.init(rawRepresentation: SecureRandom.bytes(count: X25519.keyByteCount))
        }

        /// A key from its 32 raw bytes. Throws `CryptoError.invalidKeyLength` for any other length.
        public init(rawRepresentation: [UInt8]) throws {
            try X25519.checkLength(rawRepresentation, "private")
            let key = try RawKey(privateKey: rawRepresentation)
            var publicBytes = [UInt8](repeating: 0, count: X25519.keyByteCount)
            var length = publicBytes.count
            let ok = publicBytes.withUnsafeMutableBufferPointer {
                EVP_PKEY_get_raw_public_key(key.pointer, $0.baseAddress, &length)
            }
            guard ok == 1, length == X25519.keyByteCount else {
                throw OpenSSLErrorQueue.failure("EVP_PKEY_get_raw_public_key(X25519)")
            }
            self.rawRepresentation = rawRepresentation
            self.publicKey = try PublicKey(rawRepresentation: publicBytes)
        }

        /// The shared secret `X25519(k, u)` with a peer's public key (RFC 7748 §5, §6.1): 32
        /// bytes, the same on both sides. Use it as input key material for ``HKDF``, never directly
        /// as a key.
        ///
        /// - Throws: `CryptoError.invalidPublicKey` if the result is all zeros, which RFC 7748
        ///   §6.1 tells implementations to check for: the peer sent a low-order point, and the
        ///   "secret" would be known to anyone. `CryptoError.openSSLFailure` if OpenSSL fails.
        public func sharedSecret(with peer: PublicKey) throws -> [UInt8] {
            let own = try RawKey(privateKey: rawRepresentation)
            let other = try RawKey(publicKey: peer.rawRepresentation)
            guard let context = EVP_PKEY_CTX_new(own.pointer, nil) else {
                throw OpenSSLErrorQueue.failure("EVP_PKEY_CTX_new(X25519)")
            }
            defer { EVP_PKEY_CTX_free(context) }
            guard EVP_PKEY_derive_init(context) == 1 else {
                throw OpenSSLErrorQueue.failure("EVP_PKEY_derive_init(X25519)")
            }
            guard EVP_PKEY_derive_set_peer(context, other.pointer) == 1 else {
                throw OpenSSLErrorQueue.failure("EVP_PKEY_derive_set_peer(X25519)")
            }
            var secret = [UInt8](repeating: 0, count: X25519.keyByteCount)
            var length = secret.count
            let derived = secret.withUnsafeMutableBufferPointer {
                EVP_PKEY_derive(context, $0.baseAddress, &length)
            }
            // OpenSSL itself refuses to return the all-zero secret (its X25519 derive fails then);
            // with two valid 32-byte keys that is the only way derive fails, so report it as such.
            guard derived == 1 else {
                throw CryptoError.invalidPublicKey.with(
                    detail: "X25519 with this public key fails, e.g. a low-order point giving the all-zero secret (RFC 7748 §6.1): \(OpenSSLErrorQueue.drain())")
            }
            guard length == X25519.keyByteCount else {
                throw CryptoError.openSSLFailure.with(detail: "X25519 derive returned \(length) bytes")
            }
            // Check again, in constant time, rather than trust that OpenSSL always will.
            guard !ConstantTime.equals(secret, [UInt8](repeating: 0, count: X25519.keyByteCount)) else {
                throw CryptoError.invalidPublicKey.with(
                    detail: "X25519 shared secret is all zeros: low-order public key (RFC 7748 §6.1)")
            }
            return secret
        }

        public var description: String { "X25519.PrivateKey(public: \(publicKey.hex))" }
        public var debugDescription: String { description }
    }

    /// A public key: a 32-byte u-coordinate (RFC 7748 §5, `decodeUCoordinate`; the top bit of the
    /// last byte is ignored, as the RFC requires).
    public struct PublicKey: Sendable, Hashable, CustomStringConvertible {
        /// The 32 raw bytes, little-endian, as on the wire.
        public let rawRepresentation: [UInt8]

        /// A key from its 32 raw bytes. Throws `CryptoError.invalidKeyLength` for any other
        /// length. Any 32 bytes are accepted here; a low-order point is caught by
        /// ``PrivateKey/sharedSecret(with:)``.
        public init(rawRepresentation: [UInt8]) throws {
            try X25519.checkLength(rawRepresentation, "public")
            self.rawRepresentation = rawRepresentation
        }

        public var description: String { "X25519.PublicKey(\(hex))" }

        var hex: String {
            rawRepresentation.map { byte in
                let digits = Array("0123456789abcdef")
                return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]])
            }.joined()
        }
    }

    fileprivate static func checkLength(_ bytes: [UInt8], _ which: String) throws {
        guard bytes.count == keyByteCount else {
            throw CryptoError.invalidKeyLength.with(
                detail: "X25519 \(which) key must be \(keyByteCount) bytes (RFC 7748 §5), got \(bytes.count)")
        }
    }
}

/// An `EVP_PKEY` holding an X25519 raw key, freed with the wrapper. Lives inside one call only.
private final class RawKey {
    let pointer: OpaquePointer

    init(privateKey bytes: [UInt8]) throws {
        let made = bytes.withNonNullPointer { EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nil, $0, $1) }
        guard let made else {
            throw OpenSSLErrorQueue.failure("EVP_PKEY_new_raw_private_key(X25519)")
        }
        pointer = made
    }

    init(publicKey bytes: [UInt8]) throws {
        let made = bytes.withNonNullPointer { EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nil, $0, $1) }
        guard let made else {
            throw OpenSSLErrorQueue.failure("EVP_PKEY_new_raw_public_key(X25519)")
        }
        pointer = made
    }

    deinit {
        EVP_PKEY_free(pointer)
    }
}
