import Foundation

/// Idle TLS connections to the Wallet whose client ends live in a child
/// process (this executable run as `purser-bench hold-idle PORT COUNT`), so the
/// resident set this process reports holds the service ends alone.
///
/// The child opens the connections, prints how many completed their
/// handshake, and keeps them open until its standard input closes.
final class IdleConnectionHolder: @unchecked Sendable {
    /// The argument that runs this executable as the holder.
    static let mode = "hold-idle"

    private let process = Process()
    private let input = Pipe()
    /// Connections whose handshake completed.
    let opened: Int

    /// Starts the child and waits until it has opened `count` connections of `kind` to `127.0.0.1:port`.
    init(port: Int, count: Int, kind: IdleConnections.Kind = .purser) async throws {
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        process.arguments = [Self.mode, String(port), String(count), kind.rawValue]
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        let reader = output.fileHandleForReading
        let line = await Task.detached { String(decoding: reader.readDataToEndOfFile(), as: UTF8.self) }.value
        guard let opened = Int(line.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw BenchError.setup("the idle-connection holder answered \(line.debugDescription)")
        }
        self.opened = opened
    }

    /// Closes the child's connections and waits for it to exit.
    func close() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    /// The child's side: opens the connections, reports their number, closes
    /// standard output and holds them until standard input closes.
    static func hold(port: Int, count: Int, kind: IdleConnections.Kind) async throws -> Never {
        _ = raiseOpenFileLimit()
        let idle = try await IdleConnections(port: port, count: count, kind: kind)
        FileHandle.standardOutput.write(Data("\(idle.opened)\n".utf8))
        try? FileHandle.standardOutput.close()
        _ = FileHandle.standardInput.readDataToEndOfFile()
        idle.close()
        exit(0)
    }
}
