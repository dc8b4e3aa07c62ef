import Foundation
import Synchronization

/// Group commit for authorizations of one agent.
///
/// Concurrent authorizations of the same agent all need that agent's account
/// row lock, so running them as separate transactions only makes them queue
/// in PostgreSQL. Instead, while one batch for an agent is in flight, later
/// requests wait in an in-process queue; when the batch commits, the next one
/// takes everything queued (up to `maximumBatch`) and runs it as one
/// transaction that locks the row once and decides each request individually
/// and in arrival order (`Ledger.authorize(tenant:agent:_:)`).
///
/// Every request is answered only after the transaction holding its decision
/// has committed. Several processes coalescing independently stay correct:
/// the row lock still serializes their batches.
public final class AuthorizationCoalescer: Sendable {
    /// The ledger batches run against.
    public let ledger: Ledger
    /// Most requests decided in one transaction.
    public let maximumBatch: Int

    private struct AgentKey: Hashable {
        var tenant: UUID
        var agent: UUID
    }

    private struct Waiter {
        var command: AuthorizationCommand
        var continuation: CheckedContinuation<AuthorizationReceipt, any Error>
    }

    private let queues: Mutex<CoalescingQueue<AgentKey, Waiter>>
    private let batches = Atomic<Int>(0)
    private let requests = Atomic<Int>(0)

    /// Batches of at most `maximumBatch` requests run on `ledger`.
    public init(ledger: Ledger, maximumBatch: Int = 128) {
        self.ledger = ledger
        self.maximumBatch = max(1, maximumBatch)
        self.queues = Mutex(CoalescingQueue(maximumBatch: maximumBatch))
    }

    /// Transactions run so far and requests they decided (so `requests / batches`
    /// is the mean batch size).
    public var statistics: (batches: Int, requests: Int) {
        (batches.load(ordering: .relaxed), requests.load(ordering: .relaxed))
    }

    /// Decides one authorization, batched with any others for the same agent
    /// that arrive while a batch is in flight. Returns the receipt once the
    /// hold is committed; throws the denial (`WalletError`) otherwise.
    public func authorize(tenant: UUID, agent: UUID, _ command: AuthorizationCommand) async throws -> AuthorizationReceipt {
        let key = AgentKey(tenant: tenant, agent: agent)
        return try await withCheckedThrowingContinuation { continuation in
            let waiter = Waiter(command: command, continuation: continuation)
            if let batch = queues.withLock({ $0.arrive(key, waiter) }) {
                Task { await self.drain(key, first: batch) }
            }
        }
    }

    /// Runs batches for one agent until its queue is empty, then forgets the agent.
    private func drain(_ key: AgentKey, first: [Waiter]) async {
        var batch: [Waiter]? = first
        while let current = batch {
            await run(key, current)
            batch = queues.withLock { $0.finished(key) }
        }
    }

    private func run(_ key: AgentKey, _ batch: [Waiter]) async {
        batches.add(1, ordering: .relaxed)
        requests.add(batch.count, ordering: .relaxed)
        do {
            let results = try await ledger.authorize(tenant: key.tenant, agent: key.agent, batch.map(\.command))
            for (waiter, result) in zip(batch, results) {
                waiter.continuation.resume(with: result.mapError { $0 as any Error })
            }
        } catch {
            for waiter in batch {
                waiter.continuation.resume(throwing: error)
            }
        }
    }
}
