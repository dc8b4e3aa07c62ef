import Foundation
import PurserAPI
import PurserPostgres
import PurserServiceHarness
import PurserWallet
import PurserTestSupport
import Testing

/// `AuditLedger`'s `clean` answer, which many RPC tests rely on, shown to turn
/// false: a fault planted with direct SQL in one tenant's ledger is reported
/// to that tenant and to the operator, exactly, and not to another tenant.
@Suite struct AuditLedgerRPCTests {
    @Test func aPlantedFaultMakesTheAuditUncleanForItsTenantOnly() async throws {
        try await withWallet("rpc_audit_fault") { h in
            let operatorToken = try await h.operatorToken()
            let acme = try await h.world("audit-acme", operatorToken: operatorToken)
            let other = try await h.world("audit-other", operatorToken: operatorToken)
            try await h.fund(acme, agentMicros: 1_000_000)
            try await h.fund(other, agentMicros: 1_000_000)
            let before = try await h.call(WalletMethods.auditLedger, AuditLedgerRequest(), token: acme.financeToken)
            #expect(before.clean && before.discrepancies.isEmpty)

            let tenant = try #require(UUID(uuidString: acme.tenantID)), agent = try #require(UUID(uuidString: acme.agentID))
            _ = try await h.wallet.ledger.pool.withConnection { connection in
                try connection.execute(
                    "UPDATE wallet.accounts SET held = held + 7 WHERE tenant_id = $1 AND account_id = $2", [tenant, agent])
            }

            var expected = LedgerDiscrepancy()
            expected.tenantID = acme.tenantID.lowercased()
            expected.check = "held_equals_pending_holds"
            expected.subject = acme.agentID.lowercased()
            expected.expected = 0
            expected.actual = 7
            let mine = try await h.call(WalletMethods.auditLedger, AuditLedgerRequest(), token: acme.financeToken)
            #expect(!mine.clean)
            #expect(mine.discrepancies == [expected])
            let everyTenant = try await h.call(WalletMethods.auditLedger, AuditLedgerRequest(), token: operatorToken)
            #expect(!everyTenant.clean)
            #expect(everyTenant.discrepancies == [expected])
            let theirs = try await h.call(WalletMethods.auditLedger, AuditLedgerRequest(), token: other.financeToken)
            #expect(theirs.clean && theirs.discrepancies.isEmpty)
        }
    }
}
