import PurserAPI
import PurserKit
import Synchronization
import Testing
@testable import PurserSettlement

@Suite struct SettlementSchedulerTests {
    /// A clock the test moves by hand.
    final class ManualClock: Sendable {
        let now: Mutex<Int64>
        init(_ us: Int64) { now = Mutex(us) }
        func set(_ us: Int64) { now.withLock { $0 = us } }
        var clock: SettlementClock { SettlementClock { self.now.withLock { $0 } } }
    }

    static let today = UTCDay(daysSinceEpoch: 20_500)
    static let hour: Int64 = 3_600_000_000

    @Test func ticksCloseEndedPeriodsCatchUpAfterDowntimeAndKeepTheCurrentOneOpen() async throws {
        try await SettlementDatabase.with("scheduler") { (database: SettlementDatabase) async throws in
            var ledger = Ledger()
            for offset in [-2, -1, 0] as [Int64] {
                ledger.add(tenant: "t", agent: "a", provider: "p", category: "llm", micros: 1_000 + offset,
                           at: Self.today.adding(days: offset).startUs + Self.hour)
            }
            try await database.seed(ledger.entries)
            let manual = ManualClock(Self.today.startUs + 10 * Self.hour)
            let scheduler = SettlementScheduler(
                store: database.store, consumer: nil, cadence: .daily, interval: .seconds(3_600), clock: manual.clock,
                logger: Logger(label: "scheduler-test", level: .error))

            let first = try await scheduler.tick()
            #expect(first.map(\.period.startAtUs) == [Self.today.adding(days: -1).startUs, Self.today.startUs])
            #expect(first.map(\.closed) == [true, false])
            // The entry of two days ago predates every settled period: an adjustment of yesterday's batch.
            #expect(first[0].adjustmentsSettled == 1)
            #expect(first[0].batches.first?.netMicros == Int64(1_997))
            #expect(first[1].batches.map(\.state) == [.open])

            // Down for two days: the next tick closes today and tomorrow and opens the day after.
            try await database.seed([ledger.add(tenant: "t", agent: "a", provider: "p", category: "llm", micros: 7,
                                                at: Self.today.adding(days: 1).startUs + Self.hour)])
            manual.set(Self.today.adding(days: 2).startUs + Self.hour)
            let second = try await scheduler.tick()
            #expect(second.map(\.period.startAtUs) == [0, 1, 2].map { Self.today.adding(days: $0).startUs })
            #expect(second.map(\.closed) == [true, true, false])
            #expect(second[0].batches.first?.netMicros == 1_000)
            #expect(second[1].batches.first?.netMicros == 7)
            #expect(second[2].batches.isEmpty)

            let third = try await scheduler.tick()
            #expect(third.allSatisfy { !$0.changed })
            let listed = try await database.store.listBatches(BatchFilter(tenantID: "t"), pageSize: 10, pageToken: "")
            #expect(listed.batches.reduce(0) { $0 + $1.netMicros } == ledger.entries.reduce(0) { $0 + $1.signedMicros })
        }
    }
}

extension SettlementSchedulerTests {
    @Test func aPeriodClosesOnlyOnceTheCloseDelayHasPassed() async throws {
        try await SettlementDatabase.with("scheduler_delay") { (database: SettlementDatabase) async throws in
            var ledger = Ledger()
            ledger.add(tenant: "t", agent: "a", provider: "p", category: "llm", micros: 5, at: Self.today.startUs + Self.hour)
            try await database.seed(ledger.entries)
            let tomorrow = Self.today.adding(days: 1).startUs
            let manual = ManualClock(tomorrow + 5 * 60_000_000)
            let scheduler = SettlementScheduler(
                store: database.store, consumer: nil, cadence: .daily, interval: .seconds(3_600), closeDelay: .seconds(600),
                clock: manual.clock, logger: Logger(label: "scheduler-test", level: .error))
            let early = try await scheduler.tick()
            #expect(early.last?.period.startAtUs == Self.today.startUs)
            #expect(early.last?.closed == false)
            manual.set(tomorrow + 11 * 60_000_000)
            let late = try await scheduler.tick()
            #expect(late.map(\.period.startAtUs) == [Self.today.startUs, tomorrow])
            #expect(late.map(\.closed) == [true, false])
            #expect(late.first?.batches.map(\.state) == [.closed])
        }
    }
}
