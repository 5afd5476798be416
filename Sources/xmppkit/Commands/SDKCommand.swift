import ArgumentParser
import Foundation
import ProfileSDK

extension XMPPKitCommand {
    /// `xmppkit sdk <method>`: one subcommand per ProfileSDK method (Specs/sdk/profile.json `cli`).
    struct SDKCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sdk",
            abstract: "Call one ProfileSDK method and print its response as one JSON line.",
            discussion: """
                Every method takes its parameters as kebab-case flags (--to-user-jid, --auto-login true|false, …) \
                and the connection flags --host --port --domain --ca --sandbox --resource --max-image-bytes --profile NAME after the method name.

                Sessions: `xmppkit sdk login` stores the session's token (SCRAM cached credentials, never the \
                password) and the connection settings in $XDG_CONFIG_HOME/xmppkit/profiles/NAME.json (mode 0600; \
                ~/.config without XDG_CONFIG_HOME; NAME is "default" unless --profile is given). Later calls with \
                the same --profile log in with that token; `logout` and `deleteMyAccount` delete it. Use two \
                profiles to drive two users from one shell.

                Output: the SDK response or error as one JSON line on stdout. Exit status: 0 for a 2xx response, \
                1 for an SDK error, 64 for a usage error (unknown method or flag).
                """,
            subcommands: SDKMethods.all
        )
    }
}

/// The subcommands, one per method the SDK offers, named exactly as the method.
enum SDKMethods {
    static let all: [any ParsableCommand.Type] = [
        Register.self, Login.self, Connect.self, Logout.self, GetFriendsList.self, GetUserProfile.self,
        SetUserProfile.self, GetLastSeen.self, BlockUser.self, UnblockUser.self, GetUsersIBlocked.self,
        GetUsersWhoBlockedMe.self, GetCurrentUserJid.self, GetUserToken.self, SetUserToken.self, SendFeedback.self,
        DeleteMyAccount.self, ReportUserOrGroup.self, SetMediaEncryption.self, GenerateQrCode.self, LoginWebChatViaQRCode.self,
    ]

    static func configuration(_ name: String, alias: String, _ abstract: String) -> CommandConfiguration {
        CommandConfiguration(commandName: name, abstract: abstract, aliases: alias == name ? [] : [alias])
    }

    struct Register: AsyncParsableCommand {
        static let configuration = SDKMethods.configuration(
            "register", alias: "register", "Create an account (XEP-0077) with a random password; prints it.")
        @Option(help: "The username to register.") var userIdentifier: String
        @Option(help: "true or false: log in right after registering (and store the session).") var autoLogin = "false"
        @OptionGroup var global: SDKGlobalOptions

        func run() async throws {
            try await SDKInvocation.run(global, session: false, effect: .store) { sdk in
                try await sdk.register(userIdentifier: userIdentifier,
                                       autoLogin: SDKInvocation.parseBool(autoLogin, parameter: "autoLogin"))
            }
        }
    }

    struct Login: AsyncParsableCommand {
        static let configuration = SDKMethods.configuration(
            "login", alias: "login", "Log in and store the session's token in the --profile.")
        @Option(help: "The username (localpart).") var username: String
        @Option(help: "The password; - reads it from standard input; \"\" uses the token set with setUserToken.")
        var password: String
        @OptionGroup var global: SDKGlobalOptions

        func run() async throws {
            try await SDKInvocation.run(global, session: false, effect: .store) { sdk in
                if password.isEmpty, let profile = try? SDKProfileStore(name: global.profile).load(), let token = profile.token {
                    try await sdk.setUserToken(token: token)
                }
                return try await sdk.login(username: username, password: SDKInvocation.password(password))
            }
        }
    }

    struct Connect: AsyncParsableCommand {
        static let configuration = SDKMethods.configuration(
            "connect", alias: "connect", "The same as login (seed 001's name).")
        @Option(help: "The username (localpart).") var username: String
        @Option(help: "The password; - reads it from standard input; \"\" uses the token set with setUserToken.")
        var password: String
        @OptionGroup var global: SDKGlobalOptions

        func run() async throws {
            try await SDKInvocation.run(global, session: false, effect: .store) { sdk in
                if password.isEmpty, let profile = try? SDKProfileStore(name: global.profile).load(), let token = profile.token {
                    try await sdk.setUserToken(token: token)
                }
                return try await sdk.connect(username: username, password: SDKInvocation.password(password))
            }
        }
    }

    struct Logout: AsyncParsableCommand {
        static let configuration = SDKMethods.configuration(
            "logout", alias: "logout", "End the session and delete the stored --profile.")
        @OptionGroup var global: SDKGlobalOptions

        func run() async throws {
            try await SDKInvocation.run(global, session: true, effect: .remove) { sdk in try await sdk.logout() }
        }
    }

    struct GetFriendsList: AsyncParsableCommand {
        static let configuration = SDKMethods.configuration(
            "getFriendsList", alias: "get-friends-list", "The roster with each contact's profile.")
        @OptionGroup var global: SDKGlobalOptions

        func run() async throws {
            try await SDKInvocation.run(global, session: true) { sdk in try await sdk.getFriendsList() }
        }
    }

