// purser-bench: authorization throughput and latency of the Wallet against
// PostgreSQL given by the environment. Every authorization takes the full
// path: token check, the agent's effective policy (cached from Policy) and its
// caps, the row lock and the commit. The load runs twice: first against
// purser-identity, purser-policy and purser-wallet as separate processes over
// TLS (the deployed topology, the headline), then against the same three
// services in this process (for finding where time goes), each time with
// purser-gateway in a child process in front of them.
//
//   PURSER_BENCH_CERTS          directory of ca.pem and identity/policy/wallet/email/gateway/test-client .pem/.key
//   PURSER_BENCH_DATABASE_URL   PostgreSQL database of the separate processes (schemas identity, policy, wallet, …)
//   PURSER_BENCH_DATABASE_URL_ONE_PROCESS
//                               another database, for the services in this process (and the figures after the
//                               load runs); with `micro`, PURSER_BENCH_DATABASE_URL serves
//   PURSER_BENCH_LOGS           directory for the separate processes' logs
//   PURSER_BENCH_SECONDS        measured seconds per run (default 10)
//   PURSER_BENCH_AGENTS         agents of the spread runs (default 64)
//   PURSER_BENCH_IDLE           idle TLS connections of the last run (default 5000)
//   PURSER_BENCH_PGBENCH_TPCB_8, _TPCB_32, _SINGLE_32
//                               pgbench transactions/s measured beforehand, for the ratios
//   PURSER_BENCH_PGBENCH_TPCB_1_P50_MS
//                               pgbench TPC-B-like median latency at 1 client, in ms
//
// The client ends of the idle connections live in a child process (this
// executable run as `purser-bench hold-idle PORT COUNT`), so the resident set
// reported is that of the process serving the Wallet.
//
// Prints, per topology, the measurements and the ratios against pgbench and
// the targets; then Authenticate latency, SMTP delivery over STARTTLS through
// the Email-alias listener, settlement of 20,000 feed entries, token
// verification and the wire codec, all in this process. `purser-bench micro`
// skips the load runs and the ratios: only the figures after them, for a
// quick check (`deploy/dev bench micro`).
// `purser-bench transfers` measures only the agent-to-agent transfers (Charge
// to an agent), within one tenant and across two, in this process, and prints
// their rows (`deploy/dev bench transfers`).
// `purser-bench webhooks` measures authorization with webhooks on against off
// (runs off, on, on, off / on, off, off, on alternately, PURSER_BENCH_WEBHOOK_CYCLES cycles, default 4) and a
// burst of events to a receiver, in this process (`deploy/dev bench webhooks`).
import Foundation
import PurserAPI
import PurserBench
import PurserKit
import PurserRPC
import Synchronization

let arguments = CommandLine.arguments
/// `purser-bench micro`: only the single-process figures (no load runs, no ratios), for a quick check.
let microOnly = arguments.count == 2 && arguments[1] == "micro"
/// `purser-bench transfers`: only the agent-to-agent transfer runs.
let transfersOnly = arguments.count == 2 && arguments[1] == "transfers"
/// `purser-bench webhooks`: only authorization with webhooks on against off, and the delivery burst.
let webhooksOnly = arguments.count == 2 && arguments[1] == "webhooks"
if arguments.count == 5, arguments[1] == IdleConnectionHolder.mode, let port = Int(arguments[2]), let count = Int(arguments[3]),
   let kind = IdleConnections.Kind(rawValue: arguments[4]) {
    try await IdleConnectionHolder.hold(port: port, count: count, kind: kind)
}

