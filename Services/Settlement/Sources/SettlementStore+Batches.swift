import PurserAPI
import PurserPostgres
import PurserRPC
import PurserService

/// Which batches `listBatches` returns; empty fields match anything.
package struct BatchFilter: Sendable, Hashable {
    package var tenantID = ""
    package var providerID = ""
    package var state = BatchState.unspecified
    package var period: SettlementPeriod?

    package init(tenantID: String = "", providerID: String = "", state: BatchState = .unspecified, period: SettlementPeriod? = nil) {
        self.tenantID = tenantID
        self.providerID = providerID
        self.state = state
        self.period = period
    }
}

extension SettlementStore {
    /// Largest page `listBatches` returns.
    static let maximumPageSize = 500

    /// Batches matching `filter`, newest period first (then by id), `pageSize`
    /// at a time; returns the token of the next page ("" on the last).
    package func listBatches(_ filter: BatchFilter, pageSize: Int, pageToken: String) async throws -> ListBatchesResponse {
        var after: PageToken.Position?
        if !pageToken.isEmpty {
            guard let position = PageToken(text: pageToken)?.position, Self.isUUID(position.id) else {
                throw RPCError.invalidArgument("page_token is not valid")
            }
            after = position
        }
        let size = pageSize <= 0 ? 100 : min(pageSize, Self.maximumPageSize)
        let state = filter.state == .unspecified ? "" : filter.state.description
        let parameters: [(any PostgresEncodable)?] = [
            filter.tenantID, filter.providerID, state,
            filter.period?.startUs ?? Int64.min, filter.period?.endUs ?? Int64.max,
            after?.timeUs ?? Int64.max, after?.id ?? "ffffffff-ffff-ffff-ffff-ffffffffffff", Int64(size + 1),
        ]
        return try await pool.withTransaction(TransactionOptions(readOnly: true)) { connection in
            let rows = try connection.query("""
                SELECT \(Self.batchColumns) FROM settlement.batches b
                WHERE ($1::text = '' OR b.tenant_id = $1::text) AND ($2::text = '' OR b.provider_id = $2::text)
                  AND ($3::text = '' OR b.state = $3::text)
                  AND b.period_start_us >= $4 AND b.period_end_us <= $5
                  AND (b.period_start_us, b.batch_id) < ($6, $7::uuid)
                ORDER BY b.period_start_us DESC, b.batch_id DESC
                LIMIT $8
                """, parameters)
            var response = ListBatchesResponse()
            response.batches = try rows.prefix(size).map(Self.batch(from:))
            if rows.count > size, let last = response.batches.last {
                response.nextPageToken = PageToken(after: PageToken.Position(timeUs: last.period.startAtUs, id: last.id)).text
            }
            return response
        }
    }

    /// Whether any batch, in any state and period, is between `tenantID` and
    /// `providerID` (an empty id matches any).
    package func hasBatch(tenantID: String, providerID: String) async throws -> Bool {
        try await pool.withTransaction(TransactionOptions(readOnly: true)) { connection in
            let rows = try connection.query("""
                SELECT EXISTS (SELECT 1 FROM settlement.batches b
                                WHERE ($1::text = '' OR b.tenant_id = $1::text) AND ($2::text = '' OR b.provider_id = $2::text))
                """, [tenantID, providerID])
            return try rows[0].decode(Bool.self, at: 0)
        }
    }

    /// The condition that finds the batch whose id is `$1`: its tenant through
    /// `settlement.batch_directory`, then the batch under that tenant.
    static let byID = """
        b.tenant_id = (SELECT d.tenant_id FROM settlement.batch_directory d WHERE d.batch_id = $1::uuid) \
        AND b.batch_id = $1::uuid
        """

    /// The batch `batchID` with its lines, or `nil` when there is none.
    package func batch(id batchID: String) async throws -> Batch? {
        guard Self.isUUID(batchID) else { return nil }
        return try await pool.withTransaction(TransactionOptions(readOnly: true)) { connection in
            let rows = try connection.query("SELECT \(Self.batchColumns) FROM settlement.batches b WHERE \(Self.byID)", [batchID])
            guard let row = rows.first else { return nil }
            var batch = try Self.batch(from: row)
            batch.lines = try Self.lines(of: [batch], on: connection)[batch.id] ?? []
            return batch
        }
    }

    /// Marks a closed batch paid with `reference` at `nowUs`, under the batch's
    /// row lock. The same reference again answers the paid batch unchanged;
    /// see `BatchState.payment(reference:existingReference:)` for the refusals.
    /// Returns `nil` when the batch does not exist.
    package func markPaid(batchID: String, reference: String, nowUs: Int64) async throws -> Batch? {
        guard Self.isUUID(batchID) else { return nil }
        return try await pool.withTransaction { connection in
            let rows = try connection.query(
                "SELECT \(Self.batchColumns) FROM settlement.batches b WHERE \(Self.byID) FOR UPDATE", [batchID])
            guard let row = rows.first else { return nil }
            var batch = try Self.batch(from: row)
            switch try batch.state.payment(reference: reference, existingReference: batch.externalReference) {
            case .alreadyPaid:
                break
            case .markPaid:
                try connection.execute("""
                    UPDATE settlement.batches SET state = 'paid', external_reference = $3, paid_at_us = $4
                    WHERE tenant_id = $1 AND batch_id = $2::uuid
                    """, [batch.tenantID, batch.id, reference, nowUs])
                batch.state = .paid
                batch.externalReference = reference
                batch.paidAtUs = nowUs
            }
            batch.lines = try Self.lines(of: [batch], on: connection)[batch.id] ?? []
            return batch
        }
    }

    /// True for a lower-case canonical UUID (what batch ids look like).
    static func isUUID(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 36 else { return false }
        for (index, byte) in bytes.enumerated() {
            if index == 8 || index == 13 || index == 18 || index == 23 {
                guard byte == UInt8(ascii: "-") else { return false }
            } else {
                guard (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66) else { return false }
            }
        }
        return true
    }
}
