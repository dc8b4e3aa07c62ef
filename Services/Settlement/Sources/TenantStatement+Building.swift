import PurserAPI
import PurserKit
import PurserRPC

extension TenantStatement {
    /// A statement of `tenantID` for `period` from its lines: totals per
    /// currency, per agent, per provider, per category and per day (each also
    /// per currency), every group sorted by key then currency, lines sorted by
    /// day, agent, provider, category and currency. Exact integer sums,
    /// checked: one that does not fit in 64 bits throws `total_out_of_range`.
    package init(tenantID: String, period: Period, lines: [StatementLine]) throws(RPCError) {
        self.init()
        self.tenantID = tenantID
        self.period = period
        self.lines = lines.sorted {
            ($0.dayAtUs, $0.agentID, $0.providerID, $0.category, $0.currency)
                < ($1.dayAtUs, $1.agentID, $1.providerID, $1.category, $1.currency)
        }
        totals = try Self.group(lines, tenantID) { $0.currency }
        byAgent = try Self.group(lines, tenantID) { $0.agentID }
        byProvider = try Self.group(lines, tenantID) { $0.providerID }
        byCategory = try Self.group(lines, tenantID) { $0.category }
        byDay = try Self.group(lines, tenantID) { UTCDay(containing: $0.dayAtUs).isoDate }
    }

    private struct GroupKey: Hashable {
        let key: String
        let currency: String
    }

    private static func group(
        _ lines: [StatementLine], _ tenantID: String, by key: (StatementLine) -> String
    ) throws(RPCError) -> [StatementTotal] {
        var totals: [GroupKey: StatementTotal] = [:]
        for line in lines {
            let groupKey = GroupKey(key: key(line), currency: line.currency)
            var total = totals[groupKey] ?? StatementTotal(key: groupKey.key, currency: line.currency)
            let what = "the statement total \(groupKey.key) (\(line.currency)) of tenant \(tenantID)"
            try CheckedMicros.add(line.captureMicros, to: &total.captureMicros, what)
            try CheckedMicros.add(line.refundMicros, to: &total.refundMicros, what)
            try CheckedMicros.add(line.netMicros, to: &total.netMicros, what)
            try CheckedMicros.add(line.entryCount, to: &total.entryCount, what)
            totals[groupKey] = total
        }
        return totals.values.sorted { ($0.key, $0.currency) < ($1.key, $1.currency) }
    }
}
