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
        let deadline = ContinuousClock.now.advanced(by: .seconds(5))
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

    @Test func shutdownGivesUpAfterTheTimeout() async throws {
        let journal = Journal()
        let group = ServiceGroup(
            services: [.init("slow", RecordingService(name: "slow", journal: journal, stopDelay: .seconds(3)))],
            signals: [], gracefulShutdownTimeout: .milliseconds(100), logger: quiet)
        group.triggerGracefulShutdown()
        let started = ContinuousClock.now
        do {
            try await group.run()
            Issue.record("expected a timeout")
        } catch let error as ServiceGroupError {
            #expect(error.reason == "graceful_shutdown_timed_out")
            #expect(error.message.contains("slow"))
        }
        #expect(ContinuousClock.now - started < .seconds(2))
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
