import Foundation
import PurserRPC
import PurserWire
import Synchronization

/// Calls one service on behalf of one set of credentials.
///
/// Guarantees per logical call: the `authorization` header carries a token
/// that is not about to expire (a token the service refuses as
/// unauthenticated is replaced once and the call repeated — it was refused
/// before any effect); a mutating call carries one `idempotency-key` (the
/// caller's or a fresh UUID) that every retry reuses, so a retry can never
/// apply the effect twice; retries follow `RetryPolicy` within the call's
/// overall timeout.
///
/// Below this, the transport (`RPCClient`) repeats an attempt the server
/// provably never took, for any call, and one cut off after it was sent only
/// when it is repeatable; neither reaches `RetryPolicy`. Every logical call,
/// retry and failure thrown to the caller is counted in `PurserClient.statistics`.
public final class ServiceChannel: Sendable {
    public let service: ServiceName
    private let rpc: RPCClient
    private let tokens: TokenSource?
    private let staticToken: String?
    private let retry: RetryPolicy
    private let timeout: Duration
    private let counters: CallCounters

    init(service: ServiceName, rpc: RPCClient, tokens: TokenSource?, staticToken: String?, retry: RetryPolicy, timeout: Duration,
         counters: CallCounters) {
        self.counters = counters
        self.service = service
        self.rpc = rpc
        self.tokens = tokens
        self.staticToken = staticToken
        self.retry = retry
        self.timeout = timeout
    }

    /// Calls `method`. `idempotencyKey` names the logical operation for
    /// non-idempotent methods; one is generated when nil. `extra` metadata
    /// (e.g. `agent-authorization`) travels with every attempt.
    public func call<Request, Response>(
        _ method: MethodDescriptor<Request, Response>, _ request: Request, idempotencyKey: String? = nil, metadata extra: Metadata = [:]
    ) async throws(PurserClientError) -> Response {
        counters.calls.add(1, ordering: .relaxed)
        do {
            return try await callWithRetries(method, request, idempotencyKey: idempotencyKey, metadata: extra)
        } catch {
            counters.failures.add(1, ordering: .relaxed)
            throw error
        }
    }

    private func callWithRetries<Request, Response>(
        _ method: MethodDescriptor<Request, Response>, _ request: Request, idempotencyKey: String?, metadata extra: Metadata
    ) async throws(PurserClientError) -> Response {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        var metadata = extra
        metadata["request-id"] = UUID().uuidString.lowercased()
        if !method.idempotent {
            metadata["idempotency-key"] = idempotencyKey ?? UUID().uuidString.lowercased()
        }
        let repeatable = method.idempotent || metadata["idempotency-key"] != nil
        var attempt = 1
        var refreshedToken = false
        while true {
            var token: String?
            if let tokens {
                token = try await tokens.session().token
            } else {
                token = staticToken
            }
            if let token { metadata["authorization"] = "Bearer \(token)" }
            let remaining = deadline - clock.now
            guard remaining > .zero else {
                throw PurserClientError(code: .deadlineExceeded, message: "\(method.fullName): no answer within \(timeout)",
                                        reason: "deadline_exceeded")
            }
            do {
                return try await rpc.call(method, request, metadata: metadata, timeout: remaining)
            } catch {
                let failure = PurserClientError(error)
                if failure.code == .unauthenticated, let tokens, let token, !refreshedToken {
                    refreshedToken = true
                    await tokens.invalidate(token: token)
                    continue
                }
                guard retry.shouldRetry(after: failure.code, attempt: attempt, repeatable: repeatable), !Task.isCancelled else {
                    throw failure
                }
                let wait = retry.backoff(afterAttempt: attempt, jitterPercent: Int.random(in: 50...100))
                guard clock.now.advanced(by: wait) < deadline else { throw failure }
                try? await Task.sleep(for: wait)
                attempt += 1
                counters.policyRetries.add(1, ordering: .relaxed)
            }
        }
    }
}

/// Counters of one `PurserClient`'s logical calls, shared by its channels.
final class CallCounters: Sendable {
    let calls = Atomic<Int>(0)
    let policyRetries = Atomic<Int>(0)
    let failures = Atomic<Int>(0)
}
