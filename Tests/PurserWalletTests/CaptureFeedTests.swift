import Dispatch
import Foundation
import PurserPostgres
import PurserWallet
import Testing

@Suite struct CaptureFeedTests {
    @Test func theFeedNeverPassesAnEntryOfATransactionStillOpen() async throws {
        try await LedgerFixture.with("feed_order") { f in
            let agent = try await f.fundedAgent(1_000_000)
            let lateAgent = try await f.fundedAgent(10_000)
            let otherAgent = try await f.fundedAgent(10_000)
            let early = try await f.ledger.authorize(tenant: f.tenant, agent: agent, f.command(1_000))
            let late = try await f.ledger.authorize(tenant: f.tenant, agent: lateAgent, f.command(2_000))
            let lateHold = try await f.ledger.authorize(tenant: f.tenant, agent: otherAgent, f.command(3_000))
            let before = try await f.ledger.feed(after: .start, limit: 100)
            #expect(before.isEmpty)

            let inserted = DispatchSemaphore(value: 0)
            let proceed = DispatchSemaphore(value: 0)
            let tenant = f.tenant, provider = f.provider, earlyHold = early.holdID
            let open = Task {
                try await f.pool.withConnection { connection in
                    try connection.executeScript("BEGIN")
                    _ = try connection.query(
                        "SELECT wallet.capture($1, 'provider', 'open-capture', $2, NULL::bigint, 'provider', $3::uuid)",
                        [tenant, earlyHold, provider])
                    inserted.signal()
                    proceed.wait()
                    try connection.executeScript("COMMIT")
                }
            }
            await withCheckedContinuation { continuation in
                DispatchQueue.global().async {
                    inserted.wait()
                    continuation.resume()
                }
            }
            _ = try await f.ledger.capture(tenant: f.tenant, hold: lateHold.holdID, amountMicros: nil, caller: .provider(f.provider),
                                           scope: LedgerFixture.scope())
            let committed = try await f.ledger.capture(tenant: f.tenant, hold: late.holdID, amountMicros: nil,
                                                       caller: .provider(f.provider), scope: LedgerFixture.scope())
            let whileOpen = try await f.ledger.feed(after: .start, limit: 100)
            #expect(whileOpen.isEmpty, "the feed returned \(whileOpen.map(\.amountMicros)) past an open transaction")

            proceed.signal()
            try await open.value
            let first = try await Self.feed(f, after: .start, limit: 2, expecting: 2)
            #expect(first.map(\.amountMicros) == [1_000, 3_000])
            let second = try await Self.feed(f, after: try #require(first.last).cursor, limit: 10, expecting: 1)
            #expect(second.map(\.entryID) == [committed.entryID])
            let item = try #require(second.first)
            #expect(item.kind == "capture" && item.tenantID == f.tenant && item.agentID == lateAgent && item.providerID == f.provider)
            #expect(item.holdID == late.holdID && item.category == "llm" && item.currency == "USD")
            #expect(try await f.ledger.feed(after: item.cursor, limit: 10).isEmpty)
            let roundTrip = FeedCursor(parsing: item.cursor.description)
            #expect(roundTrip == item.cursor)
        }
    }

    @Test func theFeedCarriesCapturesAndRefundsButNotTransfers() async throws {
        try await LedgerFixture.with("feed_kinds") { f in
            let agent = try await f.fundedAgent(10_000)
            let hold = try await f.ledger.authorize(tenant: f.tenant, agent: agent, f.command(5_000, kind: .charge))
            _ = try await f.ledger.refund(tenant: f.tenant, hold: hold.holdID, amountMicros: 1_000, reason: "", caller: .operator,
                                          scope: LedgerFixture.scope())
            let items = try await Self.feed(f, after: .start, limit: 10, expecting: 2)
            #expect(items.map(\.kind) == ["capture", "refund"])
            #expect(items.map(\.amountMicros) == [5_000, 1_000])
        }
    }

    @Test func transactionsAreOrderedByNumberNotByText() async throws {
        try await LedgerFixture.with("feed_numeric") { f in
            let tenant = f.tenant, agent = UUID(), provider = f.provider
            for (xid, amount) in [(100, Int64(2)), (99, Int64(1))] {
                _ = try await f.pool.withConnection { connection in
                    try connection.execute(
                        """
                        INSERT INTO wallet.entries (tenant_id, xid, kind, debit_account, credit_account, amount, currency,
                                                    agent_id, provider_id, hold_id)
                        VALUES ($1, $2::text::xid8, 'capture', $3, $4, $5, 'USD', $3, $4, gen_random_uuid())
                        """, [tenant, String(xid), agent, provider, amount])
                }
            }
            let items = try await Self.feed(f, after: .start, limit: 10, expecting: 2)
            #expect(items.map(\.amountMicros) == [1, 2])
            #expect(items.map(\.cursor.transaction) == [99, 100])
            let rest = try await f.ledger.feed(after: try #require(items.first).cursor, limit: 10)
            #expect(rest.map(\.amountMicros) == [2])
        }
    }

    /// Reads the feed until it holds `count` items or five seconds pass. The
    /// feed waits for every transaction of the cluster older than its entries,
    /// and other suites run transactions on the same server concurrently.
    static func feed(_ f: LedgerFixture, after cursor: FeedCursor, limit: Int, expecting count: Int) async throws -> [FeedItem] {
        var items: [FeedItem] = []
        for _ in 0..<250 {
            items = try await f.ledger.feed(after: cursor, limit: limit)
            if items.count >= count { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        return items
    }

    @Test(arguments: ["x", "1", "1.", ".1", "1.-1", "a.b"])
    func malformedCursorsAreRejected(text: String) {
        #expect(FeedCursor(parsing: text) == nil)
    }
}
