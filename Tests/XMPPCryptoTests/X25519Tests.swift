import Testing
import XMPPCrypto

@Suite("X25519 (RFC 7748)")
struct X25519Tests {
    struct File: VectorFile {
        struct ScalarMultiplication: Decodable, Sendable {
            let scalar: String
            let uCoordinate: String
            let output: String
        }
        struct Iterated: Decodable, Sendable {
            let start: String
            let after1: String
            let after1000: String
        }
        struct DiffieHellman: Decodable, Sendable {
            let alicePrivate: String
            let alicePublic: String
            let bobPrivate: String
            let bobPublic: String
            let sharedSecret: String
        }
        let source: String
        let scalarMultiplication: [ScalarMultiplication]
        let iterated: Iterated
        let diffieHellman: DiffieHellman
    }

    let vectors: File

    init() throws {
        vectors = try Vectors.load("x25519-rfc7748.json")
    }

    /// `X25519(k, u)` through the public API: `k` as a private key, `u` as a peer's public key.
    func x25519(_ k: [UInt8], _ u: [UInt8]) throws -> [UInt8] {
        try X25519.PrivateKey(rawRepresentation: k).sharedSecret(with: X25519.PublicKey(rawRepresentation: u))
    }

    @Test func section5_2Vectors() throws {
        #expect(vectors.scalarMultiplication.count == 2)
        for vector in vectors.scalarMultiplication {
            // The second vector's u has its top bit set, which RFC 7748 §5 says to ignore.
            let output = try x25519([UInt8](hex: vector.scalar), [UInt8](hex: vector.uCoordinate))
            #expect(output.hex == vector.output)
        }
    }

    @Test func section5_2IteratedTo1000() throws {
        var k = try [UInt8](hex: vectors.iterated.start)
        var u = k
        for iteration in 1...1000 {
            let next = try x25519(k, u)
            u = k
            k = next
            if iteration == 1 { #expect(k.hex == vectors.iterated.after1) }
        }
        #expect(k.hex == vectors.iterated.after1000)
    }

    @Test func section6_1DiffieHellman() throws {
        let dh = vectors.diffieHellman
        let alice = try X25519.PrivateKey(rawRepresentation: [UInt8](hex: dh.alicePrivate))
        let bob = try X25519.PrivateKey(rawRepresentation: [UInt8](hex: dh.bobPrivate))
        #expect(alice.publicKey.rawRepresentation.hex == dh.alicePublic)
        #expect(bob.publicKey.rawRepresentation.hex == dh.bobPublic)
        #expect(try alice.sharedSecret(with: bob.publicKey).hex == dh.sharedSecret)
        #expect(try bob.sharedSecret(with: alice.publicKey).hex == dh.sharedSecret)
        #expect(try alice.sharedSecret(with: X25519.PublicKey(rawRepresentation: [UInt8](hex: dh.bobPublic))).hex
            == dh.sharedSecret)
    }

    @Test func randomKeysAgree() throws {
        let a = try X25519.PrivateKey()
        let b = try X25519.PrivateKey()
        #expect(a.rawRepresentation.count == 32)
        #expect(a.rawRepresentation != b.rawRepresentation)
        let ab = try a.sharedSecret(with: b.publicKey)
        #expect(ab == (try b.sharedSecret(with: a.publicKey)))
        #expect(ab != [UInt8](repeating: 0, count: 32))
    }

    @Test func privateKeyRoundTripsThroughRawBytes() throws {
        let key = try X25519.PrivateKey()
        let copy = try X25519.PrivateKey(rawRepresentation: key.rawRepresentation)
        #expect(copy.publicKey == key.publicKey)
    }

    @Test func descriptionsDoNotShowThePrivateKey() throws {
        let key = try X25519.PrivateKey()
        #expect(!String(describing: key).contains(key.rawRepresentation.hex))
        #expect(!String(reflecting: key).contains(key.rawRepresentation.hex))
        #expect(String(describing: key).contains(key.publicKey.rawRepresentation.hex))
    }

    @Test(arguments: [0, 1, 31, 33, 64])
    func rejectsKeyLength(_ length: Int) {
        let bytes = [UInt8](repeating: 9, count: length)
        #expect(throws: CryptoError.invalidKeyLength) { try X25519.PrivateKey(rawRepresentation: bytes) }
        #expect(throws: CryptoError.invalidKeyLength) { try X25519.PublicKey(rawRepresentation: bytes) }
    }

    /// u-coordinates of points of small order (or that reduce to one), for which X25519 yields
    /// the all-zero secret that RFC 7748 §6.1 says to reject: 0, 1, p − 1, p, p + 1 (p = 2^255 − 19),
    /// and 0 with the ignored top bit set.
    static let lowOrderPoints: [String] = [
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "0000000000000000000000000000000000000000000000000000000000000080",
    ]

    @Test(arguments: lowOrderPoints)
    func rejectsLowOrderPublicKey(_ point: String) throws {
        let key = try X25519.PrivateKey()
        let peer = try X25519.PublicKey(rawRepresentation: [UInt8](hex: point))
        #expect(throws: CryptoError.invalidPublicKey) { try key.sharedSecret(with: peer) }
    }
}
