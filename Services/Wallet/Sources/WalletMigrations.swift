import PurserPostgres

/// The Wallet's schema (`wallet`), applied in order by `Migrator` at start-up.
///
/// The ledger's invariants live in the database itself: `balance - held >= 0`
/// and `held >= 0` are CHECK constraints on agent and treasury accounts, and
/// every money movement is a function that takes its row locks in the fixed
/// order (funding, treasury, agent account, hold) and stores its idempotency
/// record in the same transaction as its effect.
package enum WalletMigrations {
    /// Database schema owned by the Wallet.
    package static let schema = "wallet"

    /// Every migration, oldest first. The baseline is two texts: the tables,
    /// then every function in dependency order, each standing whole in its
    /// own `WalletMigrations+…` file. A migration never changes once applied
    /// (the migrator checks its checksum): change the schema by adding one.
    package static let all: [Migration] = [
        Migration(version: 1, name: "ledger tables", sql: tables),
        Migration(version: 2, name: "ledger functions", sql: ledgerFunctions),
        Migration(version: 3, name: "denials and holds by agent", sql: overview),
        Migration(version: 4, name: "spend per agent and day", sql: spendPerDay),
        Migration(version: 5, name: "agents as payees", sql: agentPayees),
        Migration(version: 6, name: "events for webhooks", sql: events),
        Migration(version: 7, name: "payments across tenants", sql: crossTenant),
        Migration(version: 8, name: "credits move within agent trees", sql: subAgents),
    ]

    /// The migrator for the `wallet` schema.
    package static var migrator: Migrator { Migrator(schema: schema, migrations: all) }

    /// Every ledger function, in dependency order.
    static var ledgerFunctions: String {
        [helpers, funding, authorize, holds, maintenance, audit, totals, dailyBound]
            .joined(separator: "\n\n")
    }
}
