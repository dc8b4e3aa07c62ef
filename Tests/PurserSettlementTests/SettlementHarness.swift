import Foundation
import PurserAPI
import PurserAuth
import PurserKit
import PurserRPC
import PurserService
import PurserTestSupport
@testable import PurserSettlement

/// Verification keys held in memory: stand in for Identity's key transport.
struct StaticKeys: SigningKeySource {
    let keys: JWKSet
    func fetchSigningKeys() async throws -> JWKSet { keys }
}

/// No revoked subjects.
struct NoRevocations: RevocationFeed {
    func revocations(after cursor: Int64, limit: Int) async throws -> ListRevocationsResponse {
        var response = ListRevocationsResponse()
        response.nextCursor = cursor
        return response
    }
}

/// The Settlement service running in-process next to the real Wallet (one
/// database, two schemas), reading the Wallet's capture feed and ledger totals
/// over mutual TLS, serving RPC over real TLS on an ephemeral port, with tokens
/// signed by a key its verifier trusts. Its clock stands `clockOffsetUs` after the real one.
struct SettlementHarness {
    let wallet: WalletHarness
    let database: SettlementDatabase
    let host: ServiceHost
    let service: SettlementService
    let port: Int
    let signer: JWTSigner
    let clock: SettlementClock

    static func start(_ label: String, clockOffsetUs: Int64 = 0) async throws -> SettlementHarness {
        let wallet = try await WalletHarness.start(label)
        let key = try SigningKey.generate(keyID: "settlement-test")
        let keys = StaticKeys(keys: JWKSet(keys: [key.publicJWK]))
        let common = ServiceSettings(
            name: "settlement", listen: Endpoint(host: "127.0.0.1", port: 0),
            tlsCertificatePath: try TestEnvironment.certificate("settlement"),
            tlsPrivateKeyPath: try TestEnvironment.privateKey("settlement"),
            tlsCAPath: try TestEnvironment.certificate("ca"), databaseURL: wallet.databaseURL, databasePoolSize: 4,
            identityEndpoint: nil, drainTimeout: .seconds(2))
        let host = try await ServiceHost(
            settings: common, migrations: SettlementMigrations.all, authentication: .local { _ in (keys, NoRevocations()) },
            logger: Logger(label: "settlement-test", level: .error))
        let clock = SettlementClock.shifted(by: clockOffsetUs)
        let feed = try wallet.feed()
        let service = SettlementService(
            host: host, settings: SettlementSettings(walletEndpoint: Endpoint(host: "127.0.0.1", port: wallet.port)),
            feed: feed, ledger: WalletLedgerTotals(client: feed.client), clock: clock, background: false)
        let port = try host.start()
        return SettlementHarness(
            wallet: wallet, database: SettlementDatabase(pool: host.pool, store: service.store), host: host,
            service: service, port: port, signer: JWTSigner(key: key), clock: clock)
    }

    /// A client of this Settlement that presents no certificate (bearer tokens only).
    func client() throws -> RPCClient {
        try TestRPC.client(port: port, certificate: nil, logger: Logger(label: "settlement-client", level: .error))
    }

    /// Bearer metadata for a principal.
    func bearer(_ role: TokenRole, subject: String = "key-1", tenant: String? = nil) throws -> Metadata {
        let now = Int64(Date().timeIntervalSince1970)
        let token = try signer.sign(JWTClaims(
            issuer: "purser-identity", subject: subject, audience: ["purser"], expiresAt: now + 300, issuedAt: now,
            tokenID: UUID().uuidString, tenant: tenant, role: role))
        return ["authorization": "Bearer \(token)"]
    }

    var operatorMetadata: Metadata { get throws { try bearer(.operator, subject: "operator-1") } }

    func stop() async throws {
        try await host.shutdown()
        try await wallet.stop()
    }
}

/// The `RPCError` a call fails with, or `nil` when it succeeds.
func rpcFailure(_ body: () async throws -> Void) async -> RPCError? {
    await rpcError(body)
}
