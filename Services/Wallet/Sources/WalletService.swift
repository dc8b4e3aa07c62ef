import Foundation
import PurserAPI
import PurserAuth
import PurserKit
import PurserMetrics
import PurserRPC
import PurserService

/// `purser.wallet.v1.Wallet` on a `ServiceHost`: pre-funded balances, holds
/// and the double-entry ledger.
///
/// Guarantees, whatever the concurrency and however many replicas run:
/// no account's available balance ever goes below zero (checked by the code
/// under the account row lock and refused by a CHECK constraint); every money
/// movement is one transaction with its ledger entries; every mutating call is
/// idempotent by its `idempotency-key`; every query is scoped to the caller's
/// tenant, and other tenants' ids answer NOT_FOUND.
package final class WalletService: Sendable {
    /// The host the handlers are registered on.
    package let host: ServiceHost
    /// The ledger in the host's database.
    package let ledger: Ledger
    /// Batches concurrent authorizations of one agent into one transaction.
    package let coalescer: AuthorizationCoalescer
    /// Tenant, agent and provider facts from Identity.
    package let directory: IdentityDirectory
    /// The Wallet's own settings.
    package let settings: WalletSettings
    /// Agents' effective spending policies from Policy; `nil` only where no
    /// Policy service is deployed (embedders), and then no policy is enforced.
    package let policy: PolicyClient?
    /// Authorize and Charge decisions by outcome and reason, in the host's metrics.
    let authorizationMetrics: AuthorizationMetrics

    /// Registers every method on `host` and adds the hold sweeper to its
    /// background services. `directory` reaches Identity as the `wallet` service;
    /// `policy` reaches Policy the same way, and with it every Authorize and
    /// Charge is checked against the agent's effective policy (failing closed).
    package init(host: ServiceHost, settings: WalletSettings, directory: IdentityDirectory, policy: PolicyClient? = nil) {
        self.host = host
        self.settings = settings
        self.directory = directory
        self.policy = policy
        self.ledger = Ledger(pool: host.pool, tenantDailyMaximumMicros: settings.tenantDailyMaximumMicros)
        self.coalescer = AuthorizationCoalescer(ledger: ledger, maximumBatch: settings.authorizationBatch,
                                                maximumInFlight: settings.authorizationsInFlight, registry: host.metrics)
        self.authorizationMetrics = AuthorizationMetrics(registry: host.metrics)
        let ledgerMetrics = ledger.metrics
        host.metrics.collect(
            "purser_wallet_ledger_statement_retries_total",
            help: "Ledger statements run again after a serialization failure, deadlock or lost connection.", kind: .counter
        ) { [MetricSample([], Double(ledgerMetrics.retries))] }
        registerFunding()
        registerAuthorization()
        registerHolds()
        registerCredit()
        registerReads()
        registerOverview()
        registerCounters()
        registerSettlement()
        registerFreeze()
        registerPolicyChanged()
        registerAlerts()
        if let identity = host.identity {
            host.addBackground(
                "event-relay",
                EventRelay(pool: host.pool, schema: WalletMigrations.schema, identity: identity,
                           logger: host.logger.with(["component": "event-relay"])))
        }
        host.addBackground(
            "hold-sweeper",
            HoldSweeper(ledger: ledger, interval: settings.sweepInterval, retention: settings.idempotencyRetention,
                        logger: host.logger.with(["component": "hold-sweeper"])))
    }

    /// Registers `method` with the host for the callers `WalletAccess` declares:
    /// its principal kinds and, for a method open to services, the one service
    /// that may call it (checked by the host before the request is decoded).
    func handle<Request, Response>(
        _ method: MethodDescriptor<Request, Response>,
        _ body: @escaping @Sendable (Request, Principal, ServerContext) async throws -> Response
    ) {
        host.handle(method, allowing: WalletAccess.kinds(method), services: WalletAccess.services(method), body)
    }
}
