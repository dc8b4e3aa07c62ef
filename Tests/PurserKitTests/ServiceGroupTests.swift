import Foundation
import Synchronization
import Testing
import PurserKit

/// Records start and stop order across services.
final class Journal: Sendable {
    let entries = Mutex<[String]>([])
    func add(_ entry: String) { entries.withLock { $0.append(entry) } }
    var all: [String] { entries.withLock { $0 } }
}

/// Runs until cancelled, then records its stop.
struct RecordingService: Service {
    let name: String
    let journal: Journal
    var stopDelay: Duration = .zero

    func run() async throws {
        journal.add("start \(name)")
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(5))
        }
        if stopDelay > .zero {
            let clock = ContinuousClock()
            let end = clock.now.advanced(by: stopDelay)
            while clock.now < end { try? await Task.sleep(for: .milliseconds(5)) }
        }
        journal.add("stop \(name)")
    }
}

/// Ignores cancellation: finishes only when the test opens the gate.
struct StuckService: Service {
    final class Gate: Sendable {
        private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))
        func wait() async {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.open { return true }
                    state.waiters.append(continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
        func open() {
            let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
                state.open = true
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in waiters { waiter.resume() }
        }
    }

    let gate: Gate
    func run() async throws { await gate.wait() }
}

struct FailingService: Service {
    struct Boom: Error {}
    let journal: Journal
    func run() async throws {
        try await Task.sleep(for: .milliseconds(30))
        journal.add("fail")
        throw Boom()
    }
}

@Suite struct ServiceGroupTests {
    let quiet = Logger(label: "test", level: .critical)

    func waitUntil(_ condition: () -> Bool) async throws {
        // Generous: a bound against hanging, not a timing assertion (the whole
        // test run shares a small cooperative pool).
        let deadline = ContinuousClock.now.advanced(by: .seconds(120))
        while !condition() {
            guard ContinuousClock.now < deadline else { throw CancellationError() }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    @Test func gracefulShutdownStopsServicesInReverseOrder() async throws {
        let journal = Journal()
        let group = ServiceGroup(
            services: ["a", "b", "c"].map { ServiceGroup.Entry($0, RecordingService(name: $0, journal: journal)) },
            signals: [], logger: quiet)
        let running = Task { try await group.run() }
        try await waitUntil { journal.all.count == 3 }
        group.triggerGracefulShutdown()
        try await running.value
        #expect(journal.all.prefix(3).sorted() == ["start a", "start b", "start c"])
        #expect(Array(journal.all.suffix(3)) == ["stop c", "stop b", "stop a"])
    }

    @Test func aFailingServiceStopsTheOthersAndItsErrorIsRethrown() async throws {
        let journal = Journal()
        let group = ServiceGroup(
            services: [
                .init("a", RecordingService(name: "a", journal: journal)),
                .init("bad", FailingService(journal: journal)),
                .init("c", RecordingService(name: "c", journal: journal)),
            ],
            signals: [], logger: quiet)
        await #expect(throws: FailingService.Boom.self) { try await group.run() }
        #expect(Array(journal.all.suffix(3)) == ["fail", "stop c", "stop a"])
    }

    @Test func shutdownGivesUpAfterTheTimeoutWhenAServiceIgnoresCancellation() async throws {
        let gate = StuckService.Gate()
        defer { gate.open() }
        let group = ServiceGroup(
            services: [.init("stuck", StuckService(gate: gate))],
            signals: [], gracefulShutdownTimeout: .milliseconds(100), logger: quiet)
        group.triggerGracefulShutdown()
        do {
            try await group.run()
            Issue.record("expected a timeout")
        } catch let error as ServiceGroupError {
            #expect(error.reason == "graceful_shutdown_timed_out")
            #expect(error.message.contains("stuck"))
        }
    }

    @Test func cancellingRunShutsDownGracefully() async throws {
        let journal = Journal()
        let group = ServiceGroup(
            services: [.init("a", RecordingService(name: "a", journal: journal))], signals: [], logger: quiet)
        let running = Task { try await group.run() }
        try await waitUntil { journal.all.count == 1 }
        running.cancel()
        try await running.value
        #expect(journal.all == ["start a", "stop a"])
    }

    @Test func aRealSignalTriggersGracefulShutdown() async throws {
        let journal = Journal()
        let group = ServiceGroup(
            services: [.init("a", RecordingService(name: "a", journal: journal))], signals: [SIGUSR2], logger: quiet)
        let running = Task { try await group.run() }
        try await waitUntil { journal.all.count == 1 }
        kill(getpid(), SIGUSR2)
        try await running.value
        #expect(journal.all == ["start a", "stop a"])
    }

    @Test func runsOnlyOnce() async throws {
        let group = ServiceGroup(services: [], signals: [], logger: quiet)
        group.triggerGracefulShutdown()
        try await group.run()
        await #expect(throws: ServiceGroupError.self) { try await group.run() }
    }
}
