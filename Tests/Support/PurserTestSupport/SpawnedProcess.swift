import CLinux
import Foundation
import Glibc
import Synchronization

/// A child process started with `posix_spawn`, for tests that start the
/// executables, the CLI and the Python scripts.
///
/// Foundation's `Process.run()` on this toolchain copies whole 256-byte
/// `dirent` names while it lists `/proc/self/fd`, which can read past the end
/// of glibc's buffer and crash the test process (swift-corelibs-foundation
/// #5472); a test process with many open sockets meets it. This spawns the
/// child directly: standard input from `/dev/null` or a file, standard output
/// and error appended to files, every other descriptor closed in the child,
/// and the child in a process group of its own (as `Process` does).
package final class SpawnedProcess: Sendable {
    /// The child's process id.
    package let pid: pid_t
    /// The raw wait status once the child has been reaped.
    private let reaped = Mutex<Int32?>(nil)

    /// Starts `executable` (a path) with `arguments` and exactly `environment`.
    /// `stdout` and `stderr` are files the child appends to (the same path for
    /// both is allowed); `stdin` is a file it reads, or `/dev/null`.
    package init(
        executable: String, arguments: [String], environment: [String: String],
        stdin: String? = nil, stdout: String, stderr: String
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdin ?? "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        if stderr == stdout {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        }
        purser_spawn_add_close_from(&actions, 3)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)

        let argv = ([executable] + arguments).map { strdup($0) }
        let envp = environment.map { strdup("\($0.key)=\($0.value)") }
        defer { (argv + envp).forEach { free($0) } }
        var child = pid_t()
        let status = (argv + [nil]).withUnsafeBufferPointer { argvBuffer in
            (envp + [nil]).withUnsafeBufferPointer { envpBuffer in
                posix_spawn(&child, executable, &actions, &attributes, argvBuffer.baseAddress!, envpBuffer.baseAddress!)
            }
        }
        guard status == 0 else {
            throw SpawnError(executable: executable, message: String(cString: strerror(status)))
        }
        pid = child
    }

    /// `true` until the child has exited (and been reaped).
    package var isRunning: Bool { waitStatus(blocking: false) == nil }

    /// The exit status, or the signal number when a signal ended it; `nil` while it runs.
    package var exit: (status: Int32, bySignal: Bool)? {
        guard let raw = waitStatus(blocking: false) else { return nil }
        let signal = raw & 0x7f
        return signal == 0 ? ((raw >> 8) & 0xff, false) : (signal, true)
    }

    /// Sends `signal` to the child; nothing once it has exited.
    package func send(_ signal: Int32) {
        guard isRunning else { return }
        kill(pid, signal)
    }

    /// Waits up to `timeout` for the child to exit, polling; `true` when it has.
    package func waitForExit(timeout: Duration) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while isRunning {
            if clock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return true
    }

    /// Waits for the child to exit, polling without blocking a thread; its exit.
    package func exited() async -> (status: Int32, bySignal: Bool) {
        while true {
            if let exit { return exit }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Blocks until the child has exited (for a child already sent SIGKILL).
    package func reap() { _ = waitStatus(blocking: true) }

    /// The raw wait status, reaping the child once; `nil` while it runs.
    private func waitStatus(blocking: Bool) -> Int32? {
        reaped.withLock { reaped in
            if let reaped { return reaped }
            var status: Int32 = 0
            var result: pid_t
            repeat {
                result = waitpid(pid, &status, blocking ? 0 : WNOHANG)
            } while result == -1 && errno == EINTR
            guard result == pid else { return nil }
            reaped = status
            return status
        }
    }

    package struct SpawnError: Error, CustomStringConvertible {
        package let executable: String
        package let message: String
        package var description: String { "cannot start \(executable): \(message)" }
    }
}

extension SpawnedProcess {
    /// A finished child: its exit and what it wrote.
    package struct Finished: Sendable {
        package let status: Int32
        package let bySignal: Bool
        package let stdout: Data
        package let stderr: Data

        /// Standard output (and error, when merged) as text.
        package var output: String { String(decoding: stdout, as: UTF8.self) }
    }

    /// Runs `executable` to completion with its output captured through files
    /// (standard error into standard output when `mergingErrors`); SIGKILL
    /// after `timeout`.
    package static func run(
        _ executable: String, _ arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment,
        mergingErrors: Bool = false, timeout: Duration = .seconds(120)
    ) async throws -> Finished {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("spawn-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("out").path
        let err = mergingErrors ? out : directory.appendingPathComponent("err").path
        let process = try SpawnedProcess(executable: executable, arguments: arguments, environment: environment, stdout: out, stderr: err)
        if await !process.waitForExit(timeout: timeout) {
            process.send(SIGKILL)
            process.reap()
        }
        let exit = process.exit ?? (status: -1, bySignal: true)
        let read = { (path: String) in (try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data() }
        return Finished(status: exit.status, bySignal: exit.bySignal, stdout: read(out), stderr: mergingErrors ? Data() : read(err))
    }
}
