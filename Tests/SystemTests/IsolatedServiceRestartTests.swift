import Foundation
import Glibc
import PurserAPI
import PurserClient
import PurserRPC
import Testing

/// Each real service executable, in turn, is sent SIGTERM while a steady load
/// of the calls it serves runs against it, and is started again on the same
/// port. Calls in flight either complete or fail with UNAVAILABLE before
/// taking effect (a retry with the same idempotency key yields one outcome),
/// nothing is answered INTERNAL, and the service comes back SERVING.
@Suite(.serialized) struct IsolatedServiceRestartTests {
    static let amount: Int64 = 1_000
    static let workers = 8

    /// The clients of one world, one per principal, making single attempts.
    struct Clients {
        let anonymous: PurserClient
        let agent: PurserClient
        let admin: PurserClient
        let finance: PurserClient

        /// Clients of `deployment` with `world`'s tokens.
        init(_ deployment: Deployment, _ world: Deployment.World) {
            anonymous = deployment.anonymousClient()
            agent = deployment.client(.token(world.agent.token))
            admin = deployment.client(.token(world.adminToken))
            finance = deployment.client(.token(world.financeToken))
        }

        /// Closes every client's connections.
        func close() {
            for client in [anonymous, agent, admin, finance] { client.close() }
        }

        /// The four clients' counters added up.
        var statistics: PurserClient.Statistics {
            var total = PurserClient.Statistics()
            for client in [anonymous, agent, admin, finance] {
                let counted = client.statistics
                total.calls += counted.calls
                total.attempts += counted.attempts
                total.transparentRetries += counted.transparentRetries
                total.idempotentRetries += counted.idempotentRetries
                total.policyRetries += counted.policyRetries
                total.failures += counted.failures
            }
            return total
        }
    }

    /// The calls each service serves, as the load makes them.
    static func operations(for service: String, _ world: Deployment.World, _ clients: Clients) throws -> [SteadyLoad.Operation] {
        let wallet = try clients.agent.wallet()
        let providerID = world.providerID
        let authorize = SteadyLoad.Operation(name: "wallet.Authorize") { key throws(PurserClientError) in
            var request = AuthorizeRequest()
            request.amountMicros = Self.amount
            request.providerID = providerID
            request.category = "search"
            return try await wallet.authorize(request, idempotencyKey: key).holdID
        }
        let tenantID = world.tenantID
        switch service {
        case "identity":
            let identity = try clients.anonymous.identity()
            let adminIdentity = try clients.admin.identity()
            let secret = world.agent.secret
            return [
                .init(name: "identity.Authenticate") { _ throws(PurserClientError) in
                    _ = try await identity.authenticate(secret: secret).token
                    return ""
                },
                .init(name: "identity.GetTenant") { _ throws(PurserClientError) in try await adminIdentity.getTenant(id: tenantID).id },
            ]
        case "wallet":
            return [
                authorize,
                .init(name: "wallet.GetBalance") { _ throws(PurserClientError) in
                    _ = try await wallet.balance(GetBalanceRequest())
                    return ""
                },
            ]
        case "policy":
            let policy = try clients.admin.policy()
            return [
                authorize,
                .init(name: "policy.GetEffectivePolicy") { _ throws(PurserClientError) in
                    _ = try await policy.effectivePolicy(tenantID: tenantID)
                    return ""
                },
            ]
        case "settlement":
            let settlement = try clients.finance.settlement()
            let day: Int64 = 86_400_000_000
            let today = Int64(Date().timeIntervalSince1970 * 1_000_000) / day * day
            let period = Period(startAtUs: today - day, endAtUs: today + day)
            return [
                .init(name: "settlement.GetTenantStatement") { _ throws(PurserClientError) in
                    _ = try await settlement.statement(tenantID: tenantID, period: period)
                    return ""
                },
                .init(name: "settlement.ListBatches") { _ throws(PurserClientError) in
                    var request = ListBatchesRequest()
                    request.tenantID = tenantID
                    _ = try await settlement.batches(request)
                    return ""
                },
            ]
        case "email":
            let email = try clients.agent.email()
            let adminEmail = try clients.admin.email()
            return [
                .init(name: "email.ListMessages") { _ throws(PurserClientError) in
                    var request = ListMessagesRequest()
                    request.tenantID = tenantID
                    _ = try await email.messages(request)
                    return ""
                },
                .init(name: "email.ListAliases") { _ throws(PurserClientError) in
                    _ = try await adminEmail.aliases(ListAliasesRequest(tenantID: tenantID))
                    return ""
                },
            ]
        default:
            throw Deployment.StartFailure(description: "no load defined for \(service)")
        }
    }

