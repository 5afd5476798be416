import Foundation
import TestSupport
import XMPPCrypto

/// Reads a JSON vector file from `Fixtures/vectors/crypto/`. Every file states where its
/// vectors come from in a `"source"` field, which decoding requires.
protocol VectorFile: Decodable, Sendable {
    var source: String { get }
}

enum Vectors {
    static func load<File: VectorFile>(_ name: String, as type: File.Type = File.self) throws -> File {
        let file = try JSONDecoder().decode(File.self, from: Fixtures.data("vectors/crypto/\(name)"))
        guard !file.source.isEmpty else { throw MissingSource(file: name) }
        return file
    }
}

struct MissingSource: Error {
    let file: String
}

/// A file whose vectors sit in a `"vectors"` array.
struct VectorList<Vector: Decodable & Sendable>: VectorFile {
    let source: String
    let vectors: [Vector]
}

/// Vector files name their hash as the raw value ("sha1", "sha256", "sha512"). The library keeps
/// `HashFunction` free of `Codable`; the tests add it only to read their fixtures.
extension HashFunction: Decodable {}
