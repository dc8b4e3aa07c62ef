import PurserAPI
import Testing
@testable import PurserSettlement

@Suite struct CaptureFeedConsumerTests {
    @Test func everyEntryIsStoredOnceAcrossPagesAndRepeatedCatchUps() async throws {
        let database = try await SettlementDatabase.make("feed_once")
        let ledger = Ledger.scenario(count: 500)
        let feed = MemoryFeed()
        feed.append(ledger.entries)
        let consumer = database.consumer(feed, pageSize: 33)
        #expect(try await consumer.catchUp() == 500)
        #expect(try await consumer.catchUp() == 0)
        let stored = try await database.storedCount()
        #expect(stored.count == 500)
        #expect(stored.netMicros == ledger.entries.reduce(0) { $0 + $1.signedMicros })
    }

    @Test func aPageThatCannotBeStoredIsRefusedWholeAndReadAgainAfterRestart() async throws {
        let database = try await SettlementDatabase.make("feed_midpage")
        let ledger = Ledger.scenario(count: 200)
        let feed = MemoryFeed()
        feed.append(ledger.entries)
        // Entry 130 sits in the fifth page of 32: that page is refused as a whole.
        var poisoned = ledger.entries[130]
        poisoned.amountMicros = 0
        feed.replace(at: 130, with: poisoned)
        let crashing = database.consumer(feed, pageSize: 32)
        await #expect(throws: SettlementError.self) { try await crashing.catchUp() }
        #expect(try await database.storedCount().count == 128)

        feed.replace(at: 130, with: ledger.entries[130])
        let restarted = database.consumer(feed, pageSize: 50)
        #expect(try await restarted.catchUp() == 72)
        let stored = try await database.storedCount()
        #expect(stored.count == 200)
        #expect(stored.netMicros == ledger.entries.reduce(0) { $0 + $1.signedMicros })
    }

    @Test func entriesAlreadyStoredAreNotDoubledWhenAPageIsReadAgain() async throws {
        let database = try await SettlementDatabase.make("feed_replay")
        let ledger = Ledger.scenario(count: 90)
        let feed = MemoryFeed()
        feed.append(ledger.entries)
        try await database.consumer(feed, pageSize: 40).catchUp()
        // A restart that lost the cursor re-reads everything: nothing is doubled.
        try await database.execute("UPDATE settlement.feed_cursor SET cursor = '' WHERE source = 'wallet'")
        #expect(try await database.consumer(feed, pageSize: 25).catchUp() == 0)
        #expect(try await database.storedCount().count == 90)
    }

    @Test func consumersRacingOnOneDatabaseStoreEachEntryOnce() async throws {
        let database = try await SettlementDatabase.make("feed_race")
        let ledger = Ledger.scenario(count: 400)
        let feed = MemoryFeed()
        feed.append(ledger.entries)
        let stored = try await withThrowingTaskGroup(of: Int.self) { group in
            for size in [7, 13, 50] {
                let consumer = database.consumer(feed, pageSize: size)
                group.addTask { try await consumer.catchUp() }
            }
            return try await group.reduce(0, +)
        }
        #expect(stored == 400)
        #expect(try await database.storedCount().count == 400)
    }

    @Test func theRunningConsumerSurvivesRestartsAndOutagesAndCatchesUp() async throws {
        let database = try await SettlementDatabase.make("feed_restart")
        let ledger = Ledger.scenario(count: 1_000, seed: 11)
        let feed = MemoryFeed()
        var generator = SeededGenerator(seed: 3)
        for chunk in stride(from: 0, to: 1_000, by: 100) {
            feed.append(Array(ledger.entries[chunk..<chunk + 100]))
            if chunk == 500 { feed.failNext(3) }
            let consumer = database.consumer(feed, pageSize: 17, pollInterval: .milliseconds(2))
            let task = Task { try await consumer.run() }
            try await Task.sleep(for: .milliseconds(Int.random(in: 1...15, using: &generator)))
            task.cancel()
            try await task.value
        }
        let final = database.consumer(feed, pageSize: 64)
        let task = Task { try await final.run() }
        let deadline = ContinuousClock.now.advanced(by: .seconds(30))
        while try await database.storedCount().count < 1_000, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        task.cancel()
        try await task.value
        let stored = try await database.storedCount()
        #expect(stored.count == 1_000)
        #expect(stored.netMicros == ledger.entries.reduce(0) { $0 + $1.signedMicros })
    }

    enum Corruption: String, CaseIterable, Sendable {
        case emptyEntryID, emptyTenant, negativeAmount, noTime, longCategory, nulInAgent

        func apply(to entry: inout FeedEntry) {
            switch self {
            case .emptyEntryID: entry.entryID = ""
            case .emptyTenant: entry.tenantID = ""
            case .negativeAmount: entry.amountMicros = -5
            case .noTime: entry.occurredAtUs = 0
            case .longCategory: entry.category = String(repeating: "x", count: 500)
            case .nulInAgent: entry.agentID = "a\u{0}b"
            }
        }
    }

    @Test(arguments: Corruption.allCases)
    func malformedFeedEntriesAreRefused(_ corruption: Corruption) {
        var ledger = Ledger()
        var entry = ledger.add(tenant: "t", agent: "a", provider: "p", category: "c", micros: 1, at: 1)
        #expect(throws: Never.self) { try entry.validate() }
        corruption.apply(to: &entry)
        #expect(throws: SettlementError.self) { try entry.validate() }
    }
}
