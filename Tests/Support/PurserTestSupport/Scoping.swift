/// Test scaffolding for time and lifetime: waiting on a condition with a deadline, and scoped fixtures.

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

/// Runs `body` with `value`, then `cleanup` on it, awaited, whether `body`
/// returned or threw: a scoped fixture, so a failing test never leaves
/// services listening or pools open behind it.
public func using<Value, T>(
    _ value: Value, cleanup: (Value) async throws -> Void, _ body: (Value) async throws -> T
) async throws -> T {
    let result: T
    do {
        result = try await body(value)
    } catch {
        try? await cleanup(value)
        throw error
    }
    try await cleanup(value)
    return result
}
