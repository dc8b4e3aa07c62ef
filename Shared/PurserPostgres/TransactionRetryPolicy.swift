/// Decides, without I/O, what `withTransaction` does after a try fails.
struct TransactionRetryPolicy: Sendable {
    /// What to do with a failed try.
    enum Decision: Equatable {
        /// Run the body again after the backoff.
        case retry
        /// Give up and throw this error.
        case fail(PostgresError)
        /// Give up and rethrow the body's own error unchanged.
        case rethrow
    }

    let maximumAttempts: Int

    /// Retries serialization failures, deadlocks, lost connections and an
    /// unavailable server while attempts remain. A connection lost during
    /// COMMIT is never retried: the transaction may have committed.
    func decide(_ error: any Error, attempt: Int, duringCommit: Bool) -> Decision {
        guard let failure = error as? PostgresError else { return .rethrow }
        if duringCommit, failure.kind == .connectionLost {
            return .fail(PostgresError(.connectionLost, "connection lost during COMMIT; the outcome is unknown: \(failure.message)"))
        }
        guard failure.isRetryable, attempt < maximumAttempts else { return .rethrow }
        return .retry
    }
}

extension PostgresError: Equatable {
    /// Errors are equal when their kind, message and SQLSTATE are.
    public static func == (lhs: PostgresError, rhs: PostgresError) -> Bool {
        lhs.kind == rhs.kind && lhs.message == rhs.message && lhs.sqlState == rhs.sqlState
    }
}