    struct GetUserProfile: AsyncParsableCommand {
        static let configuration = SDKMethods.configuration(
            "getUserProfile", alias: "get-user-profile", "Another user's profile (their vCard).")
        @Option(help: "The user's JID (user@domain) or username.") var toUserJid: String
        @OptionGroup var global: SDKGlobalOptions

        func run() async throws {
            try await SDKInvocation.run(global, session: true) { sdk in try await sdk.getUserProfile(toUserJid: toUserJid) }
        }
    }

    struct SetUserProfile: AsyncParsableCommand {
        static let configuration = SDKMethods.configuration(
            "setUserProfile", alias: "set-user-profile", "Set your own profile (name, image file or URL, status, mobile number, e-mail).")
        @Option(help: "The display name.") var name: String
        @Option(help: "A PNG/JPEG/GIF/WebP file to upload, an http(s) URL, or \"\" for none.") var image = ""
        @Option(help: "The status text.") var status = ""
        @Option(help: "The mobile number (digits, spaces and + - ( )).") var mobileNumber = ""
        @Option(help: "The e-mail address.") var email = ""
        @OptionGroup var global: SDKGlobalOptions

        func run() async throws {
            try await SDKInvocation.run(global, session: true) { sdk in
                try await sdk.setUserProfile(name: name, image: SDKMethods.profileImage(image), status: status,
                                             mobileNumber: mobileNumber, email: email)
            }
        }
    }

    /// `--image`: "" is none; a value with a URL scheme is a URL (the SDK accepts http(s) and
    /// aesgcm, refuses the rest with 400); anything else is a file path, relative to the working directory.
    static func profileImage(_ value: String) -> ProfileImage {
        guard !value.isEmpty else { return .none }
        if let colon = value.firstIndex(of: ":"), value[..<colon].allSatisfy({ $0.isLetter || $0.isNumber || "+.-".contains($0) }),
           value[..<colon].first?.isLetter == true, value[colon...].hasPrefix("://") || value.lowercased().hasPrefix("data:") {
            return .url(value)
        }
        let path = value.hasPrefix("/") ? value : FileManager.default.currentDirectoryPath + "/" + value
        return .file(path)
    }
}

extension SDKMethods {
    struct GetLastSeen: AsyncParsableCommand {
        static let configuration = SDKMethods.configuration(
            "getLastSeen", alias: "get-last-seen", "How long ago another user was last seen (XEP-0012).")
        @Option(help: "The user's JID (user@domain) or username.") var toUserJid: String
        @OptionGroup var global: SDKGlobalOptions

        func run() async throws {
            try await SDKInvocation.run(global, session: true) { sdk in try await sdk.getLastSeen(toUserJid: toUserJid) }
        }
    }

    struct BlockUser: AsyncParsableCommand {
        static let configuration = SDKMethods.configuration(
            "blockUser", alias: "block-user", "Block a user (XEP-0191), telling them first.")
        @Option(help: "The user's JID (user@domain) or username.") var toUserJid: String
        @OptionGroup var global: SDKGlobalOptions

        func run() async throws {
            try await SDKInvocation.run(global, session: true) { sdk in try await sdk.blockUser(toUserJid: toUserJid) }
        }
    }

    struct UnblockUser: AsyncParsableCommand {
        static let configuration = SDKMethods.configuration(
            "unblockUser", alias: "unblock-user", "Unblock a user (XEP-0191), then tell them.")
        @Option(help: "The user's JID (user@domain) or username.") var toUserJid: String
        @OptionGroup var global: SDKGlobalOptions

        func run() async throws {
            try await SDKInvocation.run(global, session: true) { sdk in try await sdk.unblockUser(toUserJid: toUserJid) }
        }
    }

    struct GetUsersIBlocked: AsyncParsableCommand {
        static let configuration = SDKMethods.configuration(
            "getUsersIBlocked", alias: "get-users-i-blocked", "The users you blocked.")
        @OptionGroup var global: SDKGlobalOptions

        func run() async throws {
            try await SDKInvocation.run(global, session: true) { sdk in try await sdk.getUsersIBlocked() }
        }
    }

    struct GetUsersWhoBlockedMe: AsyncParsableCommand {
        static let configuration = SDKMethods.configuration(
            "getUsersWhoBlockedMe", alias: "get-users-who-blocked-me", "The users who told you they blocked you.")
        @OptionGroup var global: SDKGlobalOptions

        func run() async throws {
            try await SDKInvocation.run(global, session: true) { sdk in try await sdk.getUsersWhoBlockedMe() }
        }
    }

    struct GetCurrentUserJid: AsyncParsableCommand {
        static let configuration = SDKMethods.configuration(
            "getCurrentUserJid", alias: "get-current-user-jid", "The logged-in user's bare JID.")
        @OptionGroup var global: SDKGlobalOptions

        func run() async throws {
            try await SDKInvocation.run(global, session: true) { sdk in try await sdk.getCurrentUserJid() }
        }
    }

