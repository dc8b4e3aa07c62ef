/// A condition a test waited for did not hold before its deadline.
public struct WaitTimedOut: Error, CustomStringConvertible {
    public let what: String
    public let timeout: Duration
    public var description: String { "timed out after \(timeout) waiting for \(what)" }
}

/// Polls `condition` every `interval` until it holds; throws `WaitTimedOut`
/// naming `what` when it still does not hold after `timeout`, so a regression
/// fails instead of hanging.
public func waitUntil(
    _ what: String, timeout: Duration, interval: Duration = .milliseconds(10),
    _ condition: @Sendable () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while try await !condition() {
        guard ContinuousClock.now < deadline else { throw WaitTimedOut(what: what, timeout: timeout) }
        try await Task.sleep(for: interval)
    }
}
