import Testing
@testable import PurserPostgres

@Suite struct TransactionRetryPolicyTests {
    let policy = TransactionRetryPolicy(maximumAttempts: 3)

    @Test(arguments: [PostgresError.Kind.serializationFailure, .deadlock, .connectionLost, .unavailable])
    func retryableFailuresAreRetriedWhileAttemptsRemain(kind: PostgresError.Kind) {
        let error = PostgresError(kind, "x")
        #expect(policy.decide(error, attempt: 1, duringCommit: false) == .retry)
        #expect(policy.decide(error, attempt: 2, duringCommit: false) == .retry)
        #expect(policy.decide(error, attempt: 3, duringCommit: false) == .rethrow)
    }

    @Test(arguments: [PostgresError.Kind.uniqueViolation, .checkViolation, .queryCanceled, .server, .decoding])
    func otherFailuresAreNeverRetried(kind: PostgresError.Kind) {
        #expect(policy.decide(PostgresError(kind, "x"), attempt: 1, duringCommit: false) == .rethrow)
    }

    @Test func errorsThrownByTheBodyItselfAreRethrownUnchanged() {
        struct Refused: Error {}
        #expect(policy.decide(Refused(), attempt: 1, duringCommit: false) == .rethrow)
    }

    @Test func aConnectionLostDuringCommitIsReportedAsUnknownOutcomeNotRetried() {
        let decision = policy.decide(PostgresError(.connectionLost, "eof"), attempt: 1, duringCommit: true)
        guard case .fail(let error) = decision else {
            Issue.record("expected .fail, got \(decision)")
            return
        }
        #expect(error.kind == .connectionLost)
        #expect(error.message.contains("outcome is unknown"))
    }

    @Test func aSerializationFailureAtCommitIsSafeToRetry() {
        #expect(policy.decide(PostgresError(.serializationFailure, "x"), attempt: 1, duringCommit: true) == .retry)
    }
}
