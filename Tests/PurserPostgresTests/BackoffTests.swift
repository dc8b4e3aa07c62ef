import Testing
@testable import PurserPostgres

/// A deterministic generator (SplitMix64) so jitter is reproducible.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct BackoffTests {
    @Test func ceilingDoublesPerFailureUpToTheMaximum() {
        var backoff = Backoff(base: .milliseconds(10), maximum: .milliseconds(70))
        var generator = SeededGenerator(state: 1)
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
        var generator = SeededGenerator(state: 42)
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
        var generator = SeededGenerator(state: 7)
        for _ in 0..<200 { _ = backoff.next(using: &generator) }
        #expect(backoff.ceilingNanoseconds == 30_000_000_000)
    }
}
