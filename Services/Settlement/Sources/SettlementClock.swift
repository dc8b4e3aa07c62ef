import Foundation

/// The wall clock Settlement reads to decide whether a period has ended and
/// to stamp batches; replaceable so tests can stand after a period's end.
package struct SettlementClock: Sendable {
    package let nowUs: @Sendable () -> Int64

    /// A clock reading `nowUs`.
    package init(nowUs: @escaping @Sendable () -> Int64) { self.nowUs = nowUs }

    /// The system's real-time clock in Unix microseconds.
    package static let system = SettlementClock {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1_000
    }

    /// The system clock shifted by `offsetUs`.
    package static func shifted(by offsetUs: Int64) -> SettlementClock {
        SettlementClock { system.nowUs() + offsetUs }
    }
}
