internal import COpenSSL

/// One `SSL_CTX`, owned: the settings every connection made from it shares (versions, trust
/// store, verification mode, server certificate and key). ``OpenSSLTLSHandler`` makes one per
/// handler: loading the trust store costs a few milliseconds, once per connection, which an XMPP
/// client (one long-lived connection per account) does not notice, and it keeps the pin (the
/// verify callback's argument) tied to the connection using it.
final class OpenSSLContext {
    let pointer: OpaquePointer
    /// The configured pin, kept alive here because the verify callback receives it as a raw
    /// pointer; `nil` unless the trust is a pin.
    private let pin: PinnedCertificate?
    /// Whether a client context verifies the peer (system store, CA file, or pin).
    let verifiesPeer: Bool
    /// Whether a verification failure means the pin did not match.
    var isPinned: Bool { pin != nil }

    /// A client context for `configuration`. Throws ``TLSError/Kind/invalidConfiguration`` for a
    /// pin that is not 32 bytes, a minimum version above the maximum, an unreadable CA file, or
    /// a verifying trust without ``TLSConfiguration/serverName``.
    init(client configuration: TLSConfiguration) throws(TLSError) {
        OpenSSLErrors.clear()
        guard let pointer = SSL_CTX_new(TLS_client_method()) else {
            throw TLSError(.invalidConfiguration, OpenSSLErrors.describe("SSL_CTX_new failed"))
        }
        self.pointer = pointer
        switch configuration.trust {
        case .pinnedCertificateSHA256(let digest):
            pin = PinnedCertificate(digest: digest)
            verifiesPeer = true
        case .insecureNoVerificationForTestingOnly:
            pin = nil
            verifiesPeer = false
        case .systemDefault, .certificateAuthorities:
            pin = nil
            verifiesPeer = true
        }
        // From here on, a throw deinitializes self, which frees the context.
        try Self.applyCommonSettings(pointer, minimum: configuration.minimumVersion, maximum: configuration.maximumVersion)

        switch configuration.trust {
        case .systemDefault:
            guard SSL_CTX_set_default_verify_paths(pointer) == 1 else {
                throw TLSError(.invalidConfiguration, OpenSSLErrors.describe("cannot load the system trust store"))
            }
        case .certificateAuthorities(let file):
            guard SSL_CTX_load_verify_locations(pointer, file, nil) == 1 else {
                throw TLSError(.invalidConfiguration, OpenSSLErrors.describe("cannot load CA certificates from \(file)"))
            }
        case .pinnedCertificateSHA256(let digest):
            guard digest.count == 32, let pin else {
                throw TLSError(.invalidConfiguration, "a SHA-256 certificate pin is 32 bytes, got \(digest.count)")
            }
            // The callback replaces chain building and verification entirely (SSL_CTX_set_cert_verify_callback(3));
            // with SSL_VERIFY_PEER its refusal aborts the handshake before the client's Finished.
            SSL_CTX_set_cert_verify_callback(pointer, verifyPinnedCertificate, Unmanaged.passUnretained(pin).toOpaque())
        case .insecureNoVerificationForTestingOnly:
            break
        }
        if verifiesPeer && pin == nil {
            guard let name = configuration.serverName, !name.isEmpty else {
                throw TLSError(.invalidConfiguration,
                               "a server name is required to verify the certificate (RFC 6125); "
                               + "only a pinned or insecure trust can do without one")
            }
        }
        SSL_CTX_set_verify(pointer, verifiesPeer ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nil)
    }