    @Test(.timeLimit(.minutes(2)), arguments: Deployment.services)
    func sigtermUnderLoadLosesNoCallAndTheServiceComesBackServing(service: String) async throws {
        let deployment = try await Deployment()
        do {
            try await restartUnderLoad(service, deployment)
        } catch {
            Issue.record("\(error)\n\(deployment.logs())")
        }
        await deployment.stop()
    }

    func restartUnderLoad(_ service: String, _ deployment: Deployment) async throws {
        try await deployment.waitUntilServing()
        let world = try await deployment.makeWorld(agents: 1, allocation: 1_000_000 * Self.amount)
        let clients = Clients(deployment, world)
        defer { clients.close() }
        let load = SteadyLoad(try Self.operations(for: service, world, clients))
        let clock = ContinuousClock()
        async let running: Void = load.run(workers: Self.workers, pause: .zero)

        try await Task.sleep(for: .seconds(1))
        let terminatedAt = clock.now
        let exit = try await deployment.kill(service: service, signal: SIGTERM)
        let exitedAt = clock.now
        #expect(exit.status == 0 && !exit.bySignal, "\(service) drained and exited 0 on SIGTERM, not \(exit)")
        try deployment.restart(service: service)
        let toServing = try await deployment.waitUntilServing(service: service)
        let servingAt = clock.now
        try await Task.sleep(for: .seconds(1))
        load.stop()
        await running

        let calls = load.calls
        let failed = calls.filter { $0.finalFailure != nil }
        #expect(failed.isEmpty, "calls ended without success: \(failed.prefix(5).map { "\($0.operation): \($0.failures)" })")
        // The clients' counts agree with what their callers saw (one attempt per call, `RetryPolicy.none`):
        // each failed attempt was counted once as a failure; attempts the server never took were repeated
        // inside the client and are counted apart, never as failures.
        let counted = clients.statistics
        let failedAttempts = calls.reduce(0) { $0 + $1.failures.count }
        #expect(counted.calls == failedAttempts + calls.filter { $0.result != nil }.count, "\(counted)")
        #expect(counted.failures == failedAttempts, "\(counted)")
        #expect(counted.policyRetries == 0, "\(counted)")
        let statuses = Set(calls.flatMap(\.failures).map { String($0.prefix { $0 != "/" }) })
        #expect(statuses.isSubset(of: ["UNAVAILABLE"]), "attempts failed with \(statuses)")
        #expect(calls.contains { $0.startedAt < exitedAt && ($0.answeredAt ?? servingAt) > exitedAt },
                "a call was outstanding when \(service) exited")
        let inFlight = calls.filter { $0.startedAt < terminatedAt && ($0.answeredAt ?? servingAt) > terminatedAt }
        #expect(!inFlight.isEmpty, "calls were in flight when SIGTERM arrived")
        let completedInFlight = inFlight.filter { $0.failures.isEmpty }
        let afterRestart = calls.filter { $0.startedAt > servingAt }
        #expect(!afterRestart.isEmpty && afterRestart.allSatisfy { $0.result != nil && $0.failures.isEmpty },
                "calls made after \(service) was SERVING again succeed at once")

        // Writes: every answered authorization is committed once, and nothing else is.
        let authorizations = calls.filter { $0.operation == "wallet.Authorize" }
        if !authorizations.isEmpty {
            let probe = WalletProbe(databaseURL: deployment.databaseURL, tenantID: world.tenantID)
            let holds = try await probe.holds()
            let records = try await probe.idempotencyRecords(method: "Authorize")
            await probe.close()
            let answered = authorizations.compactMap(\.result)
            #expect(Set(answered).count == answered.count)
            #expect(Set(holds.map(\.id)) == Set(answered), "holds stored differ from the authorizations answered")
            #expect(records == authorizations.count)

            // A retried authorization, replayed once more with its key, answers the same hold, and that
            // hold was committed after the failed attempt: a graceful drain refuses before executing.
            let wallet = try clients.agent.wallet()
            var executedBeforeFailure = 0
            for call in authorizations where !call.failures.isEmpty {
                var request = AuthorizeRequest()
                request.amountMicros = Self.amount
                request.providerID = world.providerID
                request.category = "search"
                let replay = try await wallet.authorize(request, idempotencyKey: call.key)
                #expect(replay.holdID == call.result, "replay of \(call.key)")
                if let failedAt = call.firstFailureAtUs, replay.createdAtUs < failedAt { executedBeforeFailure += 1 }
            }
            #expect(executedBeforeFailure == 0, "a drained call's answer was lost after it took effect")
        }
        let longest = calls.map { ($0.answeredAt ?? $0.startedAt) - $0.startedAt }.max() ?? .zero
        var failureReasons: [String: Int] = [:]
        for failure in calls.flatMap(\.failures) { failureReasons[failure, default: 0] += 1 }
        print("""
            restart \(service): \(calls.count) calls by \(Self.workers) workers, \(inFlight.count) in flight at SIGTERM \
            (\(completedInFlight.count) completed at once, \(inFlight.count - completedInFlight.count) retried after UNAVAILABLE), \
            \(calls.filter { !$0.failures.isEmpty }.count) calls retried (failed attempts \(failureReasons)), \
            \(authorizations.count) authorizations, longest call \(longest); exit 0 after \(exitedAt - terminatedAt) of drain; SERVING \(toServing) after restart; \
            client counts: \(counted.attempts) attempts, \(counted.transparentRetries) transparent retries (never taken), \
            \(counted.idempotentRetries) idempotent retries, \(counted.failures) failures
            """)
    }

    @Test(.timeLimit(.minutes(2)))
    func identityDownExistingTokensStillVerifyEverywhereAndNewTokensWorkAfterRestart() async throws {
        let deployment = try await Deployment()
        do {
            try await identityOutage(deployment)
        } catch {
            Issue.record("\(error)\n\(deployment.logs())")
        }
        await deployment.stop()
    }

    func identityOutage(_ deployment: Deployment) async throws {
        try await deployment.waitUntilServing()
        let world = try await deployment.makeWorld(agents: 1, allocation: 1_000_000 * Self.amount)
        let clients = Clients(deployment, world)
        defer { clients.close() }
        // Tokens issued before the outage, presented to the four other services.
        var operations: [SteadyLoad.Operation] = []
        for service in ["wallet", "policy", "settlement", "email"] {
            operations += try Self.operations(for: service, world, clients).filter { !operations.map(\.name).contains($0.name) }
        }
        let load = SteadyLoad(operations)
        let clock = ContinuousClock()
        async let running: Void = load.run(workers: Self.workers)

        try await Task.sleep(for: .milliseconds(500))
        let exit = try await deployment.kill(service: "identity", signal: SIGTERM)
        #expect(exit.status == 0 && !exit.bySignal)
        let downSince = clock.now
        try await Task.sleep(for: .seconds(3))
        let downUntil = clock.now
        try deployment.restart(service: "identity")
        let toServing = try await deployment.waitUntilServing(service: "identity")
        try await Task.sleep(for: .milliseconds(500))
        load.stop()
        await running

        let calls = load.calls
        let duringOutage = calls.filter { $0.startedAt > downSince && ($0.answeredAt ?? downUntil) < downUntil }
        let failedDuringOutage = duringOutage.filter { !$0.failures.isEmpty || $0.result == nil }
        #expect(failedDuringOutage.isEmpty, "\(failedDuringOutage.prefix(5).map { "\($0.operation): \($0.failures)" })")
        for operation in operations {
            #expect(duringOutage.contains { $0.operation == operation.name }, "\(operation.name) was served while Identity was down")
        }
        let failed = calls.filter { !$0.failures.isEmpty || $0.result == nil }
        #expect(failed.isEmpty, "Identity is on no call's path: \(failed.prefix(5).map { "\($0.operation): \($0.failures)" })")

        // Every authorization approved during the outage is committed once.
        let authorizations = calls.filter { $0.operation == "wallet.Authorize" }
        let probe = WalletProbe(databaseURL: deployment.databaseURL, tenantID: world.tenantID)
        let holds = try await probe.holds()
        await probe.close()
        #expect(Set(holds.map(\.id)) == Set(authorizations.compactMap(\.result)))

        // After the restart a new token is issued and accepted.
        let fresh = try await clients.anonymous.identity().authenticate(secret: world.agent.secret)
        #expect(fresh.token != world.agent.token)
        let agent = deployment.client(.token(fresh.token))
        defer { agent.close() }
        var request = AuthorizeRequest()
        request.amountMicros = Self.amount
        request.providerID = world.providerID
        let hold = try await agent.wallet().authorize(request)
        #expect(!hold.holdID.isEmpty)
        var inbox = ListMessagesRequest()
        inbox.tenantID = world.tenantID
        _ = try await agent.email().messages(inbox)

        let approvedDuringOutage = duringOutage.filter { $0.operation == "wallet.Authorize" }.count
        print("""
            identity outage: \(downUntil - downSince) down; \(duringOutage.count) calls made with earlier tokens while down, \
            all answered OK (\(approvedDuringOutage) authorizations approved); identity SERVING \(toServing) after restart; new token accepted
            """)
    }

    @Test(.timeLimit(.minutes(2)))
    func walletRestartedWhileIdentityIsDownRefusesRetryablyThenApprovesOnceIdentityReturns() async throws {
        let deployment = try await Deployment()
        do {
            try await walletWithoutKeys(deployment)
        } catch {
            Issue.record("\(error)\n\(deployment.logs())")
        }
        await deployment.stop()
    }

    func walletWithoutKeys(_ deployment: Deployment) async throws {
        try await deployment.waitUntilServing()
        let world = try await deployment.makeWorld(agents: 1, allocation: 1_000 * Self.amount)
        let clients = Clients(deployment, world)
        defer { clients.close() }
        let wallet = try clients.agent.wallet()
        var request = AuthorizeRequest()
        request.amountMicros = Self.amount
        request.providerID = world.providerID
        request.category = "search"
        _ = try await wallet.authorize(request)

        // Identity goes away, then the Wallet restarts: it has no signing keys to verify the token
        // with, and its health says so (it answers, NOT_SERVING) until Identity is back.
        #expect(try await deployment.kill(service: "identity", signal: SIGTERM).status == 0)
        #expect(try await deployment.kill(service: "wallet", signal: SIGTERM).status == 0)
        try deployment.restart(service: "wallet")
        try await deployment.waitForHealth(service: "wallet", answering: .notServing)
        let key = UUID().uuidString.lowercased()
        var refusals: [String: Int] = [:]
        for _ in 0..<5 {
            do {
                let hold = try await wallet.authorize(request, idempotencyKey: key)
                Issue.record("approved without signing keys: \(hold.holdID)")
            } catch {
                refusals["\(error.code)/\(error.reason ?? "-")", default: 0] += 1
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(Set(refusals.keys) == ["UNAVAILABLE/signing_keys_unavailable"], "\(refusals)")
        let health = deployment.anonymousClient(timeout: .seconds(2))
        #expect(try await health.health(.wallet) == .notServing, "still without signing keys")
        health.close()
        let probe = WalletProbe(databaseURL: deployment.databaseURL, tenantID: world.tenantID)
        let holdsWhileRefusing = try await probe.holds().count
        #expect(holdsWhileRefusing == 1, "refused authorizations placed no hold")

        // Identity returns: the Wallet loads its keys and serves; the same authorization, same key, is approved once.
        try deployment.restart(service: "identity")
        try await deployment.waitUntilServing(service: "identity")
        try await deployment.waitUntilServing(service: "wallet")
        let clock = ContinuousClock()
        let identityBack = clock.now
        var authorization = LogicalAuthorization(key: key, body: request)
        await authorization.settle(on: wallet, until: clock.now.advanced(by: .seconds(30)))
        let recovered = clock.now - identityBack
        let holdID = try #require(authorization.outcome?.holdID, "\(String(describing: authorization.outcome))")
        #expect(Set(authorization.retryableFailures).isSubset(of: ["signing_keys_unavailable"]))
        let replay = try await wallet.authorize(request, idempotencyKey: key)
        #expect(replay.holdID == holdID)
        let holds = try await probe.holds()
        await probe.close()
        #expect(holds.count == 2 && holds.contains { $0.id == holdID })
        print("""
            wallet restarted without Identity: refused \(refusals); approved \(recovered) after Identity was SERVING \
            (\(authorization.attempts) attempts)
            """)
    }
}
