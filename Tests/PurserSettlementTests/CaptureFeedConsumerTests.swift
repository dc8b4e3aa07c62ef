import Foundation
import PurserAPI
import PurserKit
import PurserRPC
import PurserTestSupport
import Testing
@testable import PurserSettlement

/// The consumer against the real Wallet, in-process, over mutual TLS, on one
/// real database holding both services' schemas.
@Suite struct CaptureFeedConsumerTests {
    func start(_ label: String) async throws -> (WalletHarness, SettlementDatabase) {
        let wallet = try await WalletHarness.start(label)
        return (wallet, try await SettlementDatabase.make(url: wallet.databaseURL))
    }

    @Test func everyCaptureAndRefundIsStoredOnceAcrossPagesAndRepeatedCatchUps() async throws {
        let (wallet, database) = try await start("feed_once")
        try await using(wallet, cleanup: { try await $0.stop() }) { wallet in
            let movements = try await spendScenario(wallet, tenants: [UUID(), UUID()], providers: [UUID(), UUID()], charges: 120, seed: 1)
            let consumer = database.consumer(try wallet.feed(), pageSize: 33)
            try await database.drain(consumer, until: movements.count)
            #expect(try await consumer.catchUp() == 0)
            let stored = try await database.storedCount()
            #expect(stored.count == Int64(movements.count))
            #expect(stored.netMicros == movements.reduce(0) { $0 + $1.signedMicros })
        }
    }

    @Test func entriesAlreadyStoredAreNotDoubledWhenTheFeedIsReadAgain() async throws {
        let (wallet, database) = try await start("feed_replay")
        try await using(wallet, cleanup: { try await $0.stop() }) { wallet in
            let movements = try await spendScenario(wallet, tenants: [UUID()], providers: [UUID()], charges: 40, seed: 2)
            try await database.drain(database.consumer(try wallet.feed(), pageSize: 16), until: movements.count)
            // A restart that lost its cursor re-reads the whole feed: nothing is doubled.
            try await database.execute("UPDATE settlement.feed_cursor SET cursor = '' WHERE source = 'wallet'")
            #expect(try await database.consumer(try wallet.feed(), pageSize: 7).catchUp() == 0)
            #expect(try await database.storedCount().count == Int64(movements.count))
        }
    }

    @Test func consumersRacingOnOneDatabaseStoreEachEntryOnce() async throws {
        let (wallet, database) = try await start("feed_race")
        try await using(wallet, cleanup: { try await $0.stop() }) { wallet in
            let movements = try await spendScenario(wallet, tenants: [UUID(), UUID()], providers: [UUID()], charges: 80, seed: 3)
            let racers = try [5, 13, 50].map { size in
                let consumer = database.consumer(try wallet.feed(), pageSize: size, pollInterval: .milliseconds(1))
                return Task { try await consumer.run() }
            }
            try await database.drain(database.consumer(try wallet.feed(), pageSize: 7), until: movements.count)
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
        let (wallet, database) = try await start("feed_restart")
        try await using(wallet, cleanup: { try await $0.stop() }) { wallet in
            let tenants = [UUID(), UUID()], providers = [UUID(), UUID()]
            var movements: [Movement] = []
            var generator = SeededGenerator(seed: 4)
            for round in 0..<8 {
                movements += try await spendScenario(wallet, tenants: tenants, providers: providers, charges: 15, seed: UInt64(round))
                let consumer = database.consumer(try wallet.feed(), pageSize: 6, pollInterval: .milliseconds(1))
                let task = Task { try await consumer.run() }
                try await Task.sleep(for: .milliseconds(Int.random(in: 1...25, using: &generator)))
                task.cancel()
                try await task.value
            }
            try await database.drain(database.consumer(try wallet.feed(), pageSize: 64), until: movements.count)
            let stored = try await database.storedCount()
            #expect(stored.count == Int64(movements.count))
            #expect(stored.netMicros == movements.reduce(0) { $0 + $1.signedMicros })
        }
    }

    @Test func theConsumerBacksOffWhileTheWalletIsDownAndCatchesUpAfterItReturns() async throws {
        let (wallet, database) = try await start("feed_outage")
        let movements = try await spendScenario(wallet, tenants: [UUID()], providers: [UUID()], charges: 30, seed: 5)
        try await wallet.stop()
        let port = wallet.port
        let consumer = database.consumer(
            try WalletCaptureFeed(
                endpoint: .init(host: "127.0.0.1", port: port), caPath: try TestEnvironment.certificate("ca"),
                certificatePath: try TestEnvironment.certificate("settlement"),
                privateKeyPath: try TestEnvironment.privateKey("settlement"), logger: Logger(label: "feed", level: .critical)),
            pageSize: 8, pollInterval: .milliseconds(5))
        let task = Task { try await consumer.run() }
        try await waitUntil("the consumer to fail and back off against the stopped Wallet", timeout: .seconds(30)) {
            consumer.consecutiveFailures >= 3
        }
        #expect(try await database.storedCount().count == 0)

        let restarted = try await WalletHarness.start(databaseURL: wallet.databaseURL, port: port)
        try await using(restarted, cleanup: { try await $0.stop() }) { restarted in
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
        let database = try await SettlementDatabase.make("feed_refused")
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