let environment = ProcessInfo.processInfo.environment
guard let certificates = environment["PURSER_BENCH_CERTS"], let databaseURL = environment["PURSER_BENCH_DATABASE_URL"] else {
    FileHandle.standardError.write(Data("purser-bench: set PURSER_BENCH_CERTS and PURSER_BENCH_DATABASE_URL\n".utf8))
    exit(2)
}
let seconds = Int(environment["PURSER_BENCH_SECONDS"] ?? "") ?? 10
let agentCount = max(1, Int(environment["PURSER_BENCH_AGENTS"] ?? "") ?? 64)
let idleCount = Int(environment["PURSER_BENCH_IDLE"] ?? "") ?? 5_000
let pgbenchTPCB8 = environment["PURSER_BENCH_PGBENCH_TPCB_8"].flatMap(Double.init)
let pgbenchTPCB32 = environment["PURSER_BENCH_PGBENCH_TPCB_32"].flatMap(Double.init)
let pgbenchSingle32 = environment["PURSER_BENCH_PGBENCH_SINGLE_32"].flatMap(Double.init)
let pgbenchP50At1 = environment["PURSER_BENCH_PGBENCH_TPCB_1_P50_MS"].flatMap(Double.init)

func progress(_ message: String) {
    FileHandle.standardError.write(Data("purser-bench: \(message)\n".utf8))
}

let openFiles = raiseOpenFileLimit()

/// Agent-to-agent transfers at 8 and 32 clients (closed loop): each call is
/// a Charge from one agent of `world` to the next, so every agent both pays
/// and is paid and the two accounts are locked in id order in one transaction.
func measureTransfers(_ world: BenchWorld, calls: BenchCalls) async -> [(Int, LoadResult)] {
    var results: [(Int, LoadResult)] = []
    for clients in [8, 32] {
        progress("agent-to-agent transfers, \(clients) clients (\(seconds) s)")
        let result = await LoadGenerator(mode: .closed(concurrency: clients), duration: .seconds(seconds), warmup: .seconds(1)).run {
            worker, call in
            let (payer, payee) = world.ring(worker: worker, call: call, workers: clients)
            return await calls.transfer(world, from: payer, to: payee)
        }
        if let failure = calls.takeFirstFailure() { progress("transfers, \(clients) clients: first failure: \(failure)") }
        results.append((clients, result))
    }
    return results
}

/// Agent-to-agent transfers across two tenants at 8 and 32 clients (closed
/// loop): worker w's calls go from an agent of `first` to one of `second` when
/// w is even, the other way when it is odd, so each pair of tenants' position
/// accounts is locked by payments in both directions at once.
func measureCrossTenantTransfers(_ first: BenchWorld, _ second: BenchWorld, calls: BenchCalls) async -> [(Int, LoadResult)] {
    var results: [(Int, LoadResult)] = []
    for clients in [8, 32] {
        progress("agent-to-agent transfers across two tenants, \(clients) clients (\(seconds) s)")
        let result = await LoadGenerator(mode: .closed(concurrency: clients), duration: .seconds(seconds), warmup: .seconds(1)).run {
            worker, call in
            let (from, to) = worker % 2 == 0 ? (first, second) : (second, first)
            let index = (worker / 2 + call * clients) % min(from.agents.count, to.agents.count)
            return await calls.transfer(from, from: from.agents[index], to: to.agents[index], acrossTenants: true)
        }
        if let failure = calls.takeFirstFailure() { progress("transfers across tenants, \(clients) clients: first failure: \(failure)") }
        results.append((clients, result))
    }
    return results
}

