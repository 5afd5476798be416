import Testing
import XMPPCrypto

@Suite("HMAC (RFC 2104; vectors RFC 2202, RFC 4231)")
struct HMACTests {
    struct Vector: Decodable, Sendable, CustomTestStringConvertible {
        let `case`: Int
        let hash: HashFunction
        let key: String
        let data: String
        let mac: String
        /// RFC 4231 case 5 gives only this many leading bytes of the MAC.
        let truncatedTo: Int?
        var testDescription: String { "HMAC-\(hash.rawValue) case \(`case`)" }
    }

    static let rfc2202 = (try? Vectors.load("hmac-rfc2202.json", as: VectorList<Vector>.self).vectors) ?? []
    static let rfc4231 = (try? Vectors.load("hmac-rfc4231.json", as: VectorList<Vector>.self).vectors) ?? []

    @Test func vectorFilesLoad() throws {
        #expect(try Vectors.load("hmac-rfc2202.json", as: VectorList<Vector>.self).vectors.count == 7)
        #expect(try Vectors.load("hmac-rfc4231.json", as: VectorList<Vector>.self).vectors.count == 14)
    }

    @Test(arguments: rfc2202 + rfc4231)
    func rfcTestCases(_ vector: Vector) throws {
        let mac = try HMAC.authenticationCode(
            for: [UInt8](hex: vector.data), key: [UInt8](hex: vector.key), using: vector.hash)
        #expect(mac.count == vector.hash.digestLength)
        if let truncated = vector.truncatedTo {
            #expect(Array(mac.prefix(truncated)).hex == vector.mac)
        } else {
            #expect(mac.hex == vector.mac)
        }
    }

    @Test(arguments: HashFunction.allCases)
    func emptyKeyAndMessageWork(_ hash: HashFunction) throws {
        let mac = try HMAC.authenticationCode(for: [], key: [], using: hash)
        #expect(mac.count == hash.digestLength)
        // HMAC pads a short key with zeros (RFC 2104 §2), so an empty key equals a zero block.
        let zeros = try HMAC.authenticationCode(for: [], key: [UInt8](repeating: 0, count: 16), using: hash)
        #expect(mac == zeros)
    }
}
