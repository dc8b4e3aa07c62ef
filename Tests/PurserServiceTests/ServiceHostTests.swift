import Foundation
import PurserAPI
import PurserAuth
import PurserKit
import PurserPostgres
import PurserRPC
import PurserService
import PurserTestSupport
import PurserWire
import Synchronization
import Testing

/// Keys held in memory: stands in for Identity's key transport in these
/// host tests (Identity itself is exercised in PurserIdentityTests).
struct StaticKeys: SigningKeySource {
    let keys: JWKSet
    func fetchSigningKeys() async throws -> JWKSet { keys }
}

/// A revocation feed held in memory, paged like Identity's.
final class MemoryFeed: RevocationFeed {
    private let entries = Mutex<[RevokedSubject]>([])

    func add(subject: String, expiresAtUs: Int64) {
        entries.withLock { list in
            var entry = RevokedSubject()
            entry.cursor = Int64(list.count + 1)
            entry.subject = subject
            entry.expiresAtUs = expiresAtUs
            list.append(entry)
        }
    }

    func revocations(after cursor: Int64, limit: Int) async throws -> ListRevocationsResponse {
        entries.withLock { list in
            var response = ListRevocationsResponse()
            response.revocations = Array(list.filter { $0.cursor > cursor }.prefix(limit))
            response.nextCursor = response.revocations.last?.cursor ?? cursor
            return response
        }
    }
}

struct Echo: WireMessage {
    var text = ""
    init() {}
    init(_ text: String) { self.text = text }
    mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &text)
    }
}

@Suite("Service host: TLS server, authentication, health, drain, revocation polling", .serialized)
struct ServiceHostTests {
    static let echo = MethodDescriptor<Echo, Echo>("purser.test.v1.Echo/WhoAmI")
    static let failing = MethodDescriptor<Echo, Echo>("purser.test.v1.Echo/Fail")
    static let slow = MethodDescriptor<Echo, Echo>("purser.test.v1.Echo/Slow")
    /// How many `slow` calls reached their handler (so a test can wait for one to be in flight).
    static let slowCallsStarted = Atomic<Int>(0)

    struct Running {
        let host: ServiceHost
        let port: Int
        let signer: JWTSigner
        let feed: MemoryFeed
        let databaseURL: String
    }

    /// A host on a fresh database; with `metrics`, it also serves `GET /metrics` on a free loopback port.
    func start(_ label: String, metrics: Bool = false) async throws -> Running {
        let databaseURL = try await TestDatabase.create(label: label)
        let key = try SigningKey.generate(keyID: "test-key")
        let feed = MemoryFeed()
        let keys = StaticKeys(keys: JWKSet(keys: [key.publicJWK]))
        let settings = ServiceSettings(
            name: "wallet", listen: Endpoint(host: "127.0.0.1", port: 0),
            tlsCertificatePath: try TestEnvironment.certificate("wallet"), tlsPrivateKeyPath: try TestEnvironment.privateKey("wallet"),
            tlsCAPath: try TestEnvironment.certificate("ca"), databaseURL: databaseURL, databasePoolSize: 2, identityEndpoint: nil,
            revocationPollInterval: .milliseconds(50), drainTimeout: .seconds(2),
            metricsListen: metrics ? Endpoint(host: "127.0.0.1", port: 0) : nil)
        let migration = Migration(version: 1, name: "notes", sql: "CREATE TABLE wallet.notes (tenant_id uuid, note text NOT NULL)")
        let host = try await ServiceHost(
            settings: settings, migrations: [migration], authentication: .local { _ in (keys, feed) },
            logger: Logger(label: "host-test", level: .error))
        host.handle(Self.echo, allowing: [.agent, .tenantAdmin, .service]) { request, principal, _ in
            Echo("\(principal.kind.rawValue):\(request.text)")
        }
        host.handle(Self.failing, allowing: [.agent]) { request, _, _ in
            switch request.text {
            case "database": throw PostgresError(.connectionLost, "gone")
            case "auth": throw AuthError.notFound
            default: throw RPCError(.failedPrecondition, "nope", reason: "test_reason")
            }
        }
        host.handle(Self.slow, allowing: [.agent]) { request, _, _ in
            Self.slowCallsStarted.add(1, ordering: .releasing)
            try await Task.sleep(for: .milliseconds(400))
            return Echo("slow:\(request.text)")
        }
        let port = try host.start()
        return Running(host: host, port: port, signer: JWTSigner(key: key), feed: feed, databaseURL: databaseURL)
    }

    /// Shuts the host down and drops its database.
    func stop(_ running: Running) async throws {
        try await running.host.shutdown()
        try await TestDatabase.drop(url: running.databaseURL)
    }

    func client(_ port: Int, certificate: String? = nil) throws -> RPCClient {
        let tls = TLSConfiguration.client(
            trustRootsPath: try TestEnvironment.certificate("ca"),
            certificatePath: try certificate.map(TestEnvironment.certificate), privateKeyPath: try certificate.map(TestEnvironment.privateKey))
        return try RPCClient(
            configuration: ClientConfiguration(host: "127.0.0.1", port: port, tls: tls, maximumAttempts: 1),
            logger: Logger(label: "client", level: .error))
    }

