import ArgumentParser

/// `xmppkit`: the command-line face of XMPPKit. This file only lists the subcommands; each lives in
/// `Commands/`.
@main
struct XMPPKitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xmppkit",
        abstract: "A protocol-level XMPP toolkit: benchmarks, and (as it grows) a client, an SDK and a conformance tester.",
        subcommands: [Bench.self]
    )
}
