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
        Migration(version: 9, name: "authorization locks payee accounts only when it pays an agent", sql: authorizeLocks),
    ]

    /// The migrator for the `wallet` schema.
    package static var migrator: Migrator { Migrator(schema: schema, migrations: all) }

    /// Every ledger function, in dependency order.
    static var ledgerFunctions: String {
        [helpers, funding, authorize, holds, maintenance, audit, totals, dailyBound]
            .joined(separator: "\n\n")
    }

    /// The function `name` as one migration's text (`migration`) creates it,
    /// restated `CREATE OR REPLACE`, for a later migration that changes it.
    static func createOrReplace(_ name: String, from migration: String) -> String {
        guard let start = migration.range(of: "CREATE FUNCTION \(name)("),
              let end = migration.range(of: "END $$;", range: start.upperBound..<migration.endIndex)
        else { preconditionFailure("no migration text holds \(name) where expected") }
        return "CREATE OR REPLACE" + migration[migration.index(start.lowerBound, offsetBy: 6)..<end.upperBound]
    }

    /// Replaces `anchor`, which must occur exactly once in `function`, with
    /// `replacement`; stops the process otherwise (a migration text changed).
    static func replaceOnce(_ anchor: String, with replacement: String, in function: inout String) {
        let pieces = function.components(separatedBy: anchor)
        precondition(pieces.count == 2, "the anchor occurs \(pieces.count - 1) times, not once: \(anchor)")
        function = pieces[0] + replacement + pieces[1]
    }
}
