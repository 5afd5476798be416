import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child program for tests, started with `posix_spawnp` and reaped with `waitpid`.
///
/// Not Foundation's `Process`: corelibs Foundation reaps every child from one monitor thread, which
/// blocks in `waitpid` on a long-running child (dnsmasq, `openssl s_server`); then no other
/// `waitUntilExit()` in the process returns, and tests holding the 2-core cooperative pool deadlock.
public final class Subprocess: @unchecked Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public let pid: pid_t
    private var inputFD: Int32
    private let outputFD: Int32
    private let lock = NSLock()
    private static let spawnLock = NSLock()
    private var collected = Data()
    private var exitStatus: Int32?
    private var reader: Thread?

    /// Starts `arguments[0]` (found on PATH) with the rest as its arguments, in `directory`.
    /// Standard output and error are merged and collected in the background; standard input is a pipe
    /// kept open until ``closeInput()``.
    public init(_ arguments: [String], environment: [String: String]? = nil, directory: String? = nil, mergeErrors: Bool = true) throws {
        var input: [Int32] = [0, 0], output: [Int32] = [0, 0]
        // Close-on-exec: a child spawned at the same moment by another test must not inherit our
        // ends of these pipes, or this child never sees end-of-input while that one lives (two
        // `openssl dgst` waiting on each other's stdin hung a whole run). dup2 onto 0–2 clears it.
        // (pipe2 is not visible to Swift: the pipes are made and marked under a lock every spawn
        // here takes, so no spawn can come between.)
        Self.spawnLock.lock()
        defer { Self.spawnLock.unlock() }
        guard pipe(&input) == 0, pipe(&output) == 0 else { throw Failure(description: "pipe failed") }
        for fd in input + output { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input[0], 0)
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        if mergeErrors {
            posix_spawn_file_actions_adddup2(&actions, output[1], 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        for fd in input + output { posix_spawn_file_actions_addclose(&actions, fd) }
        // glibc's posix_spawn_file_actions_addchdir_np is not visible to Swift: a shell changes directory.
        let command = directory.map { ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", $0] + arguments } ?? arguments
        let argv = command.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let variables = (environment.map { ProcessInfo.processInfo.environment.merging($0) { $1 } } ?? ProcessInfo.processInfo.environment)
            .map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in variables { free(pointer) } }
        var pid = pid_t()
        let status = posix_spawnp(&pid, command[0], &actions, nil, argv, variables)
        close(input[0])
        close(output[1])
        guard status == 0 else {
            close(input[1])
            close(output[0])
            throw Failure(description: "cannot run \(arguments[0]): \(String(cString: strerror(status)))")
        }
        self.pid = pid
        inputFD = input[1]
        outputFD = output[0]
        let thread = Thread { [weak self, outputFD] in
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                let count = read(outputFD, &buffer, buffer.count)
                if count <= 0 { break }
                guard let self else { break }
                self.lock.lock()
                self.collected.append(contentsOf: buffer[0..<count])
                self.lock.unlock()
            }
        }
        reader = thread
        thread.start()
    }

    deinit {
        if inputFD >= 0 { close(inputFD) }
        if exitStatusIfExited() == nil {
            Glibc.kill(pid, SIGKILL)
            _ = waitForExit()
        }
    }

    /// Everything the program wrote so far (standard output and error).
    public var output: Data {
        lock.lock()
        defer { lock.unlock() }
        return collected
    }

    public func write(_ data: Data) {
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count, let base = raw.baseAddress {
                let written = Glibc.write(inputFD, base + offset, raw.count - offset)
                if written <= 0 { break }
                offset += written
            }
        }
    }

    public func closeInput() {
        if inputFD >= 0 { close(inputFD) }
        inputFD = -1
    }

    /// The exit status if the program has ended, without waiting.
    public func exitStatusIfExited() -> Int32? {
        lock.lock()
        defer { lock.unlock() }
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid {
            exitStatus = status
            return status
        }
        return nil
    }

    /// Blocks until the program ends; fine for programs that end by themselves (openssl).
    public func waitForExit() -> Int32 {
        if let status = exitStatusIfExited() { return status }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        lock.lock()
        exitStatus = status
        lock.unlock()
        return status
    }

    /// SIGTERM, then polls (without blocking a thread) up to `timeout`, then SIGKILL.
    public func stop(timeout: Duration = .seconds(5)) async {
        guard exitStatusIfExited() == nil else { return }
        Glibc.kill(pid, SIGTERM)
        let deadline = ContinuousClock.now + timeout
        while exitStatusIfExited() == nil && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if exitStatusIfExited() == nil {
            Glibc.kill(pid, SIGKILL)
            _ = waitForExit()
        }
    }

    /// Stops the program at once (SIGKILL) and reaps it.
    public func kill() {
        guard exitStatusIfExited() == nil else { return }
        Glibc.kill(pid, SIGKILL)
        _ = waitForExit()
    }

    /// Runs a program to its end, feeding `input`; returns its exit status and output.
    public static func run(_ arguments: [String], input: Data? = nil, directory: String? = nil) throws -> (status: Int32, output: Data) {
        // Standard error is left out so binary output (DER, digests) stays exact.
        let child = try Subprocess(arguments, directory: directory, mergeErrors: false)
        if let input { child.write(input) }
        child.closeInput()
        let status = child.waitForExit()
        // The reader ends at EOF once the child (and its inherited descriptors) are gone.
        for _ in 0..<200 where child.reader?.isFinished == false { usleep(5_000) }
        return (status, child.output)
    }
}
