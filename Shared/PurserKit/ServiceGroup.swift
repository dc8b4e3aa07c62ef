import Dispatch
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Why a `ServiceGroup` ended abnormally.
public struct ServiceGroupError: Error, Sendable, CustomStringConvertible {
    /// Stable snake_case code: `graceful_shutdown_timed_out` or `already_running`.
    public let reason: String
    /// Human-readable explanation naming the service when one is involved.
    public let message: String
    public var description: String { message }
}

/// Runs services as one process: starts them in order, and on SIGTERM/SIGINT,
/// on `triggerGracefulShutdown()`, on cancellation of `run()`, or when any
/// service returns or throws, cancels the still-running ones in reverse order,
/// waiting for each in turn, all within `gracefulShutdownTimeout`.
///
/// `run()` rethrows the first error a service threw; it throws
/// `graceful_shutdown_timed_out` when services outlive the timeout (they are
/// left cancelled, not awaited further).
public final class ServiceGroup: Sendable {
    /// A service with the name used in logs.
    public struct Entry: Sendable {
        public let name: String
        public let service: any Service
        /// A service labelled `name` in the group's log lines.
        public init(_ name: String, _ service: any Service) {
            self.name = name
            self.service = service
        }
    }

    enum Event: Sendable {
        case shutdownRequested(String)
        case finished(index: Int, error: (any Error)?)
        case deadline
    }

    private let entries: [Entry]
    private let signals: [Int32]
    private let timeout: Duration
    private let logger: Logger
    private let events: AsyncStream<Event>
    private let continuation: AsyncStream<Event>.Continuation
    private let started = Atomic<Bool>(false)

    /// - Parameters:
    ///   - services: started in this order, stopped in reverse.
    ///   - signals: signals that start a graceful shutdown (ignored first, then caught).
    ///   - gracefulShutdownTimeout: bound on the whole shutdown.
    public init(
        services: [Entry], signals: [Int32] = [SIGTERM, SIGINT],
        gracefulShutdownTimeout: Duration = .seconds(30), logger: Logger
    ) {
        self.entries = services
        self.signals = signals
        self.timeout = gracefulShutdownTimeout
        self.logger = logger
        (events, continuation) = AsyncStream.makeStream(of: Event.self)
    }

    /// Starts the same graceful shutdown a SIGTERM would; safe from any thread,
    /// before or during `run()`.
    public func triggerGracefulShutdown() {
        continuation.yield(.shutdownRequested("requested"))
    }

    /// Runs every service until shutdown; see the type's documentation.
    public func run() async throws {
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else {
            throw ServiceGroupError(reason: "already_running", message: "a ServiceGroup runs once")
        }
        let sources = installSignalHandlers()
        defer { removeSignalHandlers(sources) }
        // The supervisor runs in its own task: iterating an AsyncStream in a
        // cancelled task ends at once, which would abandon the services instead
        // of stopping them. Cancelling `run()` becomes a shutdown request.
        let supervisor = Task { try await supervise() }
        try await withTaskCancellationHandler {
            try await supervisor.value
        } onCancel: {
            continuation.yield(.shutdownRequested("cancelled"))
        }
    }

    private func supervise() async throws {
        var tasks: [Task<Void, Never>] = []
        for (index, entry) in entries.enumerated() {
            logger.info("service starting", ["service": entry.name])
            let continuation = self.continuation
            tasks.append(Task {
                do {
                    try await entry.service.run()
                    continuation.yield(.finished(index: index, error: nil))
                } catch {
                    continuation.yield(.finished(index: index, error: error))
                }
            })
        }
        var running = Set(entries.indices)
        var firstError: (any Error)?
        var iterator = events.makeAsyncIterator()

        // Phase 1: wait for a reason to stop.
        while let event = await iterator.next() {
            if case .shutdownRequested(let cause) = event {
                logger.notice("graceful shutdown", ["cause": cause])
                break
            }
            if case .finished(let index, let error) = event {
                running.remove(index)
                if let error {
                    logger.error("service failed", ["service": entries[index].name, "error": "\(error)"])
                    firstError = error
                } else {
                    logger.notice("service returned", ["service": entries[index].name])
                }
                break
            }
        }

        // Phase 2: stop the rest in reverse order within the timeout.
        let deadlineTask = Task { [continuation, timeout] in
            try? await Task.sleep(for: timeout)
            if !Task.isCancelled { continuation.yield(.deadline) }
        }
        defer { deadlineTask.cancel() }
        for index in entries.indices.reversed() where running.contains(index) {
            logger.info("service stopping", ["service": entries[index].name])
            tasks[index].cancel()
            while running.contains(index) {
                guard let event = await iterator.next() else { break }
                switch event {
                case .shutdownRequested:
                    continue
                case .finished(let done, let error):
                    running.remove(done)
                    if let error, !(error is CancellationError) {
                        logger.error("service failed while stopping", ["service": entries[done].name, "error": "\(error)"])
                        if firstError == nil { firstError = error }
                    } else {
                        logger.info("service stopped", ["service": entries[done].name])
                    }
                case .deadline:
                    for task in tasks { task.cancel() }
                    let names = running.sorted().map { entries[$0].name }.joined(separator: ", ")
                    logger.error("graceful shutdown timed out", ["services": names])
                    throw ServiceGroupError(
                        reason: "graceful_shutdown_timed_out",
                        message: "services still running after \(timeout): \(names)")
                }
            }
        }
        logger.notice("all services stopped")
        if let firstError { throw firstError }
    }

    private func installSignalHandlers() -> [any DispatchSourceSignal] {
        signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            let continuation = self.continuation
            source.setEventHandler { continuation.yield(.shutdownRequested("signal \(number)")) }
            source.resume()
            return source
        }
    }

    private func removeSignalHandlers(_ sources: [any DispatchSourceSignal]) {
        for source in sources { source.cancel() }
        for number in signals { signal(number, SIG_DFL) }
    }
}
