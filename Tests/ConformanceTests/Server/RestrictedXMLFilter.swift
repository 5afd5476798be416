/// For the restricted-XML misbehaviours only (RFC 6120 §11.1): removes the comments, processing
/// instructions or document type declarations the server is to "ignore" before its parser (which
/// refuses them) sees them. A well-behaved server passes every byte through.
enum RestrictedXMLFilter {
    static func apply(to bytes: [UInt8], options: ServerOptions) -> [UInt8] {
        if options.breaks("rfc6120-restricted-xml-comment") { return remove(bytes, open: "<!--", close: "-->") }
        if options.breaks("rfc6120-restricted-xml-pi") { return remove(bytes, open: "<?", close: "?>", keepDeclaration: true) }
        if options.breaks("rfc6120-restricted-xml-dtd") { return remove(bytes, open: "<!DOCTYPE", close: "]>") }
        return bytes
    }

    /// `bytes` without each `open`…`close` span (within this one read).
    private static func remove(_ bytes: [UInt8], open: String, close: String, keepDeclaration: Bool = false) -> [UInt8] {
        let open = Array(open.utf8)
        let close = Array(close.utf8)
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index...].starts(with: open), !(keepDeclaration && bytes[index...].starts(with: Array("<?xml ".utf8))),
               let end = range(of: close, in: bytes, from: index + open.count) {
                index = end
                continue
            }
            result.append(bytes[index])
            index += 1
        }
        return result
    }

    /// The index just past the first `needle` at or after `start`.
    private static func range(of needle: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        var index = start
        while index + needle.count <= bytes.count {
            if bytes[index..<(index + needle.count)].elementsEqual(needle) { return index + needle.count }
            index += 1
        }
        return nil
    }
}
