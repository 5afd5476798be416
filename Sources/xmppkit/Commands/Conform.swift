import ArgumentParser
import Foundation
import XMPPClient
import XMPPConformance
import XMPPCore

extension XMPPKitCommand {
    /// `xmppkit conform`: checks a server against RFC 6120, RFC 6121 and the XEPs, rule by rule.
    struct Conform: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Test an XMPP server's conformance to RFC 6120, RFC 6121 and the XEPs, check by check.",
            discussion: """
                Each check cites the requirement it tests (Specs/conformance/*.json; --list prints them) and ends \
                pass, fail (with the evidence), not-applicable (the feature is not offered) or error (the check \
                could not be carried out). Exit codes: 0 every check passed or was not applicable; 1 a check \
                failed or could not be carried out; 2 usage errors, or the server or the accounts could not be \
                reached at all.
                """
        )

        enum Format: String, ExpressibleByArgument, CaseIterable {
            case text, json, junit
        }

        @Option(help: "The server's host name or address.")
        var host: String?

        @Option(help: "The client-to-server port.")
        var port = 5222

        @Option(help: "The XMPP domain (default: --host).")
        var domain: String?

        @Option(help: "An account on the server (bare JID).")
        var user: String?
        @Option(help: "Its password.")
        var password: String?
        @Option(help: "A second account, for the checks between two users.")
        var user2: String?
        @Option(help: "Its password.")
        var password2: String?
        @Option(help: "A third account, for the checks that need a stranger.")
        var user3: String?
        @Option(help: "Its password.")
        var password3: String?

        @Flag(help: "Register fresh accounts in-band (XEP-0077) for each check and remove them afterwards; checks then run side by side.")
        var register = false

        @Option(help: "Run only these checks (comma-separated ids).")
        var only: String?

        @Option(help: "text, json or junit.")
        var format: Format = .text

        @Option(help: "Write the report to this file instead of standard output.")
        var out: String?

        @Option(help: "Trust only the CA certificates in this PEM file.")
        var ca: String?

        @Option(help: "An RFC 7395 WebSocket endpoint (ws:// or wss://) for the WebSocket checks.")
        var websocket: String?

        @Option(help: "Highest TLS version to offer: 1.2 or 1.3.")
        var tlsMax: String?

        @Option(help: "How many checks run at once.")
        var concurrency = 8

        @Option(help: "Seconds one check may take.")
        var timeout = 30

        @Flag(help: "Print the checks (the catalog, as JSON) and exit.")
        var list = false

        func validate() throws {
            if list { return }
            guard host != nil else { throw ValidationError("--host is required") }
            if !register && user == nil { throw ValidationError("give --user and --password, or --register") }
            for (jid, password, name) in [(user, password, "--user"), (user2, password2, "--user2"), (user3, password3, "--user3")] {
                if jid != nil && password == nil { throw ValidationError("\(name) needs its password") }
                if let jid, (try? JID(jid))?.localpart == nil { throw ValidationError("\(name) \(jid) is not a bare JID with a localpart") }
            }
            if let tlsMax, tlsMax != "1.2" && tlsMax != "1.3" { throw ValidationError("--tls-max takes 1.2 or 1.3") }
            if let only {
                let unknown = ConformanceCatalog.select(ids(only)).unknown
                if !unknown.isEmpty { throw ValidationError("unknown check ids: \(unknown.joined(separator: ", ")) (see --list)") }
            }
            if concurrency < 1 || timeout < 1 { throw ValidationError("--concurrency and --timeout must be positive") }
        }

        func run() async throws {
            if list {
                print(try CatalogJSON.render(ConformanceCatalog.all))
                return
            }
            let configuration = try makeConfiguration()
            let checks = only.map { ConformanceCatalog.select(ids($0)).checks } ?? ConformanceCatalog.all
            let runner = ConformanceRunner(configuration: configuration)
            do {
                try await runner.verifyReachable()
                try await runner.verifyAccounts()
            } catch {
                FileHandle.standardError.write(Data("xmppkit conform: \(error)\n".utf8))
                throw ExitCode(2)
            }
            let progressOnTerminal = isatty(STDERR_FILENO) != 0
            let report = await runner.run(checks) { result, done in
                guard progressOnTerminal else { return }
                let line = TextReport.progress(result, done: done, of: checks.count, colours: true)
                FileHandle.standardError.write(Data("\r\u{1B}[2K\(line)".utf8))
            }
            if progressOnTerminal { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
            let rendered: String
            switch format {
            case .text: rendered = TextReport.render(report, colours: out == nil && isatty(STDOUT_FILENO) != 0)
            case .json: rendered = try JSONReport.render(report) + "\n"
            case .junit: rendered = try JUnitReport.render(report)
            }
            if let out {
                do {
                    try rendered.write(toFile: out, atomically: true, encoding: .utf8)
                } catch {
                    FileHandle.standardError.write(Data("xmppkit conform: cannot write \(out): \(error)\n".utf8))
                    throw ExitCode(2)
                }
                print(TextReport.summary(report))
            } else {
                print(rendered, terminator: "")
            }
            if !report.passed { throw ExitCode(1) }
        }

        private func ids(_ list: String) -> [String] {
            list.split(separator: ",").map { String($0).trimmingWhitespace }.filter { !$0.isEmpty }
        }

        private func makeConfiguration() throws -> ConformanceConfiguration {
            let host = host ?? ""
            var accounts: [ConformanceAccount] = []
            for (jid, password) in [(user, password), (user2, password2), (user3, password3)] {
                guard let jid, let password else { continue }
                accounts.append(ConformanceAccount(jid: try JID(jid), password: password))
            }
            var configuration = ConformanceConfiguration(
                host: host, port: port, domain: domain ?? host, trust: ca.map { .certificateAuthorities(file: $0) } ?? .systemDefault,
                accounts: register ? .register : .given(accounts), webSocketURL: websocket)
            if let tlsMax { configuration.maximumTLSVersion = tlsMax == "1.2" ? .v1_2 : .v1_3 }
            configuration.concurrency = concurrency
            configuration.checkTimeout = .seconds(timeout)
            return configuration
        }
    }
}
