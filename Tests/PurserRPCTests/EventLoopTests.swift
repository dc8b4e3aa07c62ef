import CLinux
import Foundation
import Glibc
import PurserRPC
import Synchronization
import Testing

/// The event loop as other protocols use it (the SMTP listener): work handed
/// over from other threads, timers, and readiness of registered descriptors.
@Suite struct EventLoopTests {
    /// Records what ran on the loop, for checks from the test's thread.
    final class Journal: Sendable {
        let entries = Mutex<[String]>([])
        func add(_ entry: String) { entries.withLock { $0.append(entry) } }
        var all: [String] { entries.withLock { $0 } }

        /// Waits up to `timeout` until `count` entries are recorded.
        func waitFor(_ count: Int, timeout: Duration = .seconds(10)) async throws -> [String] {
            let deadline = ContinuousClock.now.advanced(by: timeout)
            while all.count < count, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
            return all
        }
    }

    /// Drains an eventfd each time it is readable.
    final class Counter: EventHandler {
        let fd: Int32
        let journal: Journal
        init(fd: Int32, journal: Journal) {
            self.fd = fd
            self.journal = journal
        }
        func handleEvent(_ events: UInt32) {
            _ = purser_eventfd_drain(fd)
            journal.add(events & EpollEvents.readable != 0 ? "readable" : "other")
        }
    }

    @Test func workFromOtherThreadsRunsOnTheLoopInSubmissionOrder() async throws {
        let loop = try EventLoop(name: "test-execute")
        loop.start()
        let journal = Journal()
        let threads = Journal()
        let submitter = "\(UInt(pthread_self()))"
        for index in 0..<100 {
            loop.execute {
                threads.add("\(UInt(pthread_self()))")
                journal.add("\(index)")
            }
        }
        let entries = try await journal.waitFor(100)
        loop.stopAndWait()
        #expect(entries == (0..<100).map { "\($0)" })
        let ran = Set(threads.all)
        #expect(ran.count == 1 && !ran.contains(submitter), "one loop thread, not the submitter's")
    }

    @Test func timersFireInDeadlineOrderAndACancelledOneNever() async throws {
        let loop = try EventLoop(name: "test-timers")
        loop.start()
        let journal = Journal()
        let start = ContinuousClock.now
        loop.execute {
            _ = loop.schedule(afterNanoseconds: 150_000_000) { journal.add("late") }
            let cancelled = loop.schedule(afterNanoseconds: 50_000_000) { journal.add("cancelled") }
            _ = loop.schedule(afterNanoseconds: 20_000_000) { journal.add("early") }
            loop.cancel(cancelled)
        }
        let entries = try await journal.waitFor(2)
        let elapsed = ContinuousClock.now - start
        // The cancelled timer must never fire: an absence, so its due time passes before the journal is read again.
        try await Task.sleep(for: .milliseconds(100))
        loop.stopAndWait()
        #expect(entries == ["early", "late"])
        #expect(journal.all == ["early", "late"])
        #expect(elapsed >= .milliseconds(150))
    }

    @Test func aRegisteredDescriptorReportsReadinessUntilUnregistered() async throws {
        let loop = try EventLoop(name: "test-register")
        loop.start()
        let fd = purser_eventfd(0)
        try #require(fd >= 0)
        defer { close(fd) }
        let journal = Journal()
        loop.execute {
            let registered = loop.register(fd, events: EpollEvents.readable, handler: Counter(fd: fd, journal: journal))
            journal.add("registered \(registered), handlers \(loop.registeredHandlers.count)")
        }
        _ = try await journal.waitFor(1)
        _ = purser_eventfd_signal(fd)
        _ = try await journal.waitFor(2)
        loop.execute {
            loop.unregister(fd)
            journal.add("handlers \(loop.registeredHandlers.count)")
        }
        _ = try await journal.waitFor(3)
        _ = purser_eventfd_signal(fd)
        // The unregistered handler must not run: an absence, so the loop gets time to (wrongly) report it.
        try await Task.sleep(for: .milliseconds(100))
        loop.stopAndWait()
        #expect(journal.all == ["registered true, handlers 1", "readable", "handlers 0"])
    }

    @Test func workHandedOverAfterStopRunsOnTheCaller() throws {
        let loop = try EventLoop(name: "test-stopped")
        loop.start()
        loop.stopAndWait()
        let journal = Journal()
        loop.execute { journal.add("ran") }
        #expect(journal.all == ["ran"])
    }
}
