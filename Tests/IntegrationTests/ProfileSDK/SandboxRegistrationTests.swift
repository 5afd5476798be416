import Foundation
import ProfileSDK
import TestSupport
import Testing

/// `isSandbox` (seed 000) and `isTrialLicenseKey` (seed 001) register and log in on the sandbox
/// virtual host (`sandbox.` + domain), which `scripts/servers` gives both servers.
@Suite("ProfileSDK sandbox / trial registration against the real servers")
struct SandboxRegistrationTests {
    @Test("register on the sandbox domain: userJid and isSandbox say so, login works there, the main domain's name stays free",
          arguments: ["prosody", "ejabberd"], ["isSandbox", "isTrialLicenseKey"])
    func sandbox(serverName: String, switchName: String) async throws {
        let server = try Servers.server(serverName)
        let sandboxDomain = try #require(ProcessInfo.processInfo.environment["\(serverName.uppercased())_SANDBOX_DOMAIN"],
                                         "scripts/servers env names no sandbox domain for \(serverName)")
        #expect(sandboxDomain == "sandbox.\(server.domain)")
        var configuration = try ProfileSDKIntegrationTests.configuration(server)
        if switchName == "isSandbox" { configuration.isSandbox = true } else { configuration.isTrialLicenseKey = true }
        let sandbox = SDK()
        try await sandbox.initialize(configuration: configuration)
        let name = ProfileSDKIntegrationTests.username()

        let registered = try await sandbox.register(userIdentifier: name)
        let data = try #require(registered.data)
        print("[sandbox] \(serverName) \(switchName): register → \(registered.statusCode) userJid=\(data.userJid) isSandbox=\(data.isSandbox)")
        #expect(registered.statusCode == 200)
        #expect(data.userJid == "\(name)@\(sandboxDomain)")
        #expect(data.isSandbox)
        await ProfileSDKIntegrationTests.expectError(409, "User Already Exists") { _ = try await sandbox.register(userIdentifier: name) }
        #expect(try await sandbox.login(username: name, password: data.password).message == "Login Success")
        #expect(try await sandbox.getCurrentUserJid().userJid == "\(name)@\(sandboxDomain)")

        // The main domain never heard of the name: the password does not work there, the name registers.
        let main = try await ProfileSDKIntegrationTests.initialized(server)
        await ProfileSDKIntegrationTests.expectError(401, "Authentication Failed") { try await main.login(username: name, password: data.password) }
        let mainData = try #require(try await main.register(userIdentifier: name, autoLogin: true).data)
        #expect(mainData.userJid == "\(name)@\(server.domain)")
        #expect(!mainData.isSandbox)
        #expect(try await main.getCurrentUserJid().userJid == "\(name)@\(server.domain)")

        try await main.deleteMyAccount(reason: "test over")
        try await sandbox.deleteMyAccount(reason: "test over")
        // Deleted from the sandbox domain: the password no longer logs in there.
        await ProfileSDKIntegrationTests.expectError(401, "Authentication Failed") { try await sandbox.login(username: name, password: data.password) }
    }
}
