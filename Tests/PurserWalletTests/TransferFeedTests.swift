import Foundation
import PurserPostgres
import PurserWallet
import Testing

/// The feed Settlement reads payments across tenants from, and their totals
/// per payer tenant × payee tenant: every payment once, in pages that resume
/// where they stopped, with the tenant it pays.
@Suite(.serialized) struct TransferFeedTests {
    /// Reads the whole feed in pages of `limit`, waiting (up to 5 s) until it holds `count` items.
    static func drain(_ f: LedgerFixture, limit: Int, expecting count: Int) async throws -> [TransferFeedItem] {
        var items: [TransferFeedItem] = []
        for _ in 0..<250 {
            items = []
            var cursor = FeedCursor.start
            while true {
                let page = try await f.ledger.transferFeed(after: cursor, limit: limit)
                guard let last = page.last else { break }
                #expect(page.count <= limit)
                items += page
                cursor = last.cursor
            }
            if items.count >= count { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        return items
    }

    @Test func everyPaymentAcrossTenantsIsFedOnceWithBothTenantsAndTotalledPerPair() async throws {
        try await LedgerFixture.with("transfer_feed", poolSize: 2) { f in
            let a = f.tenant, b = UUID(), c = UUID()
            let payerA = try await CrossTenantLedgerTests.fundedAgent(f, tenant: a, 1_000_000)
            let payerB = try await CrossTenantLedgerTests.fundedAgent(f, tenant: b, 1_000_000)
            let payeeB = try await CrossTenantLedgerTests.fundedAgent(f, tenant: b, 1)
            let payeeC = try await CrossTenantLedgerTests.fundedAgent(f, tenant: c, 1)
            let payeeA = try await CrossTenantLedgerTests.fundedAgent(f, tenant: a, 1)
            // A pays B twice and C once; B pays A once; A's agent also pays one of its own tenant (not a transfer).
            var holds: [UUID] = []
            for (payer, tenant, payee, payeeTenant, amount) in [
                (payerA, a, payeeB, b, Int64(10_000)), (payerA, a, payeeB, b, 2_500), (payerA, a, payeeC, c, 700),
                (payerB, b, payeeA, a, 4_000),
            ] {
                let receipt = try await f.ledger.authorize(
                    tenant: tenant, agent: payer,
                    CrossTenantLedgerTests.payment(to: payee, of: payeeTenant, amount, principal: "agent:\(payer)"))
                holds.append(receipt.holdID)
            }
            _ = try await f.ledger.authorize(
                tenant: a, agent: payerA, CrossTenantLedgerTests.payment(to: payeeA, of: nil, 900, principal: "agent:\(payerA)"))

            let items = try await Self.drain(f, limit: 3, expecting: 4)
            #expect(items.count == 4)
            #expect(Set(items.map(\.entryID)).count == 4)
            #expect(Set(items.map(\.holdID)) == Set(holds))
            let flows = items.map { "\($0.payerTenantID)>\($0.payeeTenantID):\($0.amountMicros)" }.sorted()
            #expect(flows == ["\(a)>\(b):10000", "\(a)>\(b):2500", "\(a)>\(c):700", "\(b)>\(a):4000"].sorted())
            #expect(items.allSatisfy { $0.currency == f.currency && $0.createdAtUs > 0 })
            #expect(try await f.ledger.transferFeed(after: try #require(items.last).cursor, limit: 10).isEmpty)

            let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
            let all = try await f.ledger.transferTotals(fromUs: 0, toUs: now + 60_000_000, tenant: nil)
            let totals = Dictionary(uniqueKeysWithValues: all.map { ("\($0.payerTenantID)>\($0.payeeTenantID)", $0.amountMicros) })
            #expect(totals == ["\(a)>\(b)": 12_500, "\(a)>\(c)": 700, "\(b)>\(a)": 4_000])
            let ofC = try await f.ledger.transferTotals(fromUs: 0, toUs: now + 60_000_000, tenant: c)
            #expect(ofC.map(\.amountMicros) == [700] && ofC.first?.payeeTenantID == c)
            #expect(try await f.ledger.transferTotals(fromUs: 0, toUs: 1, tenant: nil).isEmpty)
        }
    }
}
