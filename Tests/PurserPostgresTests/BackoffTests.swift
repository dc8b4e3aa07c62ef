import PurserTestSupport
import Testing
@testable import PurserPostgres

@Suite struct BackoffTests {
    @Test func ceilingDoublesPerFailureUpToTheMaximum() {
        var backoff = Backoff(base: .milliseconds(10), maximum: .milliseconds(70))
        var generator = SeededGenerator(seed: 1)
        var ceilings: [Int64] = []
        for _ in 0..<5 {
            _ = backoff.next(using: &generator)
            ceilings.append(backoff.ceilingNanoseconds / 1_000_000)
        }
        #expect(ceilings == [10, 20, 40, 70, 70])
        backoff.reset()
        _ = backoff.next(using: &generator)
        #expect(backoff.ceilingNanoseconds == 10_000_000)
    }

    @Test func jitteredWaitsStayWithinTheCeilingAndVary() {
        var generator = SeededGenerator(seed: 42)
        var waits = Set<Duration>()
        for _ in 0..<50 {
            var backoff = Backoff(base: .milliseconds(8), maximum: .seconds(1))
            let wait = backoff.next(using: &generator)
            #expect(wait >= .zero && wait <= .milliseconds(8))
            waits.insert(wait)
        }
        #expect(waits.count > 40)
    }

    @Test func hugeFailureCountsDoNotOverflow() {
        var backoff = Backoff(base: .seconds(1), maximum: .seconds(30))
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<200 { _ = backoff.next(using: &generator) }
        #expect(backoff.ceilingNanoseconds == 30_000_000_000)
    }
}