    /// A server context presenting the PEM certificate chain (leaf first) in `chainFile` with the
    /// PEM private key in `keyFile`. It asks for no client certificate.
    init(serverCertificateChainFile chainFile: String, privateKeyFile keyFile: String,
         minimumVersion: TLSVersion, maximumVersion: TLSVersion?) throws(TLSError) {
        OpenSSLErrors.clear()
        guard let pointer = SSL_CTX_new(TLS_server_method()) else {
            throw TLSError(.invalidConfiguration, OpenSSLErrors.describe("SSL_CTX_new failed"))
        }
        self.pointer = pointer
        pin = nil
        verifiesPeer = false
        try Self.applyCommonSettings(pointer, minimum: minimumVersion, maximum: maximumVersion)
        guard SSL_CTX_use_certificate_chain_file(pointer, chainFile) == 1 else {
            throw TLSError(.invalidConfiguration, OpenSSLErrors.describe("cannot load the certificate chain \(chainFile)"))
        }
        guard SSL_CTX_use_PrivateKey_file(pointer, keyFile, SSL_FILETYPE_PEM) == 1 else {
            throw TLSError(.invalidConfiguration, OpenSSLErrors.describe("cannot load the private key \(keyFile)"))
        }
        guard SSL_CTX_check_private_key(pointer) == 1 else {
            throw TLSError(.invalidConfiguration, OpenSSLErrors.describe("the private key does not match the certificate"))
        }
        SSL_CTX_set_verify(pointer, SSL_VERIFY_NONE, nil)
    }

    deinit {
        SSL_CTX_free(pointer)
    }

    /// Versions, renegotiation off, buffer modes: what clients and servers share.
    private static func applyCommonSettings(_ context: OpaquePointer, minimum: TLSVersion, maximum: TLSVersion?) throws(TLSError) {
        if let maximum, maximum < minimum {
            throw TLSError(.invalidConfiguration, "minimum version \(minimum) is above maximum version \(maximum)")
        }
        guard COpenSSL_SSL_CTX_set_min_proto_version(context, minimum.protocolNumber) == 1,
              COpenSSL_SSL_CTX_set_max_proto_version(context, maximum?.protocolNumber ?? 0) == 1
        else {
            throw TLSError(.invalidConfiguration, OpenSSLErrors.describe("cannot set the TLS versions"))
        }
        // No renegotiation: it would change tls-unique ("the most recent handshake") after the
        // handshake event reported it, and it has a history of attacks (RFC 5746, 3SHAKE).
        SSL_CTX_set_options(context, UInt64(COpenSSL_SSL_OP_NO_RENEGOTIATION))
        // Writes may be retried from a different address (the ByteBuffer may move); idle
        // connections give their read and write buffers back.
        _ = COpenSSL_SSL_CTX_set_mode(context, Int(SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS))
    }
}

extension TLSVersion {
    /// The protocol number OpenSSL uses (TLS1_2_VERSION, TLS1_3_VERSION).
    var protocolNumber: Int32 {
        switch self {
        case .v1_2: TLS1_2_VERSION
        case .v1_3: TLS1_3_VERSION
        }
    }

    /// The version for OpenSSL's protocol number, or `nil` for anything else.
    init?(protocolNumber: Int32) {
        switch protocolNumber {
        case TLS1_2_VERSION: self = .v1_2
        case TLS1_3_VERSION: self = .v1_3
        default: return nil
        }
    }
}

/// The configured SHA-256 pin, handed to ``verifyPinnedCertificate(_:_:)`` as its argument.
final class PinnedCertificate {
    let digest: [UInt8]
    init(digest: [UInt8]) { self.digest = digest }
}

/// The certificate-verify callback of a pinned client context: accepts the chain exactly when the
/// SHA-256 of the leaf certificate's DER equals the pin, and otherwise records
/// `X509_V_ERR_APPLICATION_VERIFICATION`, which the handler reports as a pin mismatch.
private func verifyPinnedCertificate(_ store: OpaquePointer?, _ argument: UnsafeMutableRawPointer?) -> Int32 {
    guard let store else { return 0 }
    guard let argument, let leaf = X509_STORE_CTX_get0_cert(store),
          let der = Certificate.der(leaf), let digest = Digest.compute(nid: NID_sha256, der)
    else {
        X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION)
        return 0
    }
    let pin = Unmanaged<PinnedCertificate>.fromOpaque(argument).takeUnretainedValue()
    // CRYPTO_memcmp: constant time, so the timing shows nothing of how much of the pin matched.
    let matches = digest.count == pin.digest.count && digest.withUnsafeBytes { lhs in
        pin.digest.withUnsafeBytes { rhs in CRYPTO_memcmp(lhs.baseAddress, rhs.baseAddress, lhs.count) == 0 }
    }
    guard matches else {
        X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION)
        return 0
    }
    X509_STORE_CTX_set_error(store, X509_V_OK)
    return 1
}
