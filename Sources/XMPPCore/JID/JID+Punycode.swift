extension JID {
    /// Punycode (RFC 3492), for converting between A-labels and U-labels (RFC 5891 §5.3, §5.5).
    /// Both directions report failure, including arithmetic overflow (RFC 3492 §6.4), as `nil`.
    enum Punycode {
        private static let base = 36
        private static let tMin = 1
        private static let tMax = 26
        private static let skew = 38
        private static let damp = 700
        private static let initialBias = 72
        private static let initialN = 0x80

        /// RFC 3492 §6.1.
        private static func adapt(_ delta: Int, _ numPoints: Int, _ firstTime: Bool) -> Int {
            var delta = firstTime ? delta / damp : delta / 2
            delta += delta / numPoints
            var k = 0
            while delta > ((base - tMin) * tMax) / 2 {
                delta /= base - tMin
                k += base
            }
            return k + (base - tMin + 1) * delta / (delta + skew)
        }

        private static func threshold(_ k: Int, _ bias: Int) -> Int {
            k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias)
        }

        private static func digitValue(_ byte: UInt8) -> Int? {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"): return Int(byte - UInt8(ascii: "a"))
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): return Int(byte - UInt8(ascii: "A"))
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(byte - UInt8(ascii: "0")) + 26
            default: return nil
            }
        }

        private static func digitByte(_ digit: Int) -> UInt8 {
            digit < 26 ? UInt8(ascii: "a") + UInt8(digit) : UInt8(ascii: "0") + UInt8(digit - 26)
        }

        /// Decodes the part of an A-label after "xn--" (RFC 3492 §6.2).
        static func decode<Bytes: Collection<UInt8>>(_ input: Bytes) -> [Unicode.Scalar]? {
            let bytes = Array(input)
            var output: [Unicode.Scalar] = []
            var position = 0
            if let delimiter = bytes.lastIndex(of: UInt8(ascii: "-")) {
                for byte in bytes[..<delimiter] {
                    guard byte < 0x80 else { return nil }
                    output.append(Unicode.Scalar(byte))
                }
                position = delimiter + 1
            }
            var n = initialN
            var i = 0
            var bias = initialBias
            while position < bytes.count {
                let oldI = i
                var w = 1
                var k = base
                while true {
                    guard position < bytes.count, let digit = digitValue(bytes[position]) else { return nil }
                    position += 1
                    let (product, overflow1) = digit.multipliedReportingOverflow(by: w)
                    let (sum, overflow2) = i.addingReportingOverflow(product)
                    guard !overflow1, !overflow2 else { return nil }
                    i = sum
                    let t = threshold(k, bias)
                    if digit < t { break }
                    let (nextW, overflow3) = w.multipliedReportingOverflow(by: base - t)
                    guard !overflow3 else { return nil }
                    w = nextW
                    k += base
                }
                let count = output.count + 1
                bias = adapt(i - oldI, count, oldI == 0)
                let (nextN, overflow) = n.addingReportingOverflow(i / count)
                guard !overflow, nextN <= 0x10FFFF, let scalar = Unicode.Scalar(UInt32(nextN)),
                    nextN >= initialN
                else { return nil }
                n = nextN
                i %= count
                output.insert(scalar, at: i)
                i += 1
            }
            return output
        }

        /// Encodes a label (RFC 3492 §6.3), without the "xn--" prefix.
        static func encode(_ input: [Unicode.Scalar]) -> String? {
            var output: [UInt8] = input.filter { $0.isASCII }.map { UInt8($0.value) }
            let basicCount = output.count
            var handled = basicCount
            if basicCount > 0 { output.append(UInt8(ascii: "-")) }
            var n = initialN
            var delta = 0
            var bias = initialBias
            while handled < input.count {
                guard let m = input.lazy.map({ Int($0.value) }).filter({ $0 >= n }).min() else { return nil }
                let (step, overflow1) = (m - n).multipliedReportingOverflow(by: handled + 1)
                let (sum, overflow2) = delta.addingReportingOverflow(step)
                guard !overflow1, !overflow2 else { return nil }
                delta = sum
                n = m
                for scalar in input {
                    let c = Int(scalar.value)
                    if c < n {
                        delta += 1
                    } else if c == n {
                        var q = delta
                        var k = base
                        while true {
                            let t = threshold(k, bias)
                            if q < t { break }
                            output.append(digitByte(t + (q - t) % (base - t)))
                            q = (q - t) / (base - t)
                            k += base
                        }
                        output.append(digitByte(q))
                        bias = adapt(delta, handled + 1, handled == basicCount)
                        delta = 0
                        handled += 1
                    }
                }
                delta += 1
                n += 1
            }
            return String(decoding: output, as: UTF8.self)
        }
    }
}
