import XMPPClient
import XMPPCore

/// Runs checks against one server, several at a time, each within its time limit.
public struct ConformanceRunner: Sendable {
    public let configuration: ConformanceConfiguration

    public init(configuration: ConformanceConfiguration) {
        self.configuration = configuration
    }

    /// Whether the server answers at all: a TCP connection and a stream header. Throws a
    /// ``CheckSetupError`` saying what went wrong otherwise (`xmppkit conform` exits 2).
    public func verifyReachable() async throws(CheckSetupError) {
        let probe = try await StreamProbe.connect(host: configuration.host, port: configuration.port, label: "C0",
                                                  transcript: Transcript())
        var answered = false
        if (try? await probe.send(StreamProbe.header(to: configuration.domain))) != nil,
           case .header? = await probe.next(within: .seconds(10)) {
            answered = true
        }
        await probe.close()
        guard answered else {
            throw CheckSetupError("\(configuration.host):\(configuration.port) does not answer a stream header for \(configuration.domain)")
        }
    }

    /// Whether the given accounts can log in (with `--register`, whether an account can be
    /// registered and removed), so a typo is one clear error instead of a report full of them.
    public func verifyAccounts() async throws(CheckSetupError) {
        let pool = AccountPool(configuration: configuration)
        switch configuration.accounts {
        case .register:
            do {
                let account = try await pool.register()
                await pool.release([account])
            } catch let error as CheckSetupError {
                throw error
            } catch {
                throw CheckSetupError("\(error)")
            }
        case .given(let accounts):
            for account in accounts {
                let client = XMPPClient(configuration: AccountPool.clientConfiguration(configuration, jid: account.jid,
                                                                                       credential: .password(account.password)))
                do {
                    try await client.connect()
                    await client.disconnect()
                } catch {
                    await client.disconnect()
                    throw CheckSetupError("cannot log in as \(account.jid): \(error)")
                }
            }
        }
    }

    /// Runs `checks`; `progress` hears each result as it comes, with the number done so far.
    public func run(_ checks: [ConformanceCheck], progress: @escaping @Sendable (CheckResult, Int) -> Void = { _, _ in })
        async -> ConformanceReport {
        let clock = ContinuousClock()
        let started = clock.now
        let pool = AccountPool(configuration: configuration)
        var results: [String: CheckResult] = [:]
        await withTaskGroup(of: CheckResult.self) { group in
            var pending = checks[...]
            for _ in 0..<max(1, configuration.concurrency) {
                guard let check = pending.popFirst() else { break }
                group.addTask { await run(check, pool: pool) }
            }
            while let result = await group.next() {
                results[result.check.id] = result
                progress(result, results.count)
                if let check = pending.popFirst() {
                    group.addTask { await run(check, pool: pool) }
                }
            }
        }
        return ConformanceReport(
            target: "\(configuration.domain) at \(configuration.host):\(configuration.port)",
            results: checks.compactMap { results[$0.id] }, duration: clock.now - started)
    }

    private func run(_ check: ConformanceCheck, pool: AccountPool) async -> CheckResult {
        let clock = ContinuousClock()
        let started = clock.now
        let context = CheckContext(configuration: configuration, pool: pool)
        let (outcome, message) = await withTaskGroup(of: (CheckOutcome, String)?.self) { group in
            group.addTask {
                do {
                    try await check.body(context)
                    return (.pass, "")
                } catch let failure as CheckFailure {
                    return (.fail, failure.message)
                } catch let notApplicable as CheckNotApplicable {
                    return (.notApplicable, notApplicable.reason)
                } catch let setup as CheckSetupError {
                    return (.error, setup.message)
                } catch {
                    return (.error, "\(error)")
                }
            }
            group.addTask {
                try? await Task.sleep(for: configuration.checkTimeout)
                return Task.isCancelled ? nil : (.error, "timed out after \(configuration.checkTimeout)")
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? (.error, "cancelled")
        }
        await context.finish()
        return CheckResult(check: check, outcome: outcome, message: message, transcript: context.transcript.entries,
                           duration: clock.now - started)
    }
}
