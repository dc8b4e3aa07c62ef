import Foundation
import PurserAPI
import PurserRPC
import PurserTestSupport
import Testing

/// PostgreSQL stopped for a few seconds and started again while the five
/// service executables are under steady load. `deploy/dev test` runs suites
/// named `Disruptive…` alone, after every other suite, because this one stops
/// the shared test server. Opt-in: runs only with `PURSER_TEST_DISRUPTIVE=1`
/// (set by `deploy/dev test`), so a plain `swift test` never stops the server
/// under the other suites; with it set, a server this process cannot restart
/// fails the test instead of skipping it.
@Suite(
    .serialized,
    .enabled(if: TestEnvironment.runsDisruptiveSuites, "stops PostgreSQL: set PURSER_TEST_DISRUPTIVE=1 (deploy/dev test does)"))
struct DisruptiveDatabaseRestartTests {
    init() throws { try TestEnvironment.requireRestartablePostgres() }

    /// Deadline of every load call: an answer must come before it.
    static let callTimeout: Duration = .seconds(5)
    /// How long PostgreSQL stays down.
    static let outage: Duration = .seconds(4)
    /// Longest a service may take, once PostgreSQL accepts connections, to be SERVING and answer calls again.
    static let recoveryBound: Duration = .seconds(10)
    /// How long the load goes on once every service has recovered.
    static let steadyAfterRecovery: Duration = .seconds(3)
    /// The reasons an UNAVAILABLE answer carries while the database is unreachable:
    /// `database_unavailable`, and the Wallet's `policy_unavailable` when Policy
    /// (whose database is down too) cannot give it the agent's policy.
    static let outageReasons: Set<String> = ["database_unavailable", "policy_unavailable"]
    /// Calls answered this long after the server was gone cannot have used it:
    /// they must be refused.
    static let answeredWhileDownMargin: Duration = .milliseconds(500)
    /// Every µ-unit amount spent by the load.
    static let spendAmount: Int64 = 1_000

    @Test(.timeLimit(.minutes(3)))
    func servicesAnswerUnavailableWhileDatabaseIsDownAndRecoverWithinTenSecondsLosingNoCommittedSpend() async throws {
        let deployment = try await Deployment()
        do {
            try await restartUnderLoad(deployment)
        } catch {
            await deployment.stop()
            throw error
        }
        await deployment.stop()
    }

