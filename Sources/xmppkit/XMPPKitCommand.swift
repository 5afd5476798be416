import ArgumentParser

/// `xmppkit`: the command-line face of XMPPKit. This file only lists the subcommands; each lives in
/// `Commands/`.
@main
struct XMPPKitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xmppkit",
        abstract: "A protocol-level XMPP toolkit: try the ProfileSDK (demo, sdk), connect to a server and see what it negotiates, and measure XMPPKit.",
        subcommands: [Demo.self, SDKCommand.self, QR.self, Connect.self, Bench.self]
    )
}
