import Foundation
import PurserAPI
import PurserPostgres
import PurserRPC

extension Ledger {
    /// The hold `hold` of `tenant` payable to `payee`, or `nil` when there is
    /// none (another payee's hold included). A pending hold past its expiry
    /// that the sweeper has not yet released reads as expired.
    package func hold(tenant: UUID, hold: UUID, payee: UUID) async throws(RPCError) -> Hold? {
        try await run { connection in
            let rows = try connection.query(
                """
                SELECT h.agent_id, h.provider_id, h.category,
                       CASE WHEN h.status = 'pending' AND h.expires_at <= now() THEN 'expired' ELSE h.status END,
                       h.amount, h.captured, h.refunded, coalesce(a.currency, ''), wallet.us(h.expires_at), wallet.us(h.created_at)
                  FROM wallet.holds h
                  LEFT JOIN wallet.accounts a ON a.tenant_id = h.tenant_id AND a.account_id = h.agent_id
                 WHERE h.tenant_id = $1 AND h.hold_id = $2 AND h.provider_id = $3
                """, [tenant, hold, payee])
            guard let row = rows.first else { return nil }
            var found = Hold()
            found.holdID = hold.uuidString.lowercased()
            found.tenantID = tenant.uuidString.lowercased()
            found.agentID = try row.decode(UUID.self, at: 0).uuidString.lowercased()
            found.providerID = try row.decode(UUID.self, at: 1).uuidString.lowercased()
            found.category = try row.decode(String.self, at: 2)
            found.status = switch try row.decode(String.self, at: 3) {
            case "pending": .pending
            case "captured": .captured
            case "voided": .voided
            case "expired": .expired
            default: .unspecified
            }
            found.amountMicros = try row.decode(Int64.self, at: 4)
            found.capturedMicros = try row.decode(Int64.self, at: 5)
            found.refundedMicros = try row.decode(Int64.self, at: 6)
            found.currency = try row.decode(String.self, at: 7)
            found.expiresAtUs = try row.decode(Int64.self, at: 8)
            found.createdAtUs = try row.decode(Int64.self, at: 9)
            return found
        }
    }
}
