internal import COpenSSL
import NIOCore

/// One OpenSSL `SSL` object between two memory BIOs: the peer's ciphertext goes into the read BIO
/// (``feed(_:)``), OpenSSL's output comes out of the write BIO (``takeOutput(allocator:)``).
/// Nothing here touches a socket; ``OpenSSLTLSHandler`` moves the bytes. Memory BIOs never
/// block, so `SSL_ERROR_WANT_WRITE` cannot occur; it is still handled, by draining and retrying.
final class OpenSSLConnection {
    /// The result of driving the handshake.
    enum HandshakeResult {
        case complete
        case wantsMoreData
        case failed(TLSError)
    }

    /// The result of one decryption step.
    enum ReadResult {
        /// Plaintext was appended to the buffer.
        case decrypted
        /// Everything fed so far is consumed.
        case wantsMoreData
        /// The peer sent close_notify: no more data will come.
        case closeNotify
        case failed(TLSError)
    }

    let context: OpenSSLContext
    let isClient: Bool
    private let ssl: OpaquePointer
    private let readBIO: OpaquePointer
    private let writeBIO: OpaquePointer
    /// The first bytes the peer sent, to say what it spoke instead if the handshake fails.
    private var firstBytes: [UInt8] = []
    private var shutdownSent = false

    /// A connection from `context`. For a client, `serverName` is sent as SNI (unless it is an IP
    /// literal) and, when the context verifies the peer against a trust store, checked against the
    /// certificate's DNS (or IP) SANs (RFC 6125).
    init(context: OpenSSLContext, isClient: Bool, serverName: String?) throws(TLSError) {
        OpenSSLErrors.clear()
        guard let ssl = SSL_new(context.pointer) else {
            throw TLSError(.invalidConfiguration, OpenSSLErrors.describe("SSL_new failed"))
        }
        guard let readBIO = BIO_new(BIO_s_mem()) else {
            SSL_free(ssl)
            throw TLSError(.invalidConfiguration, OpenSSLErrors.describe("BIO_new failed"))
        }
        guard let writeBIO = BIO_new(BIO_s_mem()) else {
            BIO_free(readBIO)
            SSL_free(ssl)
            throw TLSError(.invalidConfiguration, OpenSSLErrors.describe("BIO_new failed"))
        }
        // An empty read BIO means "no data yet" (retry), never end of file: the end of the
        // connection is the channel's to report.
        _ = COpenSSL_BIO_set_mem_eof_return(readBIO, -1)
        _ = COpenSSL_BIO_set_mem_eof_return(writeBIO, -1)
        SSL_set_bio(ssl, readBIO, writeBIO)  // the SSL owns both BIOs from here on
        self.context = context
        self.isClient = isClient
        self.ssl = ssl
        self.readBIO = readBIO
        self.writeBIO = writeBIO

        if isClient {
            SSL_set_connect_state(ssl)
            try configureServerName(serverName)
        } else {
            SSL_set_accept_state(ssl)
        }
    }

    deinit {
        SSL_free(ssl)
    }

