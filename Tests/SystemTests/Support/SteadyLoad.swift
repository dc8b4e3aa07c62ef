import Foundation
import PurserClient
import PurserRPC
import Synchronization

/// Workers calling services in a loop until stopped, each logical call
/// repeated with its same idempotency key while it fails with UNAVAILABLE
/// (the one status that says "not processed, or the answer was lost; try
/// again"), and every attempt recorded, so a test can prove what happened to
/// the calls that were in flight when a service went away.
final class SteadyLoad: Sendable {
    /// A kind of call: its name and how to make it with a given idempotency key;
    /// returns what identifies its effect (a hold id) or "" for reads.
    struct Operation: Sendable {
        let name: String
        let call: @Sendable (_ key: String) async throws(PurserClientError) -> String
    }

    /// One logical call and every attempt it took.
    struct Record: Sendable {
        let operation: String
        let key: String
        let startedAt: ContinuousClock.Instant
        var answeredAt: ContinuousClock.Instant?
        /// `status/reason` of every failed attempt, in order.
        var failures: [String] = []
        /// Wall-clock time (µs since 1970) the first failed attempt was answered.
        var firstFailureAtUs: Int64?
        /// What the successful attempt returned.
        var result: String?
        /// The status of a failure that ended the call without success (anything but UNAVAILABLE).
        var finalFailure: String?
    }

    private let operations: [Operation]
    private let stopped = Atomic<Bool>(false)
    private let records = Mutex<[Record]>([])

    init(_ operations: [Operation]) {
        self.operations = operations
    }

    /// Runs `workers` workers until `stop()` or cancellation; each worker cycles through the operations.
    func run(workers: Int, pause: Duration = .milliseconds(10), retryPause: Duration = .milliseconds(50)) async {
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<workers {
                group.addTask {
                    var turn = worker
                    while !self.stopped.load(ordering: .relaxed) && !Task.isCancelled {
                        let operation = self.operations[turn % self.operations.count]
                        turn += 1
                        let record = await self.settle(operation, retryPause: retryPause)
                        self.records.withLock { $0.append(record) }
                        if pause > .zero { try? await Task.sleep(for: pause) }
                    }
                }
            }
        }
    }

    /// Stops the workers after their current call is answered.
    func stop() { stopped.store(true, ordering: .relaxed) }

    /// Every call made so far.
    var calls: [Record] { records.withLock { $0 } }

    private func settle(_ operation: Operation, retryPause: Duration) async -> Record {
        let clock = ContinuousClock()
        var record = Record(operation: operation.name, key: UUID().uuidString.lowercased(), startedAt: clock.now)
        let deadline = clock.now.advanced(by: .seconds(60))
        while clock.now < deadline && !Task.isCancelled {
            do {
                record.result = try await operation.call(record.key)
                break
            } catch {
                let failure = "\(error.code)/\(error.reason ?? "-")"
                if record.firstFailureAtUs == nil { record.firstFailureAtUs = Int64(Date().timeIntervalSince1970 * 1_000_000) }
                record.failures.append(failure)
                guard error.code == .unavailable else {
                    record.finalFailure = failure
                    break
                }
                try? await Task.sleep(for: retryPause)
            }
        }
        if record.result == nil && record.finalFailure == nil { record.finalFailure = "unanswered within 60 s" }
        record.answeredAt = clock.now
        return record
    }
}
