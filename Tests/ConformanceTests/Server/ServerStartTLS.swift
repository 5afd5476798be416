import NIOCore
import XMPPClient
import XMPPCore
import XMPPXML

/// STARTTLS (RFC 6120 §5.4) and zlib stream compression (XEP-0138).
extension ServerConnection {
    /// `<starttls/>`: `<proceed/>`, then TLS 1.2 (so that tls-unique is defined, RFC 5929 §3)
    /// with the server's certificate. True when the stream restarts.
    func startTLS() -> Bool {
        guard phase == .plaintext, let context else {
            streamError("policy-violation", text: "TLS is already up")
            return false
        }
        if breaks("rfc6120-tls-proceed") {
            write("<failure xmlns='\(XMPPNamespace.tls)'/></stream:stream>")
            close()
            return false
        }
        write("<proceed xmlns='\(XMPPNamespace.tls)'/>")
        restartStream()
        do {
            let handler = try OpenSSLTLSHandler(
                serverCertificateChainFile: options.certificateFile, privateKeyFile: options.keyFile,
                minimumVersion: .v1_2, maximumVersion: .v1_2, handshakeTimeout: .seconds(10))
            try context.pipeline.syncOperations.addHandler(handler, position: .first)
            phase = .secured
        } catch {
            close()
        }
        return true
    }

    /// `<compress/>` (XEP-0138 §3): `<compressed/>`, then zlib both ways. True when the stream restarts.
    func compress(_ element: XMLElement) -> Bool {
        let failure = { (condition: String) in
            self.write("<failure xmlns='\(XMPPNamespace.compression)'><\(condition)/></failure>")
        }
        guard phase == .authenticated || phase == .bound, !compressed, let context else {
            failure("setup-failed")
            return false
        }
        guard element.childText("method", namespace: XMPPNamespace.compression)?.trimmingWhitespace == "zlib" else {
            failure("unsupported-method")
            return false
        }
        if breaks("xep0138-compression") {
            // Refuses the method it offers.
            failure("unsupported-method")
            return false
        }
        write("<compressed xmlns='\(XMPPNamespace.compression)'/>")
        do {
            try context.pipeline.syncOperations.addHandler(ZlibCompressionHandler(), position: .before(self))
        } catch {
            close()
            return false
        }
        compressed = true
        restartStream()
        return true
    }
}
