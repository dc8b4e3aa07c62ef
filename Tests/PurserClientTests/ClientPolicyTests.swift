import PurserKit
import PurserRPC
import Testing

@testable import PurserClient

@Suite struct ClientPolicyTests {
    @Test func onlyUnavailableAndAbortedAreRetriedAndOnlyWhenRepeatable() {
        let policy = RetryPolicy(maximumAttempts: 3)
        #expect(policy.shouldRetry(after: .unavailable, attempt: 1, repeatable: true))
        #expect(policy.shouldRetry(after: .aborted, attempt: 2, repeatable: true))
        #expect(!policy.shouldRetry(after: .unavailable, attempt: 3, repeatable: true))
        #expect(!policy.shouldRetry(after: .unavailable, attempt: 1, repeatable: false))
        for code in StatusCode.allCases where code != .unavailable && code != .aborted {
            #expect(!policy.shouldRetry(after: code, attempt: 1, repeatable: true), "\(code)")
        }
        #expect(!RetryPolicy.none.shouldRetry(after: .unavailable, attempt: 1, repeatable: true))
    }

    @Test func backoffDoublesUpToTheCapAndJitterOnlyShortensIt() {
        let policy = RetryPolicy(maximumAttempts: 10, initialBackoff: .milliseconds(100), maximumBackoff: .milliseconds(350))
        #expect(policy.backoff(afterAttempt: 1, jitterPercent: 100) == .milliseconds(100))
        #expect(policy.backoff(afterAttempt: 2, jitterPercent: 100) == .milliseconds(200))
        #expect(policy.backoff(afterAttempt: 3, jitterPercent: 100) == .milliseconds(350))
        #expect(policy.backoff(afterAttempt: 9, jitterPercent: 100) == .milliseconds(350))
        #expect(policy.backoff(afterAttempt: 2, jitterPercent: 50) == .milliseconds(100))
        #expect(policy.backoff(afterAttempt: 2, jitterPercent: 10) == .milliseconds(100), "jitter is clamped to 50…100%")
    }

    @Test func sessionsRefreshInTheLastFifthOfTheirLifetimeAtMostAMinuteEarly() {
        let short = Session(token: "t", subject: "s", tenantID: "", role: "agent", issuedAtUs: 0, expiresAtUs: 10_000_000)
        #expect(!short.needsRefresh(nowUs: 7_999_999))
        #expect(short.needsRefresh(nowUs: 8_000_000))
        let long = Session(token: "t", subject: "s", tenantID: "", role: "agent", issuedAtUs: 0, expiresAtUs: 900_000_000)
        #expect(!long.needsRefresh(nowUs: 839_999_999))
        #expect(long.needsRefresh(nowUs: 840_000_000))
        let expired = Session(token: "t", subject: "s", tenantID: "", role: "agent", issuedAtUs: 10, expiresAtUs: 5)
        #expect(expired.needsRefresh(nowUs: 6))
        #expect(!expired.needsRefresh(nowUs: 4), "a clock step backwards does not make the margin negative")
    }

    @Test func errorsExposeReasonRuleHeadroomAndDenial() {
        let error = PurserClientError(RPCError(.failedPrecondition, "daily cap reached", reason: "limit_exceeded",
                                               metadata: ["rule": "daily", "headroom_micros": "3500000"]))
        #expect(error.reason == "limit_exceeded")
        #expect(error.rule == "daily")
        #expect(error.headroom == Money(micros: 3_500_000))
        #expect(error.isDenial)
        #expect(error.description.contains("limit_exceeded") && error.description.contains("3.5"))
        let unavailable = PurserClientError(RPCError(.unavailable, "connection refused"))
        #expect(unavailable.reason == nil && unavailable.headroom == nil && !unavailable.isDenial)
        #expect(PurserClientError(code: .internal, message: "x", metadata: ["headroom_micros": "lots"]).headroom == nil)
    }
}