    struct GetUserToken: AsyncParsableCommand {
        static let configuration = SDKMethods.configuration(
            "getUserToken", alias: "get-user-token", "A login token (SCRAM cached credentials, never the password).")
        @Option(help: "The username (localpart).") var username: String
        @Option(help: "The password; - reads it from standard input.") var password: String
        @OptionGroup var global: SDKGlobalOptions

        func run() async throws {
            try await SDKInvocation.run(global, session: false) { sdk in
                try await sdk.getUserToken(username: username, password: SDKInvocation.password(password))
            }
        }
    }

    struct SetUserToken: AsyncParsableCommand {
        static let configuration = SDKMethods.configuration(
            "setUserToken", alias: "set-user-token", "Store a token from getUserToken in the --profile for later logins.")
        @Option(help: "The token from getUserToken.") var token: String
        @OptionGroup var global: SDKGlobalOptions

        func run() async throws {
            try await SDKInvocation.run(global, session: false, effect: .store) { sdk in try await sdk.setUserToken(token: token) }
        }
    }

    struct SendFeedback: AsyncParsableCommand {
        static let configuration = SDKMethods.configuration(
            "sendFeedback", alias: "send-feedback", "Send feedback to the server's feedback address (XEP-0157).")
        @Option(help: "The title.") var title: String
        @Option(help: "The text.") var description: String
        @OptionGroup var global: SDKGlobalOptions

        func run() async throws {
            try await SDKInvocation.run(global, session: true) { sdk in
                try await sdk.sendFeedback(title: title, description: description)
            }
        }
    }

    struct DeleteMyAccount: AsyncParsableCommand {
        static let configuration = SDKMethods.configuration(
            "deleteMyAccount", alias: "delete-my-account", "Remove your account (XEP-0077) and the stored --profile.")
        @Option(help: "Why the account is deleted.") var reason: String
        @Option(help: "Feedback sent to the server's feedback address first, if any.") var feedback = ""
        @OptionGroup var global: SDKGlobalOptions

        func run() async throws {
            try await SDKInvocation.run(global, session: true, effect: .remove) { sdk in
                try await sdk.deleteMyAccount(reason: reason, feedback: feedback)
            }
        }
    }

    struct ReportUserOrGroup: AsyncParsableCommand {
        static let configuration = SDKMethods.configuration(
            "reportUserOrGroup", alias: "report-user-or-group", "Report a user or group (XEP-0377), with the messages concerned.")
        @Option(help: "The user's or group's JID.") var toUserJid: String
        @Option(help: "chat (a user) or groupchat (a group).") var chatType: String
        @Option(help: #"JSON: {"reason":"spam|abuse","text":"…","messages":[…]}"#) var messageData: String
        @OptionGroup var global: SDKGlobalOptions

        func run() async throws {
            try await SDKInvocation.run(global, session: true) { sdk in
                try await sdk.reportUserOrGroup(toUserJid: toUserJid, chatType: chatType, messageData: ReportMessageData.parse(json: messageData))
            }
        }
    }

    struct SetMediaEncryption: AsyncParsableCommand {
        static let configuration = SDKMethods.configuration(
            "setMediaEncryption", alias: "set-media-encryption",
            "true or false: encrypt uploaded images (XEP-0454 aesgcm:// links); kept in the --profile.")
        @Option(help: "true or false.") var enabled: String
        @OptionGroup var global: SDKGlobalOptions

        func run() async throws {
            let value: Bool
            do { value = try SDKInvocation.parseBool(enabled, parameter: "enabled") } catch {
                print(SDKInvocation.json(error))
                throw ExitCode(1)
            }
            try await SDKInvocation.run(global, session: false, effect: .mediaEncryption(value)) { sdk in
                try await sdk.setMediaEncryption(enabled: value)
            }
        }
    }

    struct GenerateQrCode: AsyncParsableCommand {
        static let configuration = SDKMethods.configuration(
            "generateQrCode", alias: "generate-qr-code",
            "Show a login QR code, wait for a logged-in device to scan it, and store the session it sends.")
        @Option(help: "terminal (drawn on standard error), or a FILE.png or FILE.svg to write.") var output = "terminal"
        @Option(help: "An image file to centre in the code (error correction H).") var logo: String?
        @Option(help: "The signal server's WebSocket URL (an anonymous XMPP host).") var signalServer: String
        @OptionGroup var global: SDKGlobalOptions

        func run() async throws {
            let rendering: QRCodeOutput = output.lowercased().hasSuffix(".png") ? .png(output)
                : output.lowercased().hasSuffix(".svg") ? .svg(output) : .terminal
            try await SDKInvocation.showQRCode(global, output: rendering, logo: logo, signalServer: signalServer)
        }
    }

    struct LoginWebChatViaQRCode: AsyncParsableCommand {
        static let configuration = SDKMethods.configuration(
            "loginWebChatViaQRCode", alias: "login-web-chat-via-qr-code",
            "Log in the device showing a QR code with this --profile's session (the scanned string).")
        @Option(help: "The string in the QR code.") var qrString: String
        @OptionGroup var global: SDKGlobalOptions

        func run() async throws {
            try await SDKInvocation.scanQRCode(global, qrString: qrString)
        }
    }
}
