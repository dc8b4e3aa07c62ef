import Foundation
import PurserRPC
import Synchronization

/// One answered (or failed) RPC: which service and method, when it was sent,
/// when its outcome arrived, and the status and `reason` it carried.
struct CallRecord: Sendable {
    let service: String
    let method: String
    let started: ContinuousClock.Instant
    let finished: ContinuousClock.Instant
    let code: StatusCode
    let reason: String?
    let message: String

    var duration: Duration { started.duration(to: finished) }
}

/// One `Health/Check` of a service: `status` when it answered, `error` when the call failed.
struct HealthSample: Sendable {
    let service: String
    let started: ContinuousClock.Instant
    let finished: ContinuousClock.Instant
    let status: ServingStatus?
    let error: RPCError?
}

/// Every call a load run made and every health sample it took, in the order
/// they finished. Safe to share between the tasks that drive the load.
final class LoadRecorder: Sendable {
    private let calls = Mutex<[CallRecord]>([])
    private let samples = Mutex<[HealthSample]>([])
    private let stopped = Atomic<Bool>(false)

    /// Whether `stop()` was called; load loops end when it is.
    var isStopped: Bool { stopped.load(ordering: .acquiring) }

    /// Asks every load loop to finish its current call and end.
    func stop() { stopped.store(true, ordering: .releasing) }

    /// Runs `body`, records its outcome under `service`/`method`, and returns it.
    @discardableResult
    func call<T: Sendable>(
        _ service: String, _ method: String, _ body: () async throws(RPCError) -> T
    ) async -> Result<T, RPCError> {
        let clock = ContinuousClock()
        let started = clock.now
        let result: Result<T, RPCError>
        do {
            result = .success(try await body())
        } catch {
            result = .failure(error)
        }
        let finished = clock.now
        let record: CallRecord
        switch result {
        case .success:
            record = CallRecord(service: service, method: method, started: started, finished: finished, code: .ok, reason: nil, message: "")
        case .failure(let error):
            record = CallRecord(
                service: service, method: method, started: started, finished: finished, code: error.code, reason: error.reason,
                message: error.message)
        }
        calls.withLock { $0.append(record) }
        return result
    }

    /// Calls `body` every `pause` until stopped, recording each outcome.
    func repeatedly(_ service: String, _ method: String, pause: Duration, _ body: () async throws(RPCError) -> Void) async {
        while !isStopped {
            await call(service, method, body)
            try? await Task.sleep(for: pause)
        }
    }

    /// Asks `client` for `Health/Check` every `interval` until stopped, recording each sample.
    func pollHealth(_ service: String, client: RPCClient, interval: Duration, timeout: Duration) async {
        let clock = ContinuousClock()
        while !isStopped {
            let started = clock.now
            do {
                let response = try await client.call(Health.check, HealthCheckRequest(), timeout: timeout)
                add(HealthSample(service: service, started: started, finished: clock.now, status: response.status, error: nil))
            } catch {
                add(HealthSample(service: service, started: started, finished: clock.now, status: nil, error: error))
            }
            try? await Task.sleep(for: interval)
        }
    }

    /// Records one health sample.
    func add(_ sample: HealthSample) {
        samples.withLock { $0.append(sample) }
    }

    /// Every call recorded so far.
    var records: [CallRecord] { calls.withLock { $0 } }

    /// Every health sample recorded so far.
    var healthSamples: [HealthSample] { samples.withLock { $0 } }
}