/// The load runs against `system`: the measurements and their ratios to
/// pgbench and the targets; with `idleConnections`, also the gateway's and
/// the Wallet's memory for idle connections and the latency with them open
/// (properties of the processes, measured in the deployed topology only).
func loadRuns(
    _ system: BenchSystem, operatorToken: String, idleConnections: Bool
) async throws -> (table: BenchTable, ratios: RatioTable) {
    var table = BenchTable()
    var ratios = RatioTable()
    let perAgentMicros: Int64 = 1_000_000_000_000
    let amountMicros: Int64 = 10_000
    progress("creating \(agentCount) agents and minting their tokens")
    let spread = try await BenchWorld.make(system, operatorToken: operatorToken, slug: "spread", agents: agentCount, micros: perAgentMicros)
    let hotFunded: Int64 = 100_000_000_000
    let hot = try await BenchWorld.make(system, operatorToken: operatorToken, slug: "hot", agents: 1, micros: hotFunded)

    let calls = BenchCalls(system: system, amountMicros: amountMicros)

    func measure(_ label: String, _ mode: LoadMode, _ operation: @escaping @Sendable (Int, Int) async -> Bool) async -> LoadResult {
        progress("\(label) (\(seconds) s)")
        let result = await LoadGenerator(mode: mode, duration: .seconds(seconds), warmup: .seconds(1)).run(operation)
        if let failure = calls.takeFirstFailure() { progress("\(label): first failure: \(failure)") }
        return result
    }

    /// Mean requests per group-committed transaction while `body` ran.
    func meanBatch<T>(_ body: () async throws -> T) async rethrows -> (T, String) {
        let before = await system.groupCommitStatistics()
        let value = try await body()
        let after = await system.groupCommitStatistics()
        guard let before, let after, after.batches > before.batches else { return (value, "n/a") }
        let mean = Double(after.requests - before.requests) / Double(after.batches - before.batches)
        return (value, String(format: "%.1f", mean))
    }

    let (spread8, spread8Batch) = await meanBatch {
        await measure("authorize, spread, 8 clients", .closed(concurrency: 8)) { worker, call in
            await calls.authorize(spread, spread.agent(worker: worker, call: call, workers: 8))
        }
    }
    table.add("authorize, \(agentCount) agents, 8 clients (closed loop)", spread8)
    let spread1 = await measure("authorize, spread, 1 client", .closed(concurrency: 1)) { worker, call in
        await calls.authorize(spread, spread.agent(worker: worker, call: call, workers: 1))
    }
    table.add("authorize, \(agentCount) agents, 1 client (closed loop)", spread1)
    let (spread32, spread32Batch) = await meanBatch {
        await measure("authorize, spread, 32 clients", .closed(concurrency: 32)) { worker, call in
            await calls.authorize(spread, spread.agent(worker: worker, call: call, workers: 32))
        }
    }
    table.add("authorize, \(agentCount) agents, 32 clients (closed loop)", spread32)
    table.add("spread: mean authorizations per group-committed transaction, 8 / 32 clients", figure: "\(spread8Batch) / \(spread32Batch)")
    let openRate = max(100, (spread8.successesPerSecond * 0.5).rounded())
    let spreadOpen = await measure("authorize, spread, open loop", .open(ratePerSecond: openRate, concurrency: 64)) { worker, call in
        await calls.authorize(spread, spread.agent(worker: worker, call: call, workers: 64))
    }
    table.add("authorize, \(agentCount) agents, open loop at \(Int(openRate))/s (half the 8-client rate)", spreadOpen)

    let approvals = Atomic<Int>(0)
    let hotAgent = hot.agents[0]
    let (hot32, hotBatch) = await meanBatch {
        await measure("authorize, hot agent, 32 clients", .closed(concurrency: 32)) { _, _ in
            let approved = await calls.authorize(hot, hotAgent)
            if approved { approvals.add(1, ordering: .relaxed) }
            return approved
        }
    }
    table.add("authorize, one hot agent, 32 clients (closed loop)", hot32)
    table.add("hot agent: mean authorizations per group-committed transaction", figure: hotBatch)
    let hotBalance = try await hot.balance(system, of: hotAgent)
    let approvedMicros = Int64(approvals.load(ordering: .relaxed)) * amountMicros

    let storedBefore = await system.settlementEntriesStored()
    let chargeStarted = ContinuousClock.now
    let charge32 = await measure("charge, spread, 32 clients", .closed(concurrency: 32)) { worker, call in
        await calls.charge(spread, spread.agent(worker: worker, call: call, workers: 32))
    }
    let chargeElapsed = ContinuousClock.now - chargeStarted
    let storedAfter = await system.settlementEntriesStored()
    table.add("charge (authorize + capture), \(agentCount) agents, 32 clients", charge32)
    // Settlement's feed over the charge run's whole window (its warm-up too, whose captures it also reads).
    var storedPerSecond: Double?
    if let storedBefore, let storedAfter { storedPerSecond = Double(storedAfter - storedBefore) / BenchSettlement.seconds(chargeElapsed) }
    for (clients, result) in await measureTransfers(spread, calls: calls) {
        table.add("agent-to-agent transfers (Charge to an agent), \(agentCount) agents each paying the next, \(clients) clients", result)
    }

    progress("starting purser-gateway in front of the same services")
    let gateway = try await BenchGateway(system: system)
    let amountText = Money(micros: amountMicros).description
    func measureGateway(_ label: String, clients: Int) async -> LoadResult {
        progress("\(label) (\(seconds) s)")
        let result = await LoadGenerator(mode: .closed(concurrency: clients), duration: .seconds(seconds), warmup: .seconds(1)).run { worker, call in
            await gateway.authorize(spread, spread.agent(worker: worker, call: call, workers: clients), amount: amountText)
        }
        if let failure = gateway.takeFirstFailure() { progress("\(label): first failure: \(failure)") }
        return result
    }
    let gateway8 = await measureGateway("authorize through the gateway, spread, 8 clients", clients: 8)
    table.add("authorize through purser-gateway (JSON over HTTPS), \(agentCount) agents, 8 clients", gateway8)
    let gateway32 = await measureGateway("authorize through the gateway, spread, 32 clients", clients: 32)
    table.add("authorize through purser-gateway (JSON over HTTPS), \(agentCount) agents, 32 clients", gateway32)
    ratios.add("authorize spread ÷ pgbench TPC-B-like, 8 clients", value: spread8.successesPerSecond, reference: pgbenchTPCB8, target: 0.8)
    ratios.add("authorize spread ÷ pgbench TPC-B-like, 32 clients", value: spread32.successesPerSecond, reference: pgbenchTPCB32, target: 1.0)
    let p50At1 = Double(spread1.latencies.valueAt(fraction: 0.5)) / 1e6
    if let pgbenchP50At1, pgbenchP50At1 > 0 {
        ratios.add(
            "authorize p50 ÷ pgbench TPC-B-like p50, 1 client (\(String(format: "%.2f", p50At1)) ms ÷ \(String(format: "%.2f", pgbenchP50At1)) ms)",
            value: String(format: "%.2f", p50At1 / pgbenchP50At1), target: "≤ 1.1", met: p50At1 / pgbenchP50At1 <= 1.1)
    } else {
        ratios.add("authorize p50 ÷ pgbench TPC-B-like p50, 1 client", value: "no reference", target: "≤ 1.1", met: false)
    }
    ratios.add("charge ÷ pgbench TPC-B-like, 32 clients", value: charge32.successesPerSecond, reference: pgbenchTPCB32, target: 0.8)
    if let storedPerSecond {
        ratios.add("settlement: captures stored per second during the charge run ÷ charges per second",
                   value: storedPerSecond, reference: charge32.successesPerSecond, target: 1.0)
    }
    let p99Open = Double(spreadOpen.latencies.valueAt(fraction: 0.99)) / 1e6
    ratios.add("authorize p99, open loop at half the 8-client rate", value: String(format: "%.2f ms", p99Open), target: "≤ 10 ms", met: p99Open <= 10)
    ratios.add("authorize hot agent ÷ pgbench single-row, 32 clients", value: hot32.successesPerSecond, reference: pgbenchSingle32, target: 3)
    let p99At8 = Double(spread8.latencies.valueAt(fraction: 0.99)) / 1e6
    ratios.add("authorize spread p99, 8 clients", value: String(format: "%.2f ms", p99At8), target: "≤ 5 ms", met: p99At8 <= 5)
    ratios.add(
        "hot agent: approvals × amount vs funded",
        value: "\(approvedMicros) held \(hotBalance.heldMicros) of \(hotFunded)", target: "≤ funded, held = approved",
        met: approvedMicros <= hotFunded && hotBalance.heldMicros == approvedMicros
            && hotBalance.availableMicros == hotFunded - approvedMicros)
    for (clients, direct, through) in [(8, spread8, gateway8), (32, spread32, gateway32)] {
        ratios.add("authorize through the gateway ÷ over purser/1, \(clients) clients",
                   value: through.successesPerSecond, reference: direct.successesPerSecond, target: 0.8)
        let added = (Double(through.latencies.valueAt(fraction: 0.5)) - Double(direct.latencies.valueAt(fraction: 0.5))) / 1e6
        ratios.add("gateway's added p50, \(clients) clients", value: String(format: "%.2f ms", added), target: "≤ 0.3 ms", met: added <= 0.3)
    }
    if idleConnections {
        let gatewayIdleCount = 10_000
        progress("opening \(gatewayIdleCount) idle HTTP/1.1 keep-alive connections to the gateway")
        let gatewayRSSBefore = gateway.residentSetKiB
        let gatewayIdle = try await IdleConnectionHolder(port: gateway.port, count: gatewayIdleCount, kind: .http)
        try await Task.sleep(for: .seconds(1))
        let gatewayRSSAfter = gateway.residentSetKiB
        let gatewayIdleOpened = gatewayIdle.opened
        gatewayIdle.close()
        gateway.stop()
        table.add("gateway RSS before / with \(gatewayIdleOpened) idle keep-alive connections (client ends in another process)",
                  figure: "\(gatewayRSSBefore / 1024) MiB / \(gatewayRSSAfter / 1024) MiB")

        progress("opening \(idleCount) idle TLS connections (open-file limit \(openFiles))")
        let rssBefore = system.walletResidentKiB
        let idle = try await IdleConnectionHolder(port: system.walletPort, count: idleCount)
        try await Task.sleep(for: .seconds(1))
        let rssAfter = system.walletResidentKiB
        let idleOpened = idle.opened
        let withIdle = await measure("authorize, spread, 8 clients, idle connections open", .closed(concurrency: 8)) { worker, call in
            await calls.authorize(spread, spread.agent(worker: worker, call: call, workers: 8))
        }
        table.add("authorize, \(agentCount) agents, 8 clients, \(idleOpened) idle TLS connections open", withIdle)
        table.add("Wallet process RSS before the idle connections", figure: "\(rssBefore / 1024) MiB")
        table.add("Wallet process RSS with \(idleOpened) idle connections (client ends in another process)", figure: "\(rssAfter / 1024) MiB")
        idle.close()

        let idleGrowthMiB = Double(rssAfter - rssBefore) / 1024
        ratios.add(
            "Wallet RSS growth for \(idleOpened) idle connections", value: String(format: "%.0f MiB", idleGrowthMiB),
            target: "< 512 MiB", met: idleOpened == idleCount && idleGrowthMiB < 512)
        let gatewayIdleMiB = Double(gatewayRSSAfter - gatewayRSSBefore) / 1024
        ratios.add(
            "gateway RSS growth for \(gatewayIdleOpened) idle keep-alive connections", value: String(format: "%.0f MiB", gatewayIdleMiB),
            target: "< 256 MiB", met: gatewayIdleOpened == gatewayIdleCount && gatewayIdleMiB < 256)
        let p99Idle = Double(withIdle.latencies.valueAt(fraction: 0.99)) / 1e6
        ratios.add(
            "p99 with idle connections ÷ without, 8 clients", value: String(format: "%.2f", p99At8 > 0 ? p99Idle / p99At8 : 0),
            target: "≤ 2", met: p99Idle <= 2 * p99At8)
    } else {
        gateway.stop()
    }
    return (table, ratios)
}

