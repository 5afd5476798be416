/// Preparation of the domainpart (RFC 7622 §3.2). See `JID.init(_:)` for the rules.
extension JID {
    /// RFC 1035 §2.3.4.
    static let maximumLabelByteCount = 63

    static func prepareDomainpart(_ raw: Substring) throws(JIDError) -> String {
        var scalars = raw.unicodeScalars[...]
        // RFC 7622 §3.2: strip one trailing label separator before anything else.
        if let last = scalars.last, isLabelSeparator(last) { scalars = scalars.dropLast() }
        let utf8Count = Substring(scalars).utf8.count
        guard utf8Count > 0 else { throw .emptyDomainpart }
        guard utf8Count <= maximumRawPartByteCount else { throw .domainpartTooLong(byteCount: utf8Count) }

        let prepared: String
        if scalars.first == "[" {
            prepared = try prepareIPLiteral(Substring(scalars))
        } else if scalars.allSatisfy({ $0.isASCII }) {
            prepared = try prepareASCIIDomain(Array(Substring(scalars).utf8))
        } else {
            prepared = try prepareInternationalDomain(Array(scalars))
        }
        let count = prepared.utf8.count
        guard count <= maximumPartByteCount else { throw .domainpartTooLong(byteCount: count) }
        return prepared
    }

