import Foundation
import PurserPostgres
import PurserRPC

/// What the ledger has counted under one limit id and window key.
package struct CounterReading: Sendable, Hashable {
    package var scopeKey: String
    package var windowKey: String
    /// Micros counted, 0 when nothing was.
    package var spentMicros: Int64
    /// Authorizations counted, 0 when nothing was.
    package var count: Int64

    /// A reading with every field given.
    package init(scopeKey: String, windowKey: String, spentMicros: Int64, count: Int64) {
        self.scopeKey = scopeKey
        self.windowKey = windowKey
        self.spentMicros = spentMicros
        self.count = count
    }
}

extension Ledger {
    /// The spend counters of `agent` under each (scope key, window key), in
    /// the order given; a key nothing was counted under reads zeros. One query
    /// reading committed counters by primary key.
    package func counters(
        tenant: UUID, agent: UUID, keys: [(scopeKey: String, windowKey: String)]
    ) async throws(RPCError) -> [CounterReading] {
        guard !keys.isEmpty else { return [] }
        let document: String
        do {
            let data = try JSONSerialization.data(withJSONObject: keys.map { [$0.scopeKey, $0.windowKey] })
            document = String(decoding: data, as: UTF8.self)
        } catch {
            throw RPCError(.internal, "counter keys could not be encoded", reason: "internal")
        }
        let values = try await run { connection in
            let rows = try connection.query(
                """
                SELECT coalesce(c.spent, 0)::bigint, coalesce(c.count, 0)::bigint
                  FROM jsonb_array_elements($3::jsonb) WITH ORDINALITY AS k(item, ord)
                  LEFT JOIN wallet.spend_counters c
                    ON c.tenant_id = $1::uuid AND c.agent_id = $2::uuid
                   AND c.scope_key = k.item->>0 AND c.window_key = k.item->>1
                 ORDER BY k.ord
                """, [tenant, agent, document])
            return try rows.map { row throws(PostgresError) in
                (try row.decode(Int64.self, at: 0), try row.decode(Int64.self, at: 1))
            }
        }
        guard values.count == keys.count else {
            throw RPCError(
                .internal, "the ledger answered \(values.count) counters for \(keys.count) keys", reason: "internal")
        }
        return zip(keys, values).map { key, value in
            CounterReading(scopeKey: key.scopeKey, windowKey: key.windowKey, spentMicros: value.0, count: value.1)
        }
    }
}
