import Foundation
import PurserAPI
import PurserKit
import PurserRPC
import PurserServiceHarness
import PurserTestSupport
import Synchronization
import Testing
@testable import PurserSettlement

/// The consumer against the real Wallet (with its real Identity and Policy),
/// in-process, over mutual TLS, storing into a Settlement database of its own.
@Suite struct CaptureFeedConsumerTests {
    /// Runs `body` with the shared harness (a real Identity, Policy and
    /// Wallet, without Settlement), spenders Identity knows, and a Settlement
    /// database of its own that only `body`'s consumers fill; stops and drops
    /// everything afterwards. Each consumer reads the Wallet's feed over
    /// mutual TLS as `settlement`.
    func withFeed(
        _ label: String, tenants: Int, providers: Int,
        _ body: (WalletHarness, Spenders, SettlementDatabase, Feeds) async throws -> Void
    ) async throws {
        try await withWallet(label) { wallet in
            let spenders = try await Spenders.make(wallet, tenants: tenants, providers: providers)
            try await SettlementDatabase.with(label + "_feed") { database in
                try await using(Feeds(wallet: wallet), cleanup: { $0.close() }) { feeds in
                    try await body(wallet, spenders, database, feeds)
                }
            }
        }
    }

    /// Clients of the Wallet's capture feed made for one test, closed at its end.
    final class Feeds: Sendable {
        let wallet: WalletHarness
        private let made = Mutex<[WalletCaptureFeed]>([])
        init(wallet: WalletHarness) { self.wallet = wallet }
        func make(logger: Logger? = nil) throws -> WalletCaptureFeed {
            let feed = try wallet.feed(logger: logger)
            made.withLock { $0.append(feed) }
            return feed
        }
        func close() { for feed in made.withLock({ $0 }) { feed.client.close() } }
    }

    @Test func everyCaptureAndRefundIsStoredOnceAcrossPagesAndRepeatedCatchUps() async throws {
        try await withFeed("feed_once", tenants: 2, providers: 2) { wallet, spenders, database, feeds in
            let movements = try await spendScenario(wallet, spenders, charges: 120, seed: 1)
            let consumer = database.consumer(try feeds.make(), pageSize: 33)
            try await database.drain(consumer, until: movements.count)
            #expect(try await consumer.catchUp() == 0)
            let stored = try await database.storedCount()
            #expect(stored.count == Int64(movements.count))
            #expect(stored.netMicros == movements.reduce(0) { $0 + $1.signedMicros })
        }
    }

    @Test func entriesAlreadyStoredAreNotDoubledWhenTheFeedIsReadAgain() async throws {
        try await withFeed("feed_replay", tenants: 1, providers: 1) { wallet, spenders, database, feeds in
            let movements = try await spendScenario(wallet, spenders, charges: 40, seed: 2)
            try await database.drain(database.consumer(try feeds.make(), pageSize: 16), until: movements.count)
            // A restart that lost its cursor re-reads the whole feed: nothing is doubled.
            try await database.execute("UPDATE settlement.feed_cursor SET cursor = '' WHERE source = 'wallet'")
            #expect(try await database.consumer(try feeds.make(), pageSize: 7).catchUp() == 0)
            #expect(try await database.storedCount().count == Int64(movements.count))
        }
    }

    @Test func consumersRacingOnOneDatabaseStoreEachEntryOnce() async throws {
        try await withFeed("feed_race", tenants: 2, providers: 1) { wallet, spenders, database, feeds in
            let movements = try await spendScenario(wallet, spenders, charges: 80, seed: 3)
            let racers = try [5, 13, 50].map { size in
                let consumer = database.consumer(try feeds.make(), pageSize: size, pollInterval: .milliseconds(1))
                return Task { try await consumer.run() }
            }
            try await database.drain(database.consumer(try feeds.make(), pageSize: 7), until: movements.count)
            for racer in racers {
                racer.cancel()
                try await racer.value
            }
            let stored = try await database.storedCount()
            #expect(stored.count == Int64(movements.count))
            #expect(stored.netMicros == movements.reduce(0) { $0 + $1.signedMicros })
        }
    }

    @Test func aConsumerStoppedInTheMiddleOfAPageLosesAndDoublesNothingAfterRestart() async throws {
        try await withFeed("feed_restart", tenants: 2, providers: 2) { wallet, spenders, database, feeds in
            var movements: [Movement] = []
            var generator = SeededGenerator(seed: 4)
            for round in 0..<8 {
                movements += try await spendScenario(wallet, spenders, charges: 15, seed: UInt64(round))
                let consumer = database.consumer(try feeds.make(), pageSize: 6, pollInterval: .milliseconds(1))
                let task = Task { try await consumer.run() }
                // A random moment in the consumer's work (not a wait for a condition): where it is cut off is the point.
                try await Task.sleep(for: .milliseconds(Int.random(in: 1...25, using: &generator)))
                task.cancel()
                try await task.value
            }
            try await database.drain(database.consumer(try feeds.make(), pageSize: 64), until: movements.count)
            let stored = try await database.storedCount()
            #expect(stored.count == Int64(movements.count))
            #expect(stored.netMicros == movements.reduce(0) { $0 + $1.signedMicros })
        }
    }

    @Test func theConsumerBacksOffWhileTheWalletIsDownAndCatchesUpAfterItReturns() async throws {
        try await withFeed("feed_outage", tenants: 1, providers: 1) { wallet, spenders, database, feeds in
            let movements = try await spendScenario(wallet, spenders, charges: 30, seed: 5)
            try await wallet.walletHost.shutdown()
            let consumer = database.consumer(
                try feeds.make(logger: Logger(label: "feed", level: .critical)), pageSize: 8, pollInterval: .milliseconds(5))
            let task = Task { try await consumer.run() }
            try await waitUntil("the consumer to fail and back off against the stopped Wallet", timeout: .seconds(30)) {
                consumer.consecutiveFailures >= 3
            }
            #expect(try await database.storedCount().count == 0)

            let restarted = try await wallet.startWalletAgain()
            try await using(restarted, cleanup: { try await $0.shutdown() }) { _ in
                // Caught up: a round succeeded (the count of failures is back to 0) and every entry is stored.
                try await waitUntil("the consumer to catch up after the Wallet returned", timeout: .seconds(30)) {
                    guard consumer.consecutiveFailures == 0 else { return false }
                    return try await database.storedCount().count >= Int64(movements.count)
                }
                task.cancel()
                try await task.value
                #expect(try await database.storedCount().count == Int64(movements.count))
            }
        }
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
        let error = thrownRPCError { try entry.validate() }
        #expect(error?.code == .failedPrecondition)
        #expect(error?.reason == "feed_entry_invalid")
    }

    @Test func aPageWithAMalformedEntryIsRefusedWholeAndTheCursorStays() async throws {
        try await SettlementDatabase.with("feed_refused") { (database: SettlementDatabase) async throws in
            var ledger = Ledger()
            for index in 0..<5 {
                ledger.add(tenant: "t", agent: "a", provider: "p", category: "c", micros: Int64(index + 1), at: 1_000)
            }
            var entries = ledger.entries
            entries[3].amountMicros = 0
            let store = FeedStore(pool: database.pool)
            let error = await rpcError {
                _ = try await store.store(FeedPage(entries: entries, nextCursor: "5"), readAfter: "", nowUs: 1)
            }
            #expect(error?.code == .failedPrecondition)
            #expect(error?.reason == "feed_entry_invalid")
            #expect(try await database.storedCount().count == 0)
            #expect(try await store.cursor() == "")
        }
    }
}
