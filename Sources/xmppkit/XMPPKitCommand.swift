import ArgumentParser
import Foundation

/// `xmppkit`: the command-line face of XMPPKit. This file only lists the subcommands; each lives in
/// `Commands/`.
@main
struct XMPPKitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xmppkit",
        abstract: "A protocol-level XMPP toolkit: try the ProfileSDK (demo, sdk), connect to a server and see what it negotiates, and measure XMPPKit.",
        subcommands: [Demo.self, SDKCommand.self, QR.self, Connect.self, Conform.self, Bench.self]
    )

    /// ArgumentParser's own `main`, except that `xmppkit conform` exits 2 on usage errors, as its
    /// help promises (a CI job tells "the server failed" (1) from "the job is misconfigured" (2)).
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if arguments.first == Conform.configuration.commandName ?? "conform", exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
