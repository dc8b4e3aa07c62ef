import PurserPostgres

/// The Wallet's schema (`wallet`), applied in order by `Migrator` at start-up.
///
/// The ledger's invariants live in the database itself: `balance - held >= 0`
/// and `held >= 0` are CHECK constraints on agent and treasury accounts, and
/// every money movement is a function that takes its row locks in the fixed
/// order (funding, treasury, agent account, hold) and stores its idempotency
/// record in the same transaction as its effect.
public enum WalletMigrations {
    /// Database schema owned by the Wallet.
    public static let schema = "wallet"

    /// Every migration, oldest first.
    public static let all: [Migration] = [
        Migration(version: 1, name: "ledger tables", sql: tables),
        Migration(version: 2, name: "ledger functions", sql: ledgerFunctions),
        Migration(version: 3, name: "ledger totals by period", sql: totals),
        Migration(version: 4, name: "policy refusals in authorize_batch", sql: policyRefusals),
        Migration(version: 5, name: "request hashes and denials planned once per connection", sql: cachedPlans),
        Migration(version: 6, name: "authorizations of several agents in one transaction", sql: authorizeAgents),
        Migration(version: 7, name: "policy epochs; limits sharing a counter count once", sql: policyEpochs),
        Migration(version: 20, name: "payment tokens charged under", sql: paymentTokens),
        Migration(version: 30, name: "per-tenant daily bound on what Fund and Refund move", sql: dailyBound),
        Migration(version: 31, name: "ledger audit in numeric", sql: auditNumeric),
    ]

    /// The migrator for the `wallet` schema.
    public static var migrator: Migrator { Migrator(schema: schema, migrations: all) }

    /// Every ledger function, in dependency order.
    static var ledgerFunctions: String {
        [helpers, funding, authorize, holds, maintenance, audit].joined(separator: "\n\n")
    }
}
