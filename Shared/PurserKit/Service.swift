/// A long-running part of a process (an RPC server, a sweeper, a pool) in the
/// shape of swift-service-lifecycle.
///
/// `run()` does the work until the task running it is cancelled, then finishes
/// what it must (drain, close) and returns. A `ServiceGroup` cancels services in
/// reverse start order on SIGTERM/SIGINT.
public protocol Service: Sendable {
    /// Runs until cancelled; returns after a clean shutdown or throws on failure.
    func run() async throws
}

/// Returns once the current task is cancelled: what a service that serves
/// from its own threads (event loops) awaits in `run()` before it shuts down.
public func untilCancelled() async {
    while !Task.isCancelled {
        do {
            try await Task.sleep(for: .seconds(3_600))
        } catch {
            return
        }
    }
}
