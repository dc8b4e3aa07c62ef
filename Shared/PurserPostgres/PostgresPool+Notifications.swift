import CLibPQ
import Foundation
import Glibc
import PurserKit
import Synchronization

/// Shared between a listener thread and whoever stops it (the stream's
/// consumer going away or the pool closing).
final class PostgresListenerState: Sendable {
    private let stopped = Atomic<Bool>(false)
    var isStopped: Bool { stopped.load(ordering: .acquiring) }
    func stop() { stopped.store(true, ordering: .releasing) }
}

extension PostgresPool {
    /// Subscribes to `LISTEN channel` on a dedicated connection and thread, and
    /// returns once the subscription is active, so any NOTIFY committed after
    /// this returns is delivered.
    ///
    /// The stream yields each payload in arrival order. After a lost connection
    /// the listener reconnects with backoff and listens again; notifications
    /// sent while it was disconnected are not replayed (PostgreSQL keeps none),
    /// so consumers should re-read their source of truth on reconnect. The
    /// stream ends when iteration stops or the pool closes.
    public func listen(channel: String) async throws -> AsyncStream<String> {
        let (stream, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .unbounded)
        let state = PostgresListenerState()
        continuation.onTermination = { _ in state.stop() }
        register(state)
        let configuration = self.configuration
        let logger = self.logger.with(["channel": channel])
        try await withCheckedThrowingContinuation { (ready: CheckedContinuation<Void, any Error>) in
            let thread = Thread {
                setCurrentThreadName("postgres-listen")
                PostgresPool.runListener(
                    channel: channel, configuration: configuration, state: state, logger: logger,
                    ready: ready, output: continuation)
            }
            thread.start()
        }
        return stream
    }

    /// `SELECT pg_notify(channel, payload)`: delivered to listeners when the
    /// surrounding transaction (if any) commits.
    public func notify(channel: String, payload: String) async throws {
        try await withConnection { connection in
            _ = try connection.query("SELECT pg_notify($1, $2)", [channel, payload])
        }
    }

    /// The listener thread: connect, LISTEN, then poll the socket and drain
    /// notifications until stopped; reconnect on failure.
    private static func runListener(
        channel: String, configuration: PostgresConfiguration, state: PostgresListenerState, logger: Logger,
        ready: CheckedContinuation<Void, any Error>, output: AsyncStream<String>.Continuation
    ) {
        var pendingReady: CheckedContinuation<Void, any Error>? = ready
        var backoff = Backoff(base: .milliseconds(50), maximum: configuration.maximumReconnectBackoff)
        defer {
            pendingReady?.resume(throwing: PostgresError(.poolClosed, "the pool closed before LISTEN \(channel) began"))
            output.finish()
        }
        while !state.isStopped {
            let connection: PostgresConnection
            do {
                connection = try PostgresConnection.connect(configuration)
                try connection.executeScript("LISTEN " + quoteIdentifier(channel))
                backoff.reset()
            } catch {
                if let waiting = pendingReady {
                    pendingReady = nil
                    waiting.resume(throwing: error)
                    return
                }
                logger.warning("postgres listener reconnect failed", ["error": "\(error)"])
                sleepThread(backoff.next())
                continue
            }
            pendingReady?.resume()
            pendingReady = nil
            let socket = PQsocket(connection.handle)
            while !state.isStopped {
                var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
                let ready = poll(&descriptor, 1, 200)
                if ready < 0 && errno != EINTR { break }
                if ready <= 0 { continue }
                if PQconsumeInput(connection.handle) == 0 { break }
                while let notification = PQnotifies(connection.handle) {
                    let payload = String(cString: notification.pointee.extra)
                    PQfreemem(notification)
                    output.yield(payload)
                }
                if !connection.isAlive { break }
            }
            if !state.isStopped {
                logger.warning("postgres listener connection lost; listening again")
            }
        }
    }
}

/// Quotes `name` as an SQL identifier ("a""b"), so any channel name is safe.
func quoteIdentifier(_ name: String) -> String {
    "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