    func restartUnderLoad(_ deployment: Deployment) async throws {
        try await deployment.waitUntilServing()
        let world = try await deployment.makeWorld(agents: 3, allocation: 100_000_000)
        let recorder = LoadRecorder()
        // However this ends, the load loops end with it.
        defer { recorder.stop() }
        var clients: [String: RPCClient] = [:]
        var healthClients: [(String, RPCClient)] = []
        for service in Deployment.services {
            clients[service] = try deployment.client(service)
            healthClients.append((service, try deployment.client(service)))
        }
        defer {
            for client in clients.values { client.close() }
            for (_, client) in healthClients { client.close() }
        }
        let wallet = try #require(clients["wallet"]), identity = try #require(clients["identity"])
        let policy = try #require(clients["policy"]), settlement = try #require(clients["settlement"])
        let email = try #require(clients["email"])
        let spends = SpendLoad(world: world, wallet: wallet, recorder: recorder, amount: Self.spendAmount)
        let agent = try #require(world.agents.first)
        let timeout = Self.callTimeout, pause = Duration.milliseconds(25)
        let probes = healthClients

        let load = Task {
            await withTaskGroup(of: Void.self) { group in
                for index in world.agents.indices {
                    group.addTask { await spends.run(agent: index, pause: pause, timeout: timeout) }
                }
                group.addTask {
                    await recorder.repeatedly("identity", "Authenticate", pause: pause) { () async throws(RPCError) in
                        _ = try await identity.call(
                            IdentityMethods.authenticate, AuthenticateRequest(secret: agent.secret, audience: ""), timeout: timeout)
                    }
                }
                group.addTask {
                    await recorder.repeatedly("policy", "GetEffectivePolicy", pause: pause) { () async throws(RPCError) in
                        var request = GetEffectivePolicyRequest()
                        request.tenantID = world.tenantID
                        request.agentID = agent.id
                        _ = try await policy.call(
                            PolicyMethods.getEffectivePolicy, request, metadata: ["authorization": "Bearer \(world.adminToken)"],
                            timeout: timeout)
                    }
                }
                group.addTask {
                    await recorder.repeatedly("settlement", "ListBatches", pause: pause) { () async throws(RPCError) in
                        var request = ListBatchesRequest()
                        request.tenantID = world.tenantID
                        _ = try await settlement.call(
                            SettlementMethods.listBatches, request, metadata: ["authorization": "Bearer \(world.financeToken)"],
                            timeout: timeout)
                    }
                }
                group.addTask {
                    await recorder.repeatedly("email", "ListMessages", pause: pause) { () async throws(RPCError) in
                        var request = ListMessagesRequest()
                        request.tenantID = world.tenantID
                        request.agentID = agent.id
                        _ = try await email.call(
                            EmailAliasMethods.listMessages, request, metadata: ["authorization": "Bearer \(agent.token)"],
                            timeout: timeout)
                    }
                }
                for (service, client) in probes {
                    group.addTask {
                        await recorder.pollHealth(service, client: client, interval: .milliseconds(100), timeout: .seconds(2))
                    }
                }
            }
        }

        // Steady load, then the outage, then load until every service is back (or the bound is long past).
        try await Task.sleep(for: .seconds(3))
        let outage = try await PostgresServer.restart(downFor: Self.outage)
        let clock = ContinuousClock()
        let giveUp = outage.accepting.advanced(by: Self.recoveryBound + .seconds(5))
        while clock.now < giveUp {
            let records = recorder.records, samples = recorder.healthSamples
            if Deployment.services.allSatisfy({ Self.recovery(of: $0, records: records, samples: samples, after: outage.accepting) != nil }) {
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        // Keep the load on: recovery counts only if it lasts.
        try await Task.sleep(for: Self.steadyAfterRecovery)
        recorder.stop()
        await load.value

        let records = recorder.records, samples = recorder.healthSamples
        var figures = ["outage: stop took \(outage.stopCalled.duration(to: outage.stopped)), down \(outage.stopped.duration(to: outage.startCalled)), start took \(outage.startCalled.duration(to: outage.accepting))"]

        // No service process exited.
        for process in deployment.processes {
            #expect(process.isRunning, "\(process.name) exited during the restart:\n\(process.logTail())")
        }

        // Before the stop, every call succeeded and every service was SERVING.
        for service in Deployment.services {
            let before = records.filter { $0.service == service && $0.finished < outage.stopCalled }
            #expect(!before.isEmpty, "\(service) answered calls before the restart")
            #expect(before.allSatisfy { $0.code == .ok }, "\(service) before the restart: \(Self.summary(before.filter { $0.code != .ok }))")
            let health = samples.filter { $0.service == service && $0.finished < outage.stopCalled }
            #expect(!health.isEmpty && health.allSatisfy { $0.status == .serving }, "\(service) SERVING before the restart")
        }

        // While PostgreSQL was down: calls were answered UNAVAILABLE with a stable reason, health said NOT_SERVING.
        let downFrom = outage.stopped.advanced(by: Self.answeredWhileDownMargin)
        for service in Deployment.services {
            let down = records.filter { $0.service == service && $0.finished >= downFrom && $0.finished <= outage.startCalled }
            #expect(!down.isEmpty, "\(service) answered calls while PostgreSQL was down")
            let wrong = down.filter { $0.code != .unavailable || !Self.outageReasons.contains($0.reason ?? "") }
            #expect(wrong.count == 0, "\(service) while PostgreSQL was down: \(Self.summary(wrong))")
            let health = samples.filter { $0.service == service && $0.started >= outage.stopped && $0.finished <= outage.startCalled }
            #expect(!health.isEmpty, "\(service) health was polled while PostgreSQL was down")
            let serving = health.filter { $0.status != .notServing }
            #expect(serving.isEmpty, "\(service) health while PostgreSQL was down: \(serving.map(Self.describe))")
            let reasons = Set(down.compactMap(\.reason)).sorted().joined(separator: ",")
            let slowest = down.map(\.duration).max() ?? .zero
            let noticed = samples.filter { $0.service == service && $0.started >= outage.stopCalled && $0.status == .notServing }
                .map(\.finished).min().map { outage.stopCalled.duration(to: $0) }
            figures.append(
                "\(service) down: \(down.count) calls answered UNAVAILABLE (\(reasons)), slowest \(slowest); "
                    + "\(health.count) NOT_SERVING samples, first \(noticed.map { "\($0)" } ?? "never") after the stop began")
        }

        // Every failure at any time was UNAVAILABLE with a stable reason, answered before the deadline.
        let failures = records.filter { $0.code != .ok }
        let unexpected = failures.filter { $0.code != .unavailable || !Self.outageReasons.contains($0.reason ?? "") }
        #expect(unexpected.count == 0, "failures other than UNAVAILABLE: \(Self.summary(unexpected))")
        let slowest = records.map(\.duration).max() ?? .zero
        #expect(slowest < Self.callTimeout, "the slowest call took \(slowest)")
        figures.append("calls: \(records.count), failed \(failures.count), slowest \(slowest)")

        // Within the bound after PostgreSQL accepts connections, each service answers calls OK and reports
        // SERVING, and from then on never fails a call or reports anything else.
        for service in Deployment.services {
            let recovery = try #require(
                Self.recovery(of: service, records: records, samples: samples, after: outage.accepting),
                "\(service) did not recover:\n\(deployment.logs())")
            #expect(recovery <= Self.recoveryBound, "\(service) took \(recovery) to recover")
            let recovered = outage.accepting.advanced(by: recovery)
            let after = records.filter { $0.service == service && $0.started >= recovered }
            let failedAfterUp = records.filter { $0.service == service && $0.finished >= outage.accepting && $0.code != .ok }
            let firstOK = records.filter { $0.service == service && $0.started >= outage.accepting && $0.code == .ok }
                .map(\.finished).min().map { outage.accepting.duration(to: $0) }
            figures.append(
                "\(service) first OK call \(firstOK.map { "\($0)" } ?? "never") and recovered for good \(recovery) after PostgreSQL "
                    + "accepted connections; \(failedAfterUp.count) calls failed in between; \(after.count) calls OK after")
        }

        // Nothing answered OK is lost; replays with the same keys return the same answers.
        let attempted = spends.attempted
        let settled = try await Self.settle(attempted, with: spends)
        let mismatches = settled.flatMap(\.replayMismatches)
        #expect(mismatches.isEmpty, "replays that differ from the original answer: \(mismatches.prefix(10))")
        let answeredOK = attempted.filter { $0.authorized != nil || $0.charged != nil }
        figures.append("spends: \(attempted.count) attempted, \(answeredOK.count) answered OK at first, all \(settled.count) replayed or completed")
        try await verifyLedger(world: world, wallet: wallet, settled: settled)

        for line in figures { print("database restart: \(line)") }
    }

    /// The ledger holds exactly one capture entry per spend, the agents'
    /// balances are what was allocated less what was spent, nothing is held,
    /// and the audit is clean.
    func verifyLedger(world: Deployment.World, wallet: RPCClient, settled: [SettledSpend]) async throws {
        let finance: Metadata = ["authorization": "Bearer \(world.financeToken)"]
        var entries: [String: Int64] = [:]
        var request = ListEntriesRequest()
        request.tenantID = world.tenantID
        request.kind = .capture
        request.pageSize = 1_000
        repeat {
            let page = try await wallet.call(WalletMethods.listEntries, request, metadata: finance, timeout: .seconds(20))
            for entry in page.entries { entries[entry.entryID] = entry.amountMicros }
            request.pageToken = page.nextPageToken
        } while !request.pageToken.isEmpty
        let expected = Set(settled.map(\.entryID))
        #expect(Set(entries.keys) == expected, "capture entries: \(entries.count) in the ledger, \(expected.count) spends")
        #expect(entries.values.reduce(0, +) == Self.spendAmount * Int64(settled.count))

        for (index, agent) in world.agents.enumerated() {
            var balanceRequest = GetBalanceRequest()
            balanceRequest.tenantID = world.tenantID
            balanceRequest.agentID = agent.id
            let balance = try await wallet.call(WalletMethods.getBalance, balanceRequest, metadata: finance, timeout: .seconds(20))
            let spent = Self.spendAmount * Int64(settled.filter { $0.spend.agent == index }.count)
            #expect(balance.balanceMicros == world.allocation - spent, "agent \(index) balance")
            #expect(balance.heldMicros == 0, "agent \(index) holds nothing once every hold is captured")
        }
        var audit = AuditLedgerRequest()
        audit.tenantID = world.tenantID
        let report = try await wallet.call(WalletMethods.auditLedger, audit, metadata: finance, timeout: .seconds(30))
        #expect(report.clean, "audit: \(report.discrepancies.map { "\($0.check) \($0.subject) \($0.expected) != \($0.actual)" })")
    }

    /// Replays or completes every spend, one task per agent.
    static func settle(_ attempted: [Spend], with load: SpendLoad) async throws -> [SettledSpend] {
        let agents = Set(attempted.map(\.agent))
        return try await withThrowingTaskGroup(of: [SettledSpend].self) { group in
            for agent in agents {
                let mine = attempted.filter { $0.agent == agent }
                group.addTask {
                    var settled: [SettledSpend] = []
                    for spend in mine { settled.append(try await load.settle(spend, timeout: .seconds(20))) }
                    return settled
                }
            }
            var all: [SettledSpend] = []
            for try await part in group { all += part }
            return all
        }
    }

    /// How long after `up` the service was back for good: the last failed call
    /// or non-SERVING health answer (finished after `up`) was behind it, and it
    /// had since answered a call OK and a health check SERVING. `nil` until then.
    static func recovery(of service: String, records: [CallRecord], samples: [HealthSample], after up: ContinuousClock.Instant) -> Duration? {
        let mine = records.filter { $0.service == service && $0.finished >= up }
        let health = samples.filter { $0.service == service && $0.finished >= up }
        let lastFailure = (mine.filter { $0.code != .ok }.map(\.finished) + health.filter { $0.status != .serving }.map(\.finished)).max()
        let stable = lastFailure ?? up
        guard let answered = mine.filter({ $0.started >= stable }).map(\.finished).min(),
              let serving = health.filter({ $0.started >= stable }).map(\.finished).min()
        else { return nil }
        return up.duration(to: max(answered, serving))
    }

    /// What a health sample saw, for failure messages.
    static func describe(_ sample: HealthSample) -> String {
        if let status = sample.status { return status.description }
        return sample.error?.description ?? "no answer"
    }

    /// A short description of failed calls, for failure messages.
    static func summary(_ records: [CallRecord]) -> String {
        let counts = Dictionary(grouping: records) { "\($0.method) \($0.code) \($0.reason ?? "-")" }.mapValues(\.count)
        let samples = records.prefix(3).map { "\($0.method): \($0.code) \($0.reason ?? "-") \($0.message)" }
        return "\(counts) e.g. \(samples)"
    }
}
