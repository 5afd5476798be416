import Foundation
import Logging
import Testing
import XMPPClient

/// The handler's one log line: a warning when verification is off.
@Suite struct TLSLoggingTests {
    @Test func insecureTrustLogsAWarning() throws {
        let entries = CapturedLog()
        let logger = Logger(label: "test") { _ in CapturingLogHandler(entries: entries) }
        _ = try OpenSSLTLSHandler(
            configuration: TLSConfiguration(trust: .insecureNoVerificationForTestingOnly, serverName: "xmpp.test"),
            logger: logger)
        let logged = entries.all
        #expect(logged.count == 1)
        #expect(logged.first?.level == .warning)
        #expect(logged.first?.message.contains("DISABLED") == true)
    }

    @Test func verifyingTrustLogsNothing() throws {
        let entries = CapturedLog()
        let logger = Logger(label: "test") { _ in CapturingLogHandler(entries: entries) }
        _ = try OpenSSLTLSHandler(configuration: testCAConfiguration(), logger: logger)
        _ = try OpenSSLTLSHandler(configuration: TLSConfiguration(serverName: "xmpp.test"), logger: logger)
        #expect(entries.all.isEmpty)
    }
}

final class CapturedLog: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [(level: Logger.Level, message: String)] = []

    func append(_ level: Logger.Level, _ message: String) {
        lock.lock()
        entries.append((level, message))
        lock.unlock()
    }

    var all: [(level: Logger.Level, message: String)] {
        lock.lock()
        defer { lock.unlock() }
        return entries
    }
}

struct CapturingLogHandler: LogHandler {
    let entries: CapturedLog
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        entries.append(event.level, event.message.description)
    }
}