/// Each topology's tables, headline first.
var loadTables: [(topology: BenchSystem.Topology, table: BenchTable, ratios: RatioTable)] = []
/// The services in this process, for the figures after the load runs.
let system: BenchSystem
/// The database `system` uses.
let systemDatabaseURL: String
if microOnly || transfersOnly || webhooksOnly {
    systemDatabaseURL = databaseURL
    system = try await BenchSystem(certificates: certificates, databaseURL: databaseURL, walletPoolSize: 16, clientConnections: 4)
} else {
    guard let oneProcessDatabaseURL = environment["PURSER_BENCH_DATABASE_URL_ONE_PROCESS"], let logs = environment["PURSER_BENCH_LOGS"] else {
        FileHandle.standardError.write(Data("purser-bench: set PURSER_BENCH_DATABASE_URL_ONE_PROCESS and PURSER_BENCH_LOGS (or run `micro`)\n".utf8))
        exit(2)
    }
    progress("Identity, Policy and Wallet as separate processes (logs in \(logs))")
    let deployed = try await BenchSystem(
        processesWith: certificates, databaseURL: databaseURL, walletPoolSize: 16, clientConnections: 4, logs: logs)
    let headline = try await loadRuns(deployed, operatorToken: try await BenchWorld.operatorToken(deployed), idleConnections: true)
    await deployed.stop()
    loadTables.append((deployed.topology, headline.table, headline.ratios))
    progress("Identity, Policy and Wallet in this process, on a database of their own")
    systemDatabaseURL = oneProcessDatabaseURL
    system = try await BenchSystem(
        certificates: certificates, databaseURL: oneProcessDatabaseURL, walletPoolSize: 16, clientConnections: 4)
}
let operatorToken = try await BenchWorld.operatorToken(system)
if transfersOnly {
    progress("creating \(agentCount) agents and minting their tokens")
    // Both tenants accept payments from other tenants from the start (the Wallet caches the setting for DIRECTORY_TTL).
    let world = try await BenchWorld.make(
        system, operatorToken: operatorToken, slug: "ring", agents: agentCount, micros: 1_000_000_000_000,
        acceptsOtherTenants: true)
    progress("creating a second tenant of \(agentCount) agents")
    let across = try await BenchWorld.make(
        system, operatorToken: operatorToken, slug: "ring-other", agents: agentCount, micros: 1_000_000_000_000,
        acceptsOtherTenants: true)
    let calls = BenchCalls(system: system, amountMicros: 10_000)
    var transfers = BenchTable()
    for (clients, result) in await measureTransfers(world, calls: calls) {
        transfers.add("agent-to-agent transfers (Charge to an agent), \(agentCount) agents each paying the next, \(clients) clients", result)
    }
    for (clients, result) in await measureCrossTenantTransfers(world, across, calls: calls) {
        transfers.add(
            "agent-to-agent transfers across two tenants (Charge to handle@other-tenant), \(agentCount) agents a side, half each way, \(clients) clients",
            result)
    }
    await system.stop()
    print(transfers.lines.joined(separator: "\n"))
    exit(0)
}
if webhooksOnly {
    let figures = try await BenchWebhooks.measure(
        system, operatorToken: operatorToken, agents: agentCount, seconds: seconds,
        cycles: max(1, Int(environment["PURSER_BENCH_WEBHOOK_CYCLES"] ?? "") ?? 4), progress: progress)
    await system.stop()
    var webhooks = BenchTable()
    let rates = { (rates: [Double]) in rates.map { String(format: "%.0f", $0) }.joined(separator: " / ") }
    webhooks.add("authorize, \(agentCount) agents, 8 clients, webhooks off (each off run, authorizations/s)", figure: rates(figures.offRates))
    webhooks.add("authorize, \(agentCount) agents, 8 clients, webhooks on (each on run, authorizations/s)", figure: rates(figures.onRates))
    let off = figures.offRates.reduce(0, +), on = figures.onRates.reduce(0, +)
    webhooks.add("webhooks on ÷ off", figure: off > 0 ? String(format: "%.3f", on / off) : "n/a")
    webhooks.add("one authorization in the ledger alone (3 limits, one at a time), median µs, events off / on",
                 figure: String(format: "%.0f / %.0f (%+.1f %%)", figures.ledgerOffMicros, figures.ledgerOnMicros,
                                figures.ledgerOffMicros > 0 ? (figures.ledgerOnMicros / figures.ledgerOffMicros - 1) * 100 : 0))
    func percentiles(_ delays: [Int64]) -> String {
        func at(_ fraction: Double) -> String {
            String(format: "%.1f", Double(delays[min(delays.count - 1, Int(Double(delays.count) * fraction))]) / 1000)
        }
        return delays.isEmpty ? "n/a" : "\(at(0.5)) / \(at(0.99))"
    }
    webhooks.add("on runs: \(figures.onEvents) balance-low events while authorizing, event commit → receiver p50 / p99 (ms)",
                 figure: percentiles(figures.onDelays))
    webhooks.add("burst: \(figures.burstEvents) events of \(agentCount) agents at once, event commit → receiver p50 / p99 (ms)",
                 figure: percentiles(figures.burstDelays))
    webhooks.add("burst: deliveries per second (first crossing to last delivery)",
                 figure: figures.burstSeconds > 0 ? String(format: "%.0f", Double(figures.burstEvents) / figures.burstSeconds) : "n/a")
    print(webhooks.lines.joined(separator: "\n"))
    exit(0)
}
if !microOnly {
    let second = try await loadRuns(system, operatorToken: operatorToken, idleConnections: false)
    loadTables.append((system.topology, second.table, second.ratios))
}
var table = BenchTable()

