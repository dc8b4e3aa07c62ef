import PurserBench
import Synchronization
import Testing

@Suite struct LoadGeneratorTests {
    @Test func closedLoopCountsSuccessesAndErrorsOfMeasuredCallsOnly() async {
        let started = Atomic<Int>(0)
        let startedInWarmup = Atomic<Int>(0)
        let clock = ContinuousClock()
        let warmup = Duration.milliseconds(400)
        // The generator's warm-up ends no earlier than this, so a call that
        // starts before it is certainly a warm-up call, however the machine
        // schedules the workers.
        let surelyWarmingUntil = clock.now.advanced(by: warmup)
        let generator = LoadGenerator(mode: .closed(concurrency: 4), duration: .milliseconds(300), warmup: warmup)
        let result = await generator.run { _, call in
            started.add(1, ordering: .relaxed)
            if clock.now < surelyWarmingUntil { startedInWarmup.add(1, ordering: .relaxed) }
            try? await Task.sleep(for: .milliseconds(2))
            return call % 2 == 0
        }
        let measured = result.successes + result.errors
        #expect(measured > 0)
        #expect(startedInWarmup.load(ordering: .relaxed) > 0)
        #expect(measured <= started.load(ordering: .relaxed) - startedInWarmup.load(ordering: .relaxed))
        #expect(abs(result.successes - result.errors) <= 4)
        #expect(result.latencies.count == UInt64(measured))
        #expect(result.latencies.valueAt(fraction: 0.5) >= 2_000_000)
    }

    @Test func openLoopKeepsToItsScheduleAndChargesStallsToTheCallsTheyDelay() async {
        let generator = LoadGenerator(
            mode: .open(ratePerSecond: 200, concurrency: 2), duration: .milliseconds(500), warmup: .zero)
        let result = await generator.run { _, call in
            if call == 10 { try? await Task.sleep(for: .milliseconds(100)) }
            return true
        }
        #expect(result.successes >= 90 && result.successes <= 101)
        #expect(result.successesPerSecond > 170 && result.successesPerSecond < 210)
        // The stalled worker's following calls start late and are measured from their schedule.
        let late = result.latencies.valueAt(fraction: 0.95)
        #expect(late >= 20_000_000)
        #expect(result.latencies.maximumNanoseconds >= 100_000_000)
    }
}