    private func configureServerName(_ serverName: String?) throws(TLSError) {
        guard var name = serverName, !name.isEmpty else { return }
        if name.hasSuffix(".") { name.removeLast() }  // RFC 6066 §3: no trailing dot
        let isIPAddress = (try? SocketAddress(ipAddress: name, port: 0)) != nil
        let checksName = context.verifiesPeer && !context.isPinned
        if isIPAddress {
            // RFC 6066 §3: "Literal IPv4 and IPv6 addresses are not permitted in HostName."
            if checksName, X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name) != 1 {
                throw TLSError(.invalidConfiguration, OpenSSLErrors.describe("cannot check IP address \(name)"))
            }
        } else {
            guard COpenSSL_SSL_set_tlsext_host_name(ssl, name) == 1 else {
                throw TLSError(.invalidConfiguration, OpenSSLErrors.describe("cannot send \(name) as SNI"))
            }
            if checksName {
                // RFC 6125 §6.4.3: a wildcard only as the complete left-most label.
                SSL_set_hostflags(ssl, UInt32(X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS))
                guard SSL_set1_host(ssl, name) == 1 else {
                    throw TLSError(.invalidConfiguration, OpenSSLErrors.describe("cannot check host name \(name)"))
                }
            }
        }
    }

    // MARK: Bytes in and out

    /// Hands the peer's bytes to OpenSSL (the read BIO keeps them until OpenSSL reads them).
    func feed(_ buffer: ByteBuffer) -> TLSError? {
        if firstBytes.count < 8 {
            firstBytes += buffer.readableBytesView.prefix(8 - firstBytes.count)
        }
        return buffer.withUnsafeReadableBytes { bytes -> TLSError? in
            var offset = 0
            while offset < bytes.count {
                let chunk = Int32(min(bytes.count - offset, 1 << 30))
                let written = BIO_write(readBIO, bytes.baseAddress.map { $0 + offset }, chunk)
                guard written > 0 else {
                    return TLSError(.protocolError, OpenSSLErrors.describe("cannot buffer \(bytes.count) received bytes"))
                }
                offset += Int(written)
            }
            return nil
        }
    }

    /// Whatever OpenSSL has written for the peer (handshake messages, records, alerts), or `nil`.
    func takeOutput(allocator: ByteBufferAllocator) -> ByteBuffer? {
        var pending = Int(BIO_ctrl_pending(writeBIO))
        guard pending > 0 else { return nil }
        var output = allocator.buffer(capacity: pending)
        while pending > 0 {
            let read = output.writeWithUnsafeMutableBytes(minimumWritableBytes: pending) { bytes in
                Int(max(0, BIO_read(writeBIO, bytes.baseAddress, Int32(min(bytes.count, Int(Int32.max))))))
            }
            if read == 0 { break }
            pending = Int(BIO_ctrl_pending(writeBIO))
        }
        return output.readableBytes > 0 ? output : nil
    }

    // MARK: Handshake

    /// Runs the handshake as far as the bytes fed so far allow.
    func handshake() -> HandshakeResult {
        for _ in 0..<8 {
            OpenSSLErrors.clear()
            let result = SSL_do_handshake(ssl)
            if result == 1 { return .complete }
            let error = SSL_get_error(ssl, result)
            switch error {
            case SSL_ERROR_WANT_READ:
                return .wantsMoreData
            case SSL_ERROR_WANT_WRITE:
                continue  // unreachable with a memory BIO; the caller drains the output anyway
            default:
                return .failed(handshakeError(sslError: error))
            }
        }
        return .failed(TLSError(.handshakeFailed, "OpenSSL kept asking to write during the handshake"))
    }

    private func handshakeError(sslError: Int32) -> TLSError {
        let verifyResult = SSL_get_verify_result(ssl)
        if isClient && context.verifiesPeer && verifyResult != Int(X509_V_OK) {
            let queued = OpenSSLErrors.drain().map { " (OpenSSL: \($0))" } ?? ""
            if context.isPinned {
                return TLSError(.pinMismatch, "the server's certificate does not match the pinned SHA-256 digest\(queued)")
            }
            let reason = OpenSSLErrors.string(from: X509_verify_cert_error_string(verifyResult))
                ?? "verify error \(verifyResult)"
            return TLSError(.certificateVerificationFailed, certificateError: reason,
                            "the server's certificate was refused: \(reason) (X509 error \(verifyResult))\(queued)")
        }
        // A TLS record starts with its content type: 20...23 (change_cipher_spec, alert,
        // handshake, application_data). Anything else means the peer is not speaking TLS.
        if let first = firstBytes.first, !(20...23).contains(first) {
            return TLSError(.protocolError, OpenSSLErrors.describe(
                "the peer is not speaking TLS; it sent \(Self.describeBytes(firstBytes))"))
        }
        switch sslError {
        case SSL_ERROR_ZERO_RETURN:
            return TLSError(.handshakeFailed, "the peer closed TLS (close_notify) during the handshake")
        case SSL_ERROR_SYSCALL:
            return TLSError(.handshakeFailed, OpenSSLErrors.describe("the handshake failed (SSL_ERROR_SYSCALL)"))
        default:
            return TLSError(.handshakeFailed, OpenSSLErrors.describe("the handshake failed"))
        }
    }

    /// Bytes as hex and, where printable, as ASCII: `3c 3f 78 6d ("<?xm")`.
    static func describeBytes(_ bytes: [UInt8]) -> String {
        let hex = bytes.map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }.joined(separator: " ")
        let ascii = String(decoding: bytes.map { (32...126).contains($0) ? $0 : UInt8(ascii: ".") }, as: UTF8.self)
        return "\(hex) (\"\(ascii)\")"
    }

    /// What the completed handshake established.
    func sessionInfo() -> Result<TLSSessionInfo, TLSError> {
        guard let version = TLSVersion(protocolNumber: SSL_version(ssl)) else {
            return .failure(TLSError(.protocolError, "negotiated unsupported protocol 0x\(String(SSL_version(ssl), radix: 16))"))
        }
        let cipher = SSL_get_current_cipher(ssl)
        let cipherName = OpenSSLErrors.string(from: SSL_CIPHER_standard_name(cipher))
            ?? OpenSSLErrors.string(from: SSL_CIPHER_get_name(cipher))
            ?? "unknown"
        var peerDigest: [UInt8]? = nil
        if let peer = SSL_get0_peer_certificate(ssl), let der = Certificate.der(peer) {
            peerDigest = Digest.compute(nid: NID_sha256, der)
        }
        let bindings = ChannelBindings.compute(ssl: ssl, version: version, isClient: isClient)
        return .success(TLSSessionInfo(version: version, cipherSuite: cipherName,
                                       peerCertificateSHA256: peerDigest, channelBindings: bindings))
    }

    /// RFC 5705 / RFC 8446 §7.5 keying material: `context` `nil` is "no context"
    /// (`use_context` = 0), which in TLS 1.2 differs from an empty one.
    func exportKeyingMaterial(label: String, length: Int, context: [UInt8]?) -> [UInt8]? {
        ChannelBindings.exportKeyingMaterial(ssl: ssl, label: Array(label.utf8), length: length, context: context)
    }

    // MARK: Data

    /// Decrypts into `buffer` (at most one record's worth per call).
    func read(into buffer: inout ByteBuffer) -> ReadResult {
        for _ in 0..<8 {
            OpenSSLErrors.clear()
            var result: Int32 = 0
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 16 * 1024) { bytes in
                var count = 0
                result = SSL_read_ex(ssl, bytes.baseAddress, bytes.count, &count)
                return result == 1 ? count : 0
            }
            if result == 1 { return .decrypted }
            let error = SSL_get_error(ssl, result)
            switch error {
            case SSL_ERROR_WANT_READ:
                return .wantsMoreData
            case SSL_ERROR_WANT_WRITE:
                continue
            case SSL_ERROR_ZERO_RETURN:
                return .closeNotify
            default:
                return .failed(TLSError(.protocolError, OpenSSLErrors.describe("cannot decrypt the peer's data")))
            }
        }
        return .failed(TLSError(.protocolError, "OpenSSL kept asking to write while reading"))
    }

    /// Encrypts all of `bytes` into records in the write BIO.
    func write(_ bytes: UnsafeRawBufferPointer) -> TLSError? {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return nil }
        var offset = 0
        var retries = 0
        while offset < bytes.count {
            OpenSSLErrors.clear()
            var written = 0
            let result = SSL_write_ex(ssl, base + offset, bytes.count - offset, &written)
            if result == 1 {
                offset += written
                continue
            }
            let error = SSL_get_error(ssl, result)
            if error == SSL_ERROR_WANT_WRITE || error == SSL_ERROR_WANT_READ, retries < 8 {
                retries += 1
                continue
            }
            return TLSError(.protocolError, OpenSSLErrors.describe("cannot encrypt \(bytes.count) bytes"))
        }
        return nil
    }

    /// Queues close_notify (RFC 8446 §6.1) once; the caller sends it with ``takeOutput(allocator:)``.
    func shutdown() {
        guard !shutdownSent else { return }
        shutdownSent = true
        OpenSSLErrors.clear()
        // 0: sent, waiting for the peer's; 1: both done; < 0: nothing more to do. Either way the
        // alert, if OpenSSL could write one, is in the write BIO.
        _ = SSL_shutdown(ssl)
        OpenSSLErrors.clear()
    }
}
