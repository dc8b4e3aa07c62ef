import Foundation
import PurserAPI
import PurserBench
import PurserHTTP
import PurserKit
import PurserPostgres
import PurserWallet
import Synchronization

/// A webhook receiver on loopback for the bench: answers every delivery 204
/// and records the delay from the event's commit (the payload's `timestamp`)
/// to the delivery's arrival.
final class BenchReceiver: Sendable {
    let port: Int
    private let server: HTTPServer
    private let log: DelayLog

    /// The delays the route records, shared by the route and the receiver.
    private final class DelayLog: Sendable {
        let delays = Mutex<[Int64]>([])
    }

    private init(server: HTTPServer, port: Int, log: DelayLog) {
        self.server = server
        self.port = port
        self.log = log
    }

    static func start(logger: Logger) throws -> BenchReceiver {
        let log = DelayLog()
        var router = HTTPRouter()
        router.post("/hooks", maximumBodySize: 64 * 1024) { request in
            let body = try await request.body.collect(upTo: 64 * 1024)
            let arrived = Date()
            if let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
               let stamp = object["timestamp"] as? String, let committed = BenchReceiver.date(stamp) {
                let delay = Int64(arrived.timeIntervalSince(committed) * 1_000_000)
                log.delays.withLock { $0.append(delay) }
            }
            return HTTPResponse(status: .noContent)
        }
        let configuration = HTTPServerConfiguration(
            host: "127.0.0.1", port: 0, tls: nil, allowPlaintextOnLoopback: true, eventLoops: 1,
            limits: HTTPServerLimits(
                maximumHeadSize: 16 * 1024, headerReadTimeout: .seconds(5), idleTimeout: .seconds(30),
                maximumConnectionsPerAddress: 256, maximumBufferedBytes: 4 << 20))
        let server = HTTPServer(configuration: configuration, router: router, logger: logger)
        return BenchReceiver(server: server, port: try server.start(), log: log)
    }

    /// The delays recorded since the last call, in µs.
    func take() -> [Int64] {
        log.delays.withLock { delays in
            defer { delays = [] }
            return delays
        }
    }

    func stop() async {
        await server.shutdown(gracePeriod: .seconds(1))
    }

    /// `2026-12-03T14:02:11.204518Z` (the payload's form).
    static func date(_ text: String) -> Date? {
        let parts = text.split(separator: ".")
        guard parts.count == 2, let whole = ISO8601DateFormatter().date(from: parts[0] + "Z"),
              let fraction = Double("0." + parts[1].dropLast()) else { return nil }
        return whole.addingTimeInterval(fraction)
    }
}

/// Authorization with webhooks on against off in one run, and how fast
/// events reach a receiver.
///
/// Off is the Wallet without events: the current `authorize_agents` without
/// the call that writes limit events (its two comparisons per limit stay) and
/// the two event triggers disabled. On is the Wallet as shipped, with an endpoint registered for the
/// tenant and every agent given a balance-low threshold it crosses half-way
/// through the run, with the relay and Identity's deliverer working. The runs
/// go off, on, on, off, then on, off, off, on (`cycles` cycles), each on a
/// fresh tenant, at 8 clients, after a warm-up run.
enum BenchWebhooks {
    /// Switches the Wallet's event writing in its database (`pool`).
    static func setEvents(_ on: Bool, pool: PostgresPool) async throws {
        let function = WalletMigrations.authorizeAgents(events: on)
        let triggers = on ? "ENABLE" : "DISABLE"
        _ = try await pool.withConnection { connection in
            try connection.executeScript(
                function + """

                    ALTER TABLE wallet.accounts \(triggers) TRIGGER accounts_balance_events;
                    ALTER TABLE wallet.denials \(triggers) TRIGGER denials_events;
                    """)
        }
    }

