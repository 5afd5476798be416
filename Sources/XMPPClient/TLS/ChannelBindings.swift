internal import COpenSSL

/// The channel-binding data of a connection whose handshake just completed (RFC 5929, RFC 9266).
enum ChannelBindings {
    /// RFC 9266 §2: the exporter label.
    static let exporterLabel = Array("EXPORTER-Channel-Binding".utf8)
    /// RFC 9266 §2: 32 bytes.
    static let exporterLength = 32

    /// Every type `ssl` defines, for the side `isClient` names.
    static func compute(ssl: OpaquePointer, version: TLSVersion, isClient: Bool) -> [ChannelBindingType: [UInt8]] {
        var bindings: [ChannelBindingType: [UInt8]] = [:]
        if let unique = tlsUnique(ssl: ssl, version: version, isClient: isClient) {
            bindings[.tlsUnique] = unique
        }
        if let exporter = tlsExporter(ssl: ssl, version: version) {
            bindings[.tlsExporter] = exporter
        }
        let serverCertificate = isClient ? SSL_get0_peer_certificate(ssl) : SSL_get_certificate(ssl)
        if let serverCertificate, let endPoint = tlsServerEndPoint(certificate: serverCertificate) {
            bindings[.tlsServerEndPoint] = endPoint
        }
        return bindings
    }

    /// RFC 5929 §3.1: "the first TLS Finished message sent (note: the Finished struct, not the
    /// TLSPlaintext record it is enclosed in) in the most recent TLS handshake". In a full
    /// handshake the client's Finished comes first, in an abbreviated (resumed) one the server's;
    /// so a side uses its own Finished (`SSL_get_finished`) exactly when it is the client of a
    /// full handshake or the server of a resumed one, else the peer's (`SSL_get_peer_finished`).
    /// TLS 1.2 only: `nil` on TLS 1.3 (RFC 8446 §C.5).
    static func tlsUnique(ssl: OpaquePointer, version: TLSVersion, isClient: Bool) -> [UInt8]? {
        guard version == .v1_2 else { return nil }
        let resumed = SSL_session_reused(ssl) == 1
        var buffer = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        let length = buffer.withUnsafeMutableBytes { bytes in
            isClient != resumed
                ? SSL_get_finished(ssl, bytes.baseAddress, bytes.count)
                : SSL_get_peer_finished(ssl, bytes.baseAddress, bytes.count)
        }
        guard length > 0, length <= buffer.count else { return nil }
        return Array(buffer[..<length])
    }

    /// RFC 9266 §2: TLS-Exporter("EXPORTER-Channel-Binding", context value = zero-length
    /// string, 32). A zero-length context is a context (`use_context` = 1): in TLS 1.3 having none
    /// and having an empty one are the same (RFC 8446 §7.5), in TLS 1.2 they differ (RFC 5705 §4),
    /// and RFC 9266 names the empty string, as Prosody does. TLS 1.3 always; TLS 1.2 only when the
    /// extended master secret was negotiated (RFC 9266 §3, RFC 7627), else `nil`.
    static func tlsExporter(ssl: OpaquePointer, version: TLSVersion) -> [UInt8]? {
        if version == .v1_2 && COpenSSL_SSL_get_extms_support(ssl) != 1 { return nil }
        return exportKeyingMaterial(ssl: ssl, label: exporterLabel, length: exporterLength, context: [])
    }

    /// RFC 5705 / RFC 8446 §7.5 keying material; `context` `nil` is "no context"
    /// (`use_context` = 0), which in TLS 1.2 differs from an empty one.
    static func exportKeyingMaterial(ssl: OpaquePointer, label: [UInt8], length: Int, context: [UInt8]?) -> [UInt8]? {
        var output = [UInt8](repeating: 0, count: length)
        let contextBytes = context ?? []
        OpenSSLErrors.clear()
        let ok = output.withUnsafeMutableBufferPointer { out in
            label.withUnsafeBufferPointer { labelBytes in
                labelBytes.withMemoryRebound(to: CChar.self) { labelChars in
                    contextBytes.withUnsafeBufferPointer { contextPointer in
                        SSL_export_keying_material(ssl, out.baseAddress, out.count,
                                                   labelChars.baseAddress, labelChars.count,
                                                   contextPointer.baseAddress, contextPointer.count,
                                                   context == nil ? 0 : 1)
                    }
                }
            }
        }
        OpenSSLErrors.clear()
        return ok == 1 ? output : nil
    }

    /// RFC 5929 §4.1: the hash of the server's certificate (DER) with the hash function of the
    /// certificate's signatureAlgorithm, SHA-256 if that is MD5 or SHA-1; `nil` if the signature
    /// names no single hash (Ed25519, Ed448: RFC 5929 leaves the binding undefined).
    static func tlsServerEndPoint(certificate: OpaquePointer) -> [UInt8]? {
        var digestNID: Int32 = NID_undef
        var keyNID: Int32 = NID_undef
        var securityBits: Int32 = 0
        var flags: UInt32 = 0
        guard X509_get_signature_info(certificate, &digestNID, &keyNID, &securityBits, &flags) == 1 else {
            OpenSSLErrors.clear()
            return nil
        }
        switch digestNID {
        case NID_undef:
            return nil
        case NID_md5, NID_sha1, NID_md5_sha1:
            digestNID = NID_sha256
        default:
            break
        }
        guard let der = Certificate.der(certificate) else { return nil }
        return Digest.compute(nid: digestNID, der)
    }
}

/// X.509 certificates as bytes.
enum Certificate {
    /// The DER encoding of `certificate` (`i2d_X509`), or `nil` if OpenSSL cannot encode it.
    static func der(_ certificate: OpaquePointer) -> [UInt8]? {
        let length = i2d_X509(certificate, nil)
        guard length > 0 else {
            OpenSSLErrors.clear()
            return nil
        }
        var der = [UInt8](repeating: 0, count: Int(length))
        let written = der.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor = buffer.baseAddress
            return i2d_X509(certificate, &cursor)
        }
        guard written == length else {
            OpenSSLErrors.clear()
            return nil
        }
        return der
    }
}

/// Message digests by OpenSSL NID, for the hash a certificate's signature names.
enum Digest {
    /// The digest of `data` with the algorithm `nid` names, or `nil` if OpenSSL has no such digest.
    static func compute(nid: Int32, _ data: [UInt8]) -> [UInt8]? {
        guard let name = OBJ_nid2sn(nid), let algorithm = EVP_get_digestbyname(name) else {
            OpenSSLErrors.clear()
            return nil
        }
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var size: UInt32 = 0
        let ok = data.withUnsafeBytes { input in
            digest.withUnsafeMutableBufferPointer { output in
                EVP_Digest(input.baseAddress, input.count, output.baseAddress, &size, algorithm, nil)
            }
        }
        guard ok == 1, size > 0, Int(size) <= digest.count else {
            OpenSSLErrors.clear()
            return nil
        }
        return Array(digest[..<Int(size)])
    }
}