    /// Full stop and the three dots RFC 3490 §3.1 also treats as label separators.
    static func isLabelSeparator(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x2E, 0x3002, 0xFF0E, 0xFF61: return true
        default: return false
        }
    }

    // MARK: ASCII

    private static func prepareASCIIDomain(_ bytes: [UInt8]) throws(JIDError) -> String {
        var lowered = bytes
        var hasALabel = false
        for index in lowered.indices where lowered[index] >= 0x41 && lowered[index] <= 0x5A {
            lowered[index] += 0x20
        }
        let labels = lowered.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        for label in labels {
            try checkASCIILabel(label)
            if label.starts(with: "xn--".utf8) { hasALabel = true }
        }
        if let last = labels.last, last.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            try checkIPv4(labels)
        }
        if !hasALabel { return String(decoding: lowered, as: UTF8.self) }
        // RFC 7622 §3.2.1: A-labels become U-labels.
        var result: [String] = []
        for label in labels {
            if label.starts(with: "xn--".utf8) {
                result.append(try uLabel(fromALabel: label))
            } else {
                result.append(String(decoding: label, as: UTF8.self))
            }
        }
        return result.joined(separator: ".")
    }

    /// Letters, digits, "-" and "_"; 1–63 bytes; no hyphen at either end.
    private static func checkASCIILabel(_ label: ArraySlice<UInt8>) throws(JIDError) {
        guard let first = label.first, let last = label.last else {
            throw .invalidDomainpart(.emptyLabel)
        }
        guard label.count <= maximumLabelByteCount else {
            throw .invalidDomainpart(.labelTooLong(byteCount: label.count))
        }
        for byte in label {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"):
                continue
            default:
                throw .invalidDomainpart(.invalidCharacter(Unicode.Scalar(byte)))
            }
        }
        if first == UInt8(ascii: "-") || last == UInt8(ascii: "-") {
            throw .invalidDomainpart(.hyphenAtLabelEdge)
        }
    }

    /// A name whose last label is numeric must be a dotted-quad IPv4 address (RFC 3986 §3.2.2
    /// `IPv4address`; no top-level domain is all-numeric, RFC 3696 §2).
    private static func checkIPv4(_ labels: [ArraySlice<UInt8>]) throws(JIDError) {
        guard labels.count == 4 else { throw .invalidDomainpart(.invalidIPv4Address) }
        for label in labels {
            guard !label.isEmpty, label.count <= 3, label.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                label.count == 1 || label.first != UInt8(ascii: "0")
            else { throw .invalidDomainpart(.invalidIPv4Address) }
            let value = label.reduce(0) { $0 * 10 + Int($1 - 0x30) }
            guard value <= 255 else { throw .invalidDomainpart(.invalidIPv4Address) }
        }
    }

    /// Decodes an A-label and checks that it is the A-label of a valid U-label (RFC 5891 §5.3).
    private static func uLabel(fromALabel label: ArraySlice<UInt8>) throws(JIDError) -> String {
        let text = String(decoding: label, as: UTF8.self)
        guard let decoded = Punycode.decode(label.dropFirst(4)),
            decoded.contains(where: { !$0.isASCII }),
            mapInternationalLabel(decoded) == decoded,
            Punycode.encode(decoded).map({ "xn--" + $0 }) == text
        else { throw .invalidDomainpart(.invalidALabel(text)) }
        do {
            try checkInternationalLabel(decoded)
        } catch {
            if case .invalidDomainpart(.labelTooLong) = error { throw error }
            throw .invalidDomainpart(.invalidALabel(text))
        }
        return PRECISMapping.string(decoded)
    }

    // MARK: Internationalized

    private static func prepareInternationalDomain(_ input: [Unicode.Scalar]) throws(JIDError) -> String {
        var scalars = input
        for index in scalars.indices where isLabelSeparator(scalars[index]) { scalars[index] = "." }
        let labels = mapInternationalLabel(scalars).split(separator: ".", omittingEmptySubsequences: false)
        var result: [String] = []
        result.reserveCapacity(labels.count)
        for label in labels {
            if label.allSatisfy({ $0.isASCII }) {
                let bytes = label.map { UInt8($0.value) }
                try checkASCIILabel(bytes[...])
                result.append(bytes.starts(with: "xn--".utf8)
                    ? try uLabel(fromALabel: bytes[...]) : String(decoding: bytes, as: UTF8.self))
            } else {
                let array = Array(label)
                try checkInternationalLabel(array)
                result.append(PRECISMapping.string(array))
            }
        }
        if let last = labels.last, !last.isEmpty, last.allSatisfy({ $0.value >= 0x30 && $0.value <= 0x39 }) {
            // Digits with non-ASCII elsewhere: not an IPv4 address, not a valid name either.
            throw .invalidDomainpart(.invalidIPv4Address)
        }
        return result.joined(separator: ".")
    }

    /// Width mapping, lowercasing and NFC: what RFC 5895 / UTS #46 map before IDNA2008 checks,
    /// restricted to the mappings every implementation agrees on.
    static func mapInternationalLabel(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var mapped = scalars
        PRECISMapping.mapWidth(&mapped)
        PRECISMapping.lowercase(&mapped)
        return PRECISMapping.nfc(mapped)
    }

    /// A U-label's code points and shape (RFC 5891 §4.2.3, RFC 5892).
    private static func checkInternationalLabel(_ label: [Unicode.Scalar]) throws(JIDError) {
        guard let first = label.first else { throw .invalidDomainpart(.emptyLabel) }
        switch first.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark:
            throw .invalidDomainpart(.leadingCombiningMark(first))
        default:
            break
        }
        if label.first == "-" || label.last == "-" { throw .invalidDomainpart(.hyphenAtLabelEdge) }
        if label.count >= 4 && label[2] == "-" && label[3] == "-" {
            throw .invalidDomainpart(.hyphensInThirdAndFourthPositions)
        }
        for index in label.indices {
            let scalar = label[index]
            if scalar.isASCII {
                switch scalar {
                case "a"..."z", "0"..."9", "-", "_": continue
                default: throw .invalidDomainpart(.invalidCharacter(scalar))
                }
            }
            switch PRECISStringClass.identifier.derivedProperty(of: scalar) {
            case .pvalid:
                continue
            case .contextJ, .contextO:
                if PRECISContextRules.isSatisfied(at: index, in: label) { continue }
                throw .invalidDomainpart(.invalidCharacter(scalar))
            default:
                throw .invalidDomainpart(.invalidCharacter(scalar))
            }
        }
        // RFC 5890 §2.3.2.1: the A-label, "xn--" included, must fit in 63 bytes.
        guard let encoded = Punycode.encode(label) else {
            throw .invalidDomainpart(.labelTooLong(byteCount: Int.max))
        }
        let aLabelCount = 4 + encoded.utf8.count
        guard aLabelCount <= maximumLabelByteCount else {
            throw .invalidDomainpart(.labelTooLong(byteCount: aLabelCount))
        }
    }
}
