import Foundation
import PurserMetrics
import PurserRPC
import Synchronization

/// Group commit for authorizations.
///
/// Concurrent authorizations of the same agent all need that agent's account
/// row lock, so running them as separate transactions only makes them queue
/// in PostgreSQL; concurrent authorizations of different agents each pay a
/// round trip and a commit. Instead, requests wait in an in-process queue and
/// run in batches, each one transaction (`Ledger.authorize(_:)`): a batch takes
/// every waiting request of one tenant (up to `maximumBatch`) whose agent is
/// not already in a running batch, locks each agent's row once and decides
/// that agent's requests individually and in arrival order. At most `maximumInFlight`
/// batches run at once; when one commits, the next takes what has queued.
///
/// Every request is answered only after the transaction holding its decision
/// has committed. Several processes coalescing independently stay correct:
/// the row locks still serialize their batches, taken in one global order.
/// When a batch of several agents fails as a whole for a reason other than
/// the database being unavailable, each agent's requests are run again on
/// their own, so one agent's failure is never another's.
package final class AuthorizationCoalescer: Sendable {
    /// The ledger batches run against.
    package let ledger: Ledger
    /// Most requests decided in one transaction.
    package let maximumBatch: Int
    /// Most batches (transactions) running at once.
    package let maximumInFlight: Int

    private struct AgentKey: CoalescingKey {
        var tenant: UUID
        var agent: UUID
        /// A batch is one transaction, and a transaction never spans tenants.
        var partition: UUID { tenant }
    }

    private struct Waiter {
        var command: AuthorizationCommand
        var continuation: CheckedContinuation<AuthorizationReceipt, any Error>
    }

    private typealias Batch = [CoalescingQueue<AgentKey, Waiter>.Group]

    private let queue: Mutex<CoalescingQueue<AgentKey, Waiter>>
    /// Requests decided per transaction.
    private let batchSizes: Histogram

    /// Batches of at most `maximumBatch` requests run on `ledger`, at most
    /// `maximumInFlight` at once. Batch sizes go to `registry` as `purser_wallet_authorization_batch_size`.
    package init(ledger: Ledger, maximumBatch: Int = 128, maximumInFlight: Int = 4, registry: MetricsRegistry = MetricsRegistry()) {
        batchSizes = registry.histogram(
            "purser_wallet_authorization_batch_size", help: "Authorizations decided per group-commit transaction.",
            buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256]
        ).series()
        self.ledger = ledger
        self.maximumBatch = max(1, maximumBatch)
        self.maximumInFlight = max(1, maximumInFlight)
        self.queue = Mutex(CoalescingQueue(maximumBatch: maximumBatch, maximumInFlight: maximumInFlight))
    }

    /// Transactions run so far and requests they decided (so `requests / batches`
    /// is the mean batch size).
    package var statistics: (batches: Int, requests: Int) {
        (batchSizes.count, batchSizes.total)
    }

    /// Requests waiting for a batch.
    var waitingCount: Int { queue.withLock { $0.waitingCount } }

    /// Decides one authorization, batched with any others that arrive while
    /// batches are in flight. Returns the receipt once the hold is committed;
    /// throws the denial (`RPCError`) otherwise.
    package func authorize(tenant: UUID, agent: UUID, _ command: AuthorizationCommand) async throws -> AuthorizationReceipt {
        let key = AgentKey(tenant: tenant, agent: agent)
        return try await withCheckedThrowingContinuation { continuation in
            let waiter = Waiter(command: command, continuation: continuation)
            if let batch = queue.withLock({ $0.arrive(key, waiter) }) {
                Task { await self.drain(first: batch) }
            }
        }
    }

    /// Runs batches one after another while the queue hands out more; starts
    /// other drains when it hands out several at once.
    private func drain(first: Batch) async {
        var batch = first
        while true {
            await run(batch)
            let next = queue.withLock { $0.finished(batch) }
            guard let following = next.first else { return }
            for other in next.dropFirst() {
                Task { await self.drain(first: other) }
            }
            batch = following
        }
    }

    private func run(_ batch: Batch) async {
        batchSizes.observe(batch.reduce(0) { $0 + $1.elements.count })
        let groups = batch.map { group in
            AgentAuthorizations(tenant: group.key.tenant, agent: group.key.agent, commands: group.elements.map(\.command))
        }
        do {
            let results = try await ledger.authorize(groups)
            for (group, outcomes) in zip(batch, results) {
                for (waiter, result) in zip(group.elements, outcomes) {
                    waiter.continuation.resume(with: result.mapError { $0 as any Error })
                }
            }
        } catch where batch.count > 1 && error.code != .unavailable {
            for (group, authorizations) in zip(batch, groups) {
                await run(group, authorizations)
            }
        } catch {
            for group in batch {
                for waiter in group.elements { waiter.continuation.resume(throwing: error) }
            }
        }
    }

    /// One agent's requests on their own, after the batch they were in failed.
    private func run(_ group: CoalescingQueue<AgentKey, Waiter>.Group, _ authorizations: AgentAuthorizations) async {
        do {
            let results = try await ledger.authorize([authorizations]).first ?? []
            for (waiter, result) in zip(group.elements, results) {
                waiter.continuation.resume(with: result.mapError { $0 as any Error })
            }
        } catch {
            for waiter in group.elements { waiter.continuation.resume(throwing: error) }
        }
    }
}