    struct Figures {
        var offRates: [Double] = []
        var onRates: [Double] = []
        var onEvents = 0
        /// Commit → receiver of the events of the on runs, sorted (µs).
        var onDelays: [Int64] = []
        var burstEvents = 0
        var burstDelays: [Int64] = []
        var burstSeconds: Double = 0
        /// One authorization through the ledger alone (no RPC, one at a time), median µs, events off / on.
        var ledgerOffMicros: Double = 0
        var ledgerOnMicros: Double = 0
    }

    /// The ledger's own cost of an authorization with events off and on: one
    /// agent's authorizations under three limits, one at a time, straight to
    /// the ledger (no RPC, no policy call), in alternating blocks of 1,000.
    static func ledgerCost(_ system: BenchSystem, world: BenchWorld, pool: PostgresPool) async throws -> (off: Double, on: Double) {
        guard let ledger = system.walletService?.ledger, let tenant = UUID(uuidString: world.tenantID),
              let agent = UUID(uuidString: world.agents[0].id), let provider = UUID(uuidString: world.providerID)
        else { throw BenchFailure("the ledger bench needs the Wallet in this process") }
        let limits = [
            SpendLimit(scopeKey: "bench-hourly", windowKey: "h", capMicros: 1_000_000_000_000_000),
            SpendLimit(scopeKey: "bench-daily", windowKey: "d", capMicros: 1_000_000_000_000_000, capCount: 1_000_000_000),
            SpendLimit(scopeKey: "bench-lifetime", windowKey: "l", capMicros: 1_000_000_000_000_000),
        ]
        var samples: [Bool: [Int64]] = [false: [], true: []]
        let clock = ContinuousClock()
        for block in 0..<8 {
            let on = block % 4 == 1 || block % 4 == 2
            try await setEvents(on, pool: pool)
            for _ in 0..<1_000 {
                let command = AuthorizationCommand(
                    scope: IdempotencyScope(principal: "bench", key: UUID().uuidString), providerID: provider, category: "inference",
                    amountMicros: 1, holdTTLMicros: 300_000_000, limits: limits)
                let start = clock.now
                _ = try await ledger.authorize(tenant: tenant, agent: agent, command)
                let elapsed = clock.now - start
                samples[on, default: []].append(elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000)
            }
        }
        func median(_ values: [Int64]) -> Double { Double(values.sorted()[values.count / 2]) }
        return (median(samples[false] ?? [0]), median(samples[true] ?? [0]))
    }

