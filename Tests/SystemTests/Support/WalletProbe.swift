import Foundation
import PurserKit
import PurserPostgres
import PurserTestSupport

/// Reads one tenant's rows of the Wallet's schema straight from PostgreSQL,
/// so a test can compare what clients were answered with what was committed.
final class WalletProbe: Sendable {
    /// A hold as stored.
    struct Hold: Sendable, Hashable {
        let id: String
        let amount: Int64
        let captured: Int64
        let status: String
        /// `status = 'pending'` with `expires_at` already passed.
        let overdue: Bool
    }

    /// The agent account's balance and held amount, with the amounts of the
    /// tenant's holds released by expiry, read in one snapshot.
    struct Account: Sendable {
        let balance: Int64
        let held: Int64
        let expiredMicros: Int64
    }

    private let pool: PostgresPool
    let tenantID: String

    init(databaseURL: String, tenantID: String) {
        pool = PostgresPool(configuration: TestDatabase.configuration(url: databaseURL, size: 1, applicationName: "purser-system-probe"),
                            logger: Logger(label: "wallet-probe", level: .error))
        self.tenantID = tenantID
    }

    /// The balance of the tenant's payable account towards `counterTenant`
    /// (what it owes that tenant; 0 when it has none).
    func payable(towards counterTenant: String) async throws -> Int64 {
        let tenant = tenantID
        return try await pool.withConnection { connection in
            let rows = try connection.query("""
                SELECT balance FROM wallet.accounts WHERE tenant_id = $1::uuid AND kind = 'payable' AND counter_tenant = $2::uuid
                """, [tenant, counterTenant])
            return try rows.first.map { try $0[0, as: Int64.self] } ?? 0
        }
    }

    /// Every hold of the tenant.
    func holds() async throws -> [Hold] {
        let tenant = tenantID
        return try await pool.withConnection { connection in
            let rows = try connection.query("""
                SELECT hold_id::text, amount, captured, status, (status = 'pending' AND expires_at < now())
                FROM wallet.holds WHERE tenant_id = $1::uuid
                """, [tenant])
            return try rows.map { row in
                Hold(id: try row[0, as: String.self], amount: try row[1, as: Int64.self], captured: try row[2, as: Int64.self],
                     status: try row[3, as: String.self], overdue: try row[4, as: Bool.self])
            }
        }
    }

    /// The tenant's (single) agent account.
    func agentAccount() async throws -> Account {
        let tenant = tenantID
        return try await pool.withConnection { connection in
            let rows = try connection.query("""
                SELECT a.balance, a.held,
                       (SELECT coalesce(sum(h.amount), 0)::bigint FROM wallet.holds h
                        WHERE h.tenant_id = a.tenant_id AND h.status = 'expired')
                FROM wallet.accounts a WHERE a.tenant_id = $1::uuid AND a.kind = 'agent'
                """, [tenant])
            guard let row = rows.first else { throw PostgresError(.decoding, "tenant \(tenant) has no agent account") }
            return Account(balance: try row[0, as: Int64.self], held: try row[1, as: Int64.self], expiredMicros: try row[2, as: Int64.self])
        }
    }

    /// Capture entries per hold id.
    func captureEntries() async throws -> [String: Int] {
        let tenant = tenantID
        return try await pool.withConnection { connection in
            let rows = try connection.query("""
                SELECT hold_id::text, count(*)::bigint FROM wallet.entries
                WHERE tenant_id = $1::uuid AND kind = 'capture' GROUP BY hold_id
                """, [tenant])
            var counts: [String: Int] = [:]
            for row in rows { counts[try row[0, as: String.self]] = Int(try row[1, as: Int64.self]) }
            return counts
        }
    }

    /// Idempotency records the tenant's calls of `method` (e.g. `Authorize`) left.
    func idempotencyRecords(method: String) async throws -> Int {
        let tenant = tenantID
        return try await pool.withConnection { connection in
            let rows = try connection.query(
                "SELECT count(*)::bigint FROM wallet.idempotency WHERE tenant_id = $1::uuid AND method = $2", [tenant, method])
            return Int(try rows.first?[0, as: Int64.self] ?? 0)
        }
    }

    /// Closes the probe's connection.
    func close() async { await pool.close() }
}