progress("Authenticate latency, one call at a time")
let authenticate = try await BenchAuthenticate.latencies(system, operatorToken: operatorToken, seconds: seconds)
table.add("Authenticate, valid agent secret, one call at a time (\(authenticate.valid.count) calls)", sequential: authenticate.valid)
table.add("Authenticate, unknown secret, one call at a time (\(authenticate.unknown.count) calls)", sequential: authenticate.unknown)

progress("SMTP delivery over STARTTLS")
let mail = try await BenchMail.deliveryRate(system, databaseURL: systemDatabaseURL, operatorToken: operatorToken)
table.add("SMTP delivery, 20 STARTTLS sessions × 20 messages, smtplib client (messages/s)", figure: String(format: "%.0f", mail.rate))

await system.stop()

progress("settlement volume: store and settle 20,000 entries")
let settlement = try await BenchSettlement.volume(databaseURL: databaseURL, logger: system.logger)
table.add(
    "settlement, 20,000 feed entries stored in pages of 500 / settled into batches (entries/s)",
    figure: String(format: "%.0f / %.0f", settlement.stored, settlement.settled))

progress("token verification and wire codec, in this process")
let verification = try await BenchMicro.tokenVerification()
table.add("token verification, uncached / cached (µs per token)", figure: String(format: "%.1f / %.2f", verification.uncached, verification.cached))
let codec = try BenchMicro.wireCodec()
table.add("AuthorizeRequest (\(codec.bytes) bytes) encode / decode (ns)", figure: String(format: "%.0f / %.0f", codec.encode, codec.decode))

for (topology, loadTable, loadRatios) in loadTables {
    print("Identity, Policy and Wallet: \(topology.rawValue)")
    print()
    print(loadTable.lines.joined(separator: "\n"))
    print()
    print(loadRatios.lines.joined(separator: "\n"))
    print()
}
print(table.lines.joined(separator: "\n"))