    static func measure(
        _ system: BenchSystem, operatorToken: String, agents: Int, seconds: Int, cycles: Int, progress: (String) -> Void
    ) async throws -> Figures {
        guard let pool = system.walletPool else { throw BenchFailure("the webhooks bench needs the Wallet in this process") }
        let receiver = try BenchReceiver.start(logger: system.logger)
        defer { Task { await receiver.stop() } }
        let url = "http://127.0.0.1:\(receiver.port)/hooks"
        let amount: Int64 = 10_000
        let funded: Int64 = 1_000_000_000_000
        let calls = BenchCalls(system: system, amountMicros: amount)
        var figures = Figures()

        func run(_ world: BenchWorld, _ label: String) async -> LoadResult {
            progress("\(label) (\(seconds) s)")
            let result = await LoadGenerator(mode: .closed(concurrency: 8), duration: .seconds(seconds), warmup: .seconds(1)).run {
                worker, call in
                await calls.authorize(world, world.agent(worker: worker, call: call, workers: 8))
            }
            if let failure = calls.takeFirstFailure() { progress("\(label): first failure: \(failure)") }
            return result
        }

        // A first run on a fresh database is much faster than any after it
        // (its tables are empty): one off run to warm up, not counted.
        try await setEvents(false, pool: pool)
        let warm = try await BenchWorld.make(system, operatorToken: operatorToken, slug: "wh-warm", agents: agents, micros: funded)
        let warmup = await run(warm, "authorize, webhooks off, 8 clients, warm-up (not counted)")
        var expectedPerAgent = Int64(warmup.successesPerSecond * Double(seconds) / Double(agents)) * amount
        // Off, on, on, off, then on, off, off, on, and so on for `cycles`
        // cycles: a steady drift over the runs, and any effect of a run's
        // place in its cycle, weigh on both sides alike.
        let order = (0..<cycles).flatMap { $0 % 2 == 0 ? [false, true, true, false] : [true, false, false, true] }
        for (round, on) in order.enumerated() {
            try await setEvents(on, pool: pool)
            let world = try await BenchWorld.make(
                system, operatorToken: operatorToken, slug: "wh-\(round)", agents: agents, micros: funded)
            if on {
                try await register(url, for: world, system)
                for agent in world.agents {
                    try await alert(agent.id, below: funded - expectedPerAgent / 2, in: world, system)
                }
            }
            _ = receiver.take()
            let result = await run(world, "authorize, webhooks \(on ? "on" : "off"), 8 clients, run \(round + 1)")
            if on {
                figures.onRates.append(result.successesPerSecond)
                try await Task.sleep(for: .seconds(2))
                let delays = receiver.take()
                figures.onEvents += delays.count
                figures.onDelays += delays
            } else {
                figures.offRates.append(result.successesPerSecond)
                // Each agent spends about this much in a run; the next thresholds sit half-way down.
                expectedPerAgent = Int64(result.successesPerSecond * Double(seconds) / Double(agents)) * amount
            }
        }
        figures.onDelays.sort()

        progress("the ledger alone, 8,000 authorizations one at a time, events off and on")
        let ledgerWorld = try await BenchWorld.make(system, operatorToken: operatorToken, slug: "wh-ledger", agents: 1, micros: funded)
        (figures.ledgerOffMicros, figures.ledgerOnMicros) = try await ledgerCost(system, world: ledgerWorld, pool: pool)

        // The burst: every agent crosses its threshold 20 times (a hold
        // takes it below, an allocation brings it back), as fast as it can.
        progress("webhook burst: \(agents) agents × 20 crossings")
        try await setEvents(true, pool: pool)
        let burst = try await BenchWorld.make(system, operatorToken: operatorToken, slug: "wh-burst", agents: agents, micros: funded)
        try await register(url, for: burst, system)
        var fund = FundRequest()
        fund.tenantID = burst.tenantID
        fund.amountMicros = Int64(agents) * 20 * amount
        fund.externalReference = "bench-burst"
        _ = try await system.callWallet(WalletMethods.fund, fund, token: operatorToken)
        let threshold = funded - amount / 2
        for agent in burst.agents { try await alert(agent.id, below: threshold, in: burst, system) }
        _ = receiver.take()
        let start = ContinuousClock.now
        let crossings = 20
        await withTaskGroup(of: Void.self) { group in
            for agent in burst.agents {
                group.addTask {
                    for _ in 0..<crossings {
                        guard await calls.authorize(burst, agent) else { return }
                        var allocate = AllocateRequest()
                        allocate.agentID = agent.id
                        allocate.amountMicros = amount
                        _ = try? await system.callWallet(WalletMethods.allocate, allocate, token: burst.adminToken)
                    }
                }
            }
        }
        let expected = agents * crossings
        var delays: [Int64] = []
        let deadline = ContinuousClock.now + .seconds(120)
        while delays.count < expected && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
            delays += receiver.take()
        }
        figures.burstSeconds = Double((ContinuousClock.now - start).components.seconds)
            + Double((ContinuousClock.now - start).components.attoseconds) / 1e18
        figures.burstEvents = delays.count
        figures.burstDelays = delays.sorted()
        return figures
    }

    static func register(_ url: String, for world: BenchWorld, _ system: BenchSystem) async throws {
        var request = CreateWebhookEndpointRequest()
        request.url = url
        _ = try await system.callIdentity(IdentityMethods.createWebhookEndpoint, request, token: world.adminToken)
    }

    static func alert(_ agentID: String, below micros: Int64, in world: BenchWorld, _ system: BenchSystem) async throws {
        var request = SetBalanceAlertRequest()
        request.agentID = agentID
        request.balanceLowMicros = micros
        _ = try await system.callWallet(WalletMethods.setBalanceAlert, request, token: world.adminToken)
    }
}

struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
