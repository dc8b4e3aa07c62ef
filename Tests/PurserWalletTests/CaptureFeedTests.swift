import Dispatch
import Foundation
import PurserPostgres
import PurserWallet
import Testing

@Suite struct CaptureFeedTests {
    @Test func theFeedNeverPassesAnEntryOfATransactionStillOpen() async throws {
        let f = try await LedgerFixture.make("feed_order")
        defer { Task { await f.close() } }
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
        let first = try await f.ledger.feed(after: .start, limit: 2)
        #expect(first.map(\.amountMicros) == [1_000, 3_000])
        let second = try await f.ledger.feed(after: try #require(first.last).cursor, limit: 10)
        #expect(second.map(\.entryID) == [committed.entryID])
        let item = try #require(second.first)
        #expect(item.kind == "capture" && item.tenantID == f.tenant && item.agentID == lateAgent && item.providerID == f.provider)
        #expect(item.holdID == late.holdID && item.category == "llm" && item.currency == "USD")
        #expect(try await f.ledger.feed(after: item.cursor, limit: 10).isEmpty)
        let roundTrip = FeedCursor(parsing: item.cursor.description)
        #expect(roundTrip == item.cursor)
    }

    @Test func theFeedCarriesCapturesAndRefundsButNotTransfers() async throws {
        let f = try await LedgerFixture.make("feed_kinds")
        defer { Task { await f.close() } }
        let agent = try await f.fundedAgent(10_000)
        let hold = try await f.ledger.authorize(tenant: f.tenant, agent: agent, f.command(5_000, kind: .charge))
        _ = try await f.ledger.refund(tenant: f.tenant, hold: hold.holdID, amountMicros: 1_000, reason: "", caller: .admin,
                                      scope: LedgerFixture.scope())
        var items: [FeedItem] = []
        for _ in 0..<50 {
            items = try await f.ledger.feed(after: .start, limit: 10)
            if items.count == 2 { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(items.map(\.kind) == ["capture", "refund"])
        #expect(items.map(\.amountMicros) == [5_000, 1_000])
    }

    @Test(arguments: ["x", "1", "1.", ".1", "1.-1", "a.b"])
    func malformedCursorsAreRejected(text: String) {
        #expect(FeedCursor(parsing: text) == nil)
    }
}
