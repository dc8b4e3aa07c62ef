import PurserAPI

extension TenantStatement {
    /// A statement of `tenantID` for `period` from its lines: totals per
    /// currency, per agent, per provider, per category and per day (each also
    /// per currency), every group sorted by key then currency, lines sorted by
    /// day, agent, provider, category and currency. Exact integer sums.
    public init(tenantID: String, period: Period, lines: [StatementLine]) {
        self.init()
        self.tenantID = tenantID
        self.period = period
        self.lines = lines.sorted {
            ($0.dayAtUs, $0.agentID, $0.providerID, $0.category, $0.currency)
                < ($1.dayAtUs, $1.agentID, $1.providerID, $1.category, $1.currency)
        }
        totals = Self.group(lines) { $0.currency }
        byAgent = Self.group(lines) { $0.agentID }
        byProvider = Self.group(lines) { $0.providerID }
        byCategory = Self.group(lines) { $0.category }
        byDay = Self.group(lines) { UTCDay(containing: $0.dayAtUs).isoDate }
    }

    private struct GroupKey: Hashable {
        let key: String
        let currency: String
    }

    private static func group(_ lines: [StatementLine], by key: (StatementLine) -> String) -> [StatementTotal] {
        var totals: [GroupKey: StatementTotal] = [:]
        for line in lines {
            let groupKey = GroupKey(key: key(line), currency: line.currency)
            var total = totals[groupKey] ?? StatementTotal(key: groupKey.key, currency: line.currency)
            total.captureMicros += line.captureMicros
            total.refundMicros += line.refundMicros
            total.netMicros += line.netMicros
            total.entryCount += line.entryCount
            totals[groupKey] = total
        }
        return totals.values.sorted { ($0.key, $0.currency) < ($1.key, $1.currency) }
    }
}