    func token(_ signer: JWTSigner, subject: String = "agent-1", role: TokenRole = .agent, audience: String = "purser") throws -> String {
        let now = Int64(Date().timeIntervalSince1970)
        return try signer.sign(JWTClaims(
            issuer: "purser-identity", subject: subject, audience: [audience], expiresAt: now + 300, issuedAt: now,
            tokenID: UUID().uuidString, tenant: "tenant-1", role: role))
    }

    func bearer(_ token: String) -> Metadata { ["authorization": "Bearer \(token)"] }

    func failure(_ body: () async throws -> Void) async -> RPCError? {
        do {
            try await body()
            return nil
        } catch let error as RPCError {
            return error
        } catch {
            return RPCError(.unknown, "\(error)")
        }
    }

    @Test func hostMigratesServesHealthAndAuthenticatesBearerAndMTLSCallers() async throws {
        let running = try await start("host_basics")
        let anonymous = try client(running.port)
        let settlement = try client(running.port, certificate: "settlement")
        let outsider = try client(running.port, certificate: "test-client")

        let tables = try await running.host.pool.withConnection { connection in
            try connection.query("SELECT count(*)::int8 FROM wallet.schema_migrations")[0].decode(Int64.self, at: 0)
        }
        #expect(tables == 1)
        #expect(try await anonymous.call(Health.check, HealthCheckRequest()).status == .serving)

        let agent = try await anonymous.call(Self.echo, Echo("hi"), metadata: bearer(try token(running.signer)))
        #expect(agent.text == "agent:hi")
        let admin = try await anonymous.call(Self.echo, Echo("hi"), metadata: bearer(try token(running.signer, role: .admin)))
        #expect(admin.text == "tenantAdmin:hi")
        #expect(try await settlement.call(Self.echo, Echo("hi")).text == "service:hi")

        let finance = await failure { _ = try await anonymous.call(Self.echo, Echo(), metadata: bearer(try token(running.signer, role: .finance))) }
        #expect(finance?.code == .permissionDenied)
        #expect(finance?.reason == "permission_denied")
        let nobody = await failure { _ = try await outsider.call(Self.echo, Echo()) }
        #expect(nobody?.code == .unauthenticated)
        #expect(nobody?.reason == "token_missing")
        let audience = await failure { _ = try await anonymous.call(Self.echo, Echo(), metadata: bearer(try token(running.signer, audience: "other"))) }
        #expect(audience?.code == .unauthenticated)
        #expect(audience?.reason == "wrong_audience")
        let scheme = await failure { _ = try await anonymous.call(Self.echo, Echo(), metadata: ["authorization": "Basic abc"]) }
        #expect(scheme?.code == .unauthenticated)
        #expect(scheme?.reason == "token_malformed")

        let garbage = await failure {
            _ = try await anonymous.call(Self.echo.fullName, [0x0A, 0xFF], metadata: bearer(try token(running.signer)))
        }
        #expect(garbage?.code == .invalidArgument)
        #expect(garbage?.reason == "malformed_request")

        anonymous.close()
        settlement.close()
        outsider.close()
        try await stop(running)
    }

    /// A token narrowed by a `scope` claim (a payment token an agent handed to a payee) is no
    /// caller's credential: every authenticated method refuses it, whatever its audience.
    @Test func aScopedTokenIsRefusedByEveryMethodWithTokenScope() async throws {
        let running = try await start("host_scoped")
        let anonymous = try client(running.port)
        let now = Int64(Date().timeIntervalSince1970)
        for (audience, scope) in [("purser", "pay"), ("provider:\(UUID().uuidString.lowercased())", "pay"), ("purser", "read")] {
            let scoped = try running.signer.sign(JWTClaims(
                issuer: "purser-identity", subject: "agent-1", audience: [audience], expiresAt: now + 300, issuedAt: now,
                tokenID: UUID().uuidString, tenant: "tenant-1", role: .agent, scope: scope))
            for method in [Self.echo, Self.failing] {
                let refused = await failure { _ = try await anonymous.call(method, Echo("auth"), metadata: bearer(scoped)) }
                #expect(refused?.code == .permissionDenied, "\(method.fullName) with scope \(scope) for \(audience)")
                #expect(refused?.reason == "token_scope", "\(method.fullName) with scope \(scope) for \(audience)")
            }
        }
        let full = try await anonymous.call(Self.echo, Echo("hi"), metadata: bearer(try token(running.signer)))
        #expect(full.text == "agent:hi")
        anonymous.close()
        try await stop(running)
    }

