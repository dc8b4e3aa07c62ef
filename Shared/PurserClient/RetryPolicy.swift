import PurserRPC

/// When a client call is tried again and how long it waits first.
///
/// Only failures that leave no doubt are retried: `UNAVAILABLE` (service
/// restarting, connection refused or cut) and `ABORTED` (lost a race in the
/// database), and only for calls that are safe to repeat: methods marked
/// idempotent, or mutating calls carrying an `idempotency-key`, which the
/// services answer with the original response on a replay.
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts in total, the first included (1 = never retry).
    public var maximumAttempts: Int
    /// Wait before the second attempt; doubles after each further attempt.
    public var initialBackoff: Duration
    /// Ceiling of the doubling.
    public var maximumBackoff: Duration

    /// A policy; `maximumAttempts` below 1 counts as 1.
    public init(maximumAttempts: Int = 4, initialBackoff: Duration = .milliseconds(100), maximumBackoff: Duration = .seconds(2)) {
        self.maximumAttempts = max(1, maximumAttempts)
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
    }

    /// Never retries.
    public static let none = RetryPolicy(maximumAttempts: 1)

    /// Whether attempt number `attempt` (1-based) that failed with `code` is
    /// followed by another one. `repeatable` says the call may run twice safely.
    public func shouldRetry(after code: StatusCode, attempt: Int, repeatable: Bool) -> Bool {
        guard repeatable, attempt < maximumAttempts else { return false }
        return code == .unavailable || code == .aborted
    }

    /// The wait after failed attempt `attempt`: `initialBackoff · 2^(attempt-1)`
    /// capped at `maximumBackoff`, then scaled to `jitterPercent` (50…100) so
    /// clients that failed together do not retry together.
    public func backoff(afterAttempt attempt: Int, jitterPercent: Int) -> Duration {
        var wait = initialBackoff
        var step = 1
        while step < attempt, wait < maximumBackoff {
            wait = wait * 2
            step += 1
        }
        if wait > maximumBackoff { wait = maximumBackoff }
        return wait * min(max(jitterPercent, 50), 100) / 100
    }
}
