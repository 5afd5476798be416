import ArgumentParser
import Foundation
import ProfileSDK

extension XMPPKitCommand {
    /// `xmppkit qr show` and `xmppkit qr scan`: QR login (Specs/qr-login.md) from the shell, the two
    /// sides of `xmppkit sdk generateQrCode` and `xmppkit sdk loginWebChatViaQRCode`
    /// (Specs/sdk/profile.json `cli.otherCommands`).
    struct QR: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "qr",
            abstract: "Log a new device in with a QR code: show one (the new device) or scan one (a logged-in device).",
            discussion: """
                On the new device: `xmppkit qr show [--png FILE | --svg FILE] --signal-server URL --domain D …` \
                draws a login code (on the terminal, or into the file), waits for a logged-in device to scan it, \
                stores the session it receives in the --profile and prints the result as one JSON line.

                On a logged-in device: `xmppkit qr scan "<string>" --profile NAME` sends that profile's session \
                to the device showing the code.

                Both take the connection flags of `xmppkit sdk` (--host --port --domain --ca --sandbox --profile). \
                Exit status: 0 for a 2xx response, 1 for an SDK error, 64 for a usage error.
                """,
            subcommands: [Show.self, Scan.self]
        )
    }
}

extension XMPPKitCommand.QR {
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a login QR code, wait for a logged-in device to scan it, and store the session it sends.")

        @Option(help: "Write the code to this PNG file instead of drawing it on the terminal.") var png: String?
        @Option(help: "Write the code to this SVG file instead of drawing it on the terminal.") var svg: String?
        @Option(help: "An image file to centre in the code (error correction H).") var logo: String?
        @Option(help: "The signal server's WebSocket URL (an anonymous XMPP host, ?domain=D to name it); default $XMPPKIT_SIGNAL_SERVER.")
        var signalServer: String?
        @OptionGroup var global: SDKGlobalOptions

        func validate() throws {
            guard png == nil || svg == nil else { throw ValidationError("give --png or --svg, not both") }
        }

        func run() async throws {
            let output: QRCodeOutput = if let png { .png(png) } else if let svg { .svg(svg) } else { .terminal }
            guard let server = signalServer ?? ProcessInfo.processInfo.environment["XMPPKIT_SIGNAL_SERVER"] else {
                print(SDKInvocation.json(SDKError(
                    statusCode: 400, message: "Invalid parameter signalServer: give --signal-server ws(s)://HOST/PATH?domain=ANONYMOUS-DOMAIN "
                        + "or set XMPPKIT_SIGNAL_SERVER", parameter: "signalServer")))
                throw ExitCode(1)
            }
            try await SDKInvocation.showQRCode(global, output: output, logo: logo, signalServer: server)
        }
    }

    struct Scan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Log in the device showing a QR code with the --profile's session.")

        @Argument(help: "The string in the QR code (e.g. from `zbarimg --raw -q code.png`).") var qrString: String
        @OptionGroup var global: SDKGlobalOptions

        func run() async throws {
            try await SDKInvocation.scanQRCode(global, qrString: qrString)
        }
    }
}

/// QR login for the command line, shared by `xmppkit qr` and `xmppkit sdk generateQrCode` /
/// `loginWebChatViaQRCode`.
extension SDKInvocation {
    /// `generateQrCode`: renders the code (the terminal drawing and the QR string go to standard
    /// error), waits for the login callback until the code expired, prints it as the one JSON line
    /// and stores the received session in the --profile.
    static func showQRCode(_ options: SDKGlobalOptions, output: QRCodeOutput, logo: String?, signalServer: String) async throws {
        try await run(options, session: false, effect: .store) { sdk in
            let (results, continuation) = AsyncStream<QRLoginResult>.makeStream()
            let shown = try await sdk.generateQrCode(output: output, logo: logo, signalServer: signalServer) { result in
                continuation.yield(result)
                continuation.finish()
            }
            if let data = shown.data {
                if let terminal = data.terminal { FileHandle.standardError.write(Data((terminal + "\n").utf8)) }
                FileHandle.standardError.write(Data("QR string: \(data.qrString)\nWaiting for a logged-in device to scan it…\n".utf8))
            }
            let seconds = max(10, (shown.data?.expiresAt ?? 0) - Int(Date().timeIntervalSince1970) + 10)
            let waiter = Task {
                try? await Task.sleep(for: .seconds(seconds))
                continuation.finish()
            }
            defer { waiter.cancel() }
            for await result in results { return result }
            throw SDKError(statusCode: 500, message: "Request Timed Out", condition: "no device scanned the code before it expired")
        }
    }

    /// `loginWebChatViaQRCode` with the --profile's stored session.
    static func scanQRCode(_ options: SDKGlobalOptions, qrString: String) async throws {
        try await run(options, session: true) { sdk in try await sdk.loginWebChatViaQRCode(qrString: qrString) }
    }
}
