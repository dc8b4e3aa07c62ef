extension PostgresPool {
    /// Runs `body` inside `BEGIN … COMMIT` on one connection's thread.
    ///
    /// - Applies the isolation level and every `SET LOCAL` of `options` first.
    /// - Rolls back and rethrows when `body` throws.
    /// - Re-runs the whole body (so it must have no effects outside the
    ///   database) on serialization failure (40001), deadlock (40P01) or a
    ///   connection lost before COMMIT was sent, with jittered exponential
    ///   backoff, up to `options.maximumAttempts` tries; `metrics` counts them.
    /// - A connection lost during COMMIT is not retried: the outcome is unknown
    ///   and `.connectionLost` is thrown.
    public func withTransaction<T: Sendable>(
        _ options: TransactionOptions = .init(), _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        let metrics = self.metrics
        return try await submit { worker in
            var backoff = Backoff(base: options.retryBackoff, maximum: options.maximumRetryBackoff)
            let policy = TransactionRetryPolicy(maximumAttempts: options.maximumAttempts)
            var attempt = 0
            while true {
                attempt += 1
                metrics.transactionAttempts.add(1, ordering: .relaxed)
                var committing = false
                do {
                    let connection = try worker.liveConnection()
                    try connection.execute(options.beginStatement)
                    let settings = options.localSettings
                    if !settings.isEmpty {
                        let calls = settings.indices.map { "set_config($\($0 * 2 + 1), $\($0 * 2 + 2), true)" }
                        let parameters: [(any PostgresEncodable)?] = settings.flatMap { [$0.name, $0.value] }
                        _ = try connection.query("SELECT " + calls.joined(separator: ", "), parameters)
                    }
                    let value = try body(connection)
                    if !connection.isInTransaction || connection.isTransactionFailed {
                        throw PostgresError(.server, "the body ended the transaction or left it aborted by an earlier error", sqlState: "25P02")
                    }
                    committing = true
                    try connection.execute("COMMIT")
                    metrics.transactionsCommitted.add(1, ordering: .relaxed)
                    return value
                } catch {
                    worker.afterJob()
                    switch policy.decide(error, attempt: attempt, duringCommit: committing) {
                    case .retry: break
                    case .fail(let replacement): throw replacement
                    case .rethrow: throw error
                    }
                    metrics.transactionRetries.add(1, ordering: .relaxed)
                    worker.logger.debug("transaction retry", ["attempt": String(attempt), "error": "\(error)"])
                    sleepThread(backoff.next())
                }
            }
        }
    }
}