    @Test func handlerErrorsReachTheClientWithTheirReason() async throws {
        let running = try await start("host_errors")
        let anonymous = try client(running.port)
        let metadata = bearer(try token(running.signer))
        let explicit = await failure { _ = try await anonymous.call(Self.failing, Echo("rpc"), metadata: metadata) }
        #expect(explicit?.code == .failedPrecondition)
        #expect(explicit?.reason == "test_reason")
        let database = await failure { _ = try await anonymous.call(Self.failing, Echo("database"), metadata: metadata) }
        #expect(database?.code == .unavailable)
        #expect(database?.reason == "database_unavailable")
        let hidden = await failure { _ = try await anonymous.call(Self.failing, Echo("auth"), metadata: metadata) }
        #expect(hidden?.code == .notFound)
        #expect(hidden?.reason == "not_found")
        anonymous.close()
        try await stop(running)
    }

    /// How fast is a figure, not an assertion: the wait has a deadline of 200 poll intervals, so a host that
    /// stops polling fails here rather than hanging.
    @Test func revokedSubjectsFromTheFeedAreRefusedOnceTheyArePolled() async throws {
        let running = try await start("host_revocations")
        let anonymous = try client(running.port)
        let metadata = bearer(try token(running.signer, subject: "agent-7"))
        _ = try await anonymous.call(Self.echo, Echo(), metadata: metadata)
        running.feed.add(subject: "agent-7", expiresAtUs: Int64(Date().timeIntervalSince1970 + 600) * 1_000_000)
        let start = ContinuousClock.now
        var refused: RPCError?
        while refused == nil, ContinuousClock.now - start < .seconds(10) {
            refused = await failure { _ = try await anonymous.call(Self.echo, Echo(), metadata: metadata) }
            if refused == nil { try await Task.sleep(for: .milliseconds(5)) }
        }
        #expect(refused?.code == .unauthenticated)
        #expect(refused?.reason == "subject_revoked")
        _ = try await anonymous.call(Self.echo, Echo(), metadata: bearer(try token(running.signer, subject: "agent-8")))
        anonymous.close()
        try await stop(running)
    }

    @Test func pollerPagesThroughTheFeedAndRoundsExpiryUp() async throws {
        let feed = MemoryFeed()
        for index in 0..<7 { feed.add(subject: "s\(index)", expiresAtUs: 4_000_000_000_000_001) }
        let verifier = TokenVerifier(
            configuration: .init(issuer: "i", audience: "a"), keySource: StaticKeys(keys: JWKSet(keys: [])),
            clock: { 4_000_000_000 })
        let poller = RevocationPoller(feed: feed, verifier: verifier, interval: .seconds(1), logger: Logger(label: "p"), pageSize: 3)
        let cursor = try await poller.poll(after: 0)
        #expect(cursor == 7)
        #expect((0..<7).allSatisfy { verifier.isRevoked(subject: "s\($0)") })
        #expect(!verifier.isRevoked(subject: "s7"))
        #expect(try await poller.poll(after: cursor) == 7)
    }

    @Test func healthTurnsNotServingWhenTheDatabaseIsGoneAndShutdownStopsServing() async throws {
        let running = try await start("host_health")
        let anonymous = try client(running.port)
        #expect(try await anonymous.call(Health.check, HealthCheckRequest()).status == .serving)

        let name = String(running.databaseURL.split(separator: "/").last ?? "")
        let admin = PostgresPool(
            configuration: TestDatabase.configuration(url: try TestEnvironment.databaseURL(), size: 1, applicationName: "purser-tests"), logger: Logger(label: "admin", level: .error))
        try await admin.withConnection { connection in
            try connection.executeScript("DROP DATABASE \"\(name)\" WITH (FORCE)")
        }
        await admin.close()
        var status = ServingStatus.serving
        let deadline = ContinuousClock.now + .seconds(10)
        while status == .serving, ContinuousClock.now < deadline {
            status = try await anonymous.call(Health.check, HealthCheckRequest()).status
            if status == .serving { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(status == .notServing)

        try await stop(running)
        let afterShutdown = await failure { _ = try await anonymous.call(Health.check, HealthCheckRequest()) }
        #expect(afterShutdown?.code == .unavailable)
        anonymous.close()
    }

    @Test func shutdownDrainsInFlightCallsThenRefusesNewOnes() async throws {
        let running = try await start("host_drain")
        let anonymous = try client(running.port)
        let metadata = bearer(try token(running.signer))
        _ = try await anonymous.call(Self.echo, Echo("warm"), metadata: metadata)
        let started = Self.slowCallsStarted.load(ordering: .acquiring)
        let inFlight = Task { try await anonymous.call(Self.slow, Echo("x"), metadata: metadata, timeout: .seconds(5)) }
        try await waitUntil("the slow call to reach its handler", timeout: .seconds(10), interval: .milliseconds(1)) {
            Self.slowCallsStarted.load(ordering: .acquiring) > started
        }
        let shutdown = Task { try await running.host.shutdown() }
        #expect(try await inFlight.value.text == "slow:x")
        try await shutdown.value
        try await TestDatabase.drop(url: running.databaseURL)
        let refused = await failure { _ = try await anonymous.call(Self.echo, Echo(), metadata: metadata) }
        #expect(refused?.code == .unavailable)
        anonymous.close()
    }
}
