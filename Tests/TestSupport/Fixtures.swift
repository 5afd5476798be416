import Foundation

/// Locates files under the repository's top-level `Fixtures/` folder.
///
/// Tests run from a source checkout, so the folder is found relative to this file rather than
/// bundled as a resource: recordings and vectors stay readable, diffable files.
public enum Fixtures {
    /// `<repo>/Fixtures`.
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // TestSupport
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // repository root
        .appendingPathComponent("Fixtures", isDirectory: true)

    public static func url(_ relativePath: String) -> URL {
        root.appendingPathComponent(relativePath)
    }

    public static func data(_ relativePath: String) throws -> Data {
        try Data(contentsOf: url(relativePath))
    }

    public static func bytes(_ relativePath: String) throws -> [UInt8] {
        [UInt8](try data(relativePath))
    }

    public static func string(_ relativePath: String) throws -> String {
        try String(decoding: data(relativePath), as: UTF8.self)
    }

    /// The files directly inside a fixture folder, sorted by name.
    public static func files(in folder: String, withExtension ext: String? = nil) throws -> [URL] {
        let urls = try FileManager.default.contentsOfDirectory(
            at: url(folder), includingPropertiesForKeys: nil)
        return urls
            .filter { ext == nil || $0.pathExtension == ext }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }
}
