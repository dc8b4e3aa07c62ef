import Foundation
import PurserAPI
import PurserClient
import PurserHTTP
import PurserKit
import PurserRPC
import PurserTestSupport
import Testing

/// The five service executables and the gateway, each serving `GET /metrics`
/// on its own port: every scrape passes `promtool check metrics`, and the
/// counters move by exactly what a short story did.
@Suite(.serialized) struct MetricsSystemTests {
    static let processes = Deployment.services + ["gateway"]

    @Test func everyProcessServesMetricsThatPromtoolAcceptsAndThatCountTheStory() async throws {
        _ = try MetricsScrape.promtool()
        let deployment = try await Deployment(metrics: true)
        do {
            try await story(deployment)
        } catch {
            await deployment.stop()
            throw error
        }
        await deployment.stop()
    }

    /// Scrapes every process and checks each scrape with promtool.
    func scrapeAll(_ ports: [String: Int], in directory: String) async throws -> [String: MetricsScrape] {
        var scrapes: [String: MetricsScrape] = [:]
        for process in Self.processes {
            let scrape = try await MetricsScrape.fetch(process, port: try #require(ports[process]))
            try await scrape.checkWithPromtool(in: directory)
            scrapes[process] = scrape
        }
        return scrapes
    }

    func story(_ deployment: Deployment) async throws {
        try await deployment.waitUntilServing()
        var ports = deployment.metricsPorts
        let gatewayMetricsPort = try TestRPC.freePort()
        ports["gateway"] = gatewayMetricsPort
        let gatewayPort = try await deployment.startGateway(
            extraEnvironment: ["PURSER_GATEWAY_METRICS_LISTEN": "127.0.0.1:\(gatewayMetricsPort)"])
        let before = try await scrapeAll(ports, in: deployment.directory)

        // The story: a tenant with one agent holding 1 unit; two approved
        // authorizations, one denied for want of funds, one capture; the
        // agent's balance read twice through the gateway, once without a token.
        let world = try await deployment.makeWorld(agents: 1, allocation: 1_000_000)
        let agent = deployment.client(.token(world.agent.token))
        let provider = deployment.client(.token(world.providerToken))
        defer {
            agent.close()
            provider.close()
        }
        let agentWallet = try agent.wallet()
        var holds: [String] = []
        for _ in 0..<2 {
            var request = AuthorizeRequest()
            request.amountMicros = 100_000
            request.providerID = world.providerID
            request.category = "search"
            holds.append(try await agentWallet.authorize(request, idempotencyKey: UUID().uuidString).holdID)
        }
        var tooMuch = AuthorizeRequest()
        tooMuch.amountMicros = 5_000_000
        tooMuch.providerID = world.providerID
        tooMuch.category = "search"
        do {
            _ = try await agentWallet.authorize(tooMuch, idempotencyKey: UUID().uuidString)
            Issue.record("an authorization above the balance was approved")
        } catch {
            #expect(error.reason == "insufficient_funds", "\(error)")
        }
        var capture = CaptureRequest()
        capture.tenantID = world.tenantID
        capture.holdID = holds[0]
        _ = try await provider.wallet().capture(capture, idempotencyKey: UUID().uuidString)

        let https = try HTTPClient(configuration: HTTPClientConfiguration(
            host: "127.0.0.1", port: gatewayPort, tls: .client(trustRootsPath: deployment.certificates + "/ca.pem"), serverName: "localhost"))
        defer { https.shutdown() }
        var headers = HTTPHeaders()
        headers.add(name: "Authorization", value: "Bearer \(world.agent.token)")
        let balancePath = "/v1/agents/\(world.agent.id)/balance"
        for _ in 0..<2 {
            let balance = try await https.execute(HTTPClientRequest(target: balancePath, headers: headers))
            #expect(balance.status.code == 200, "\(balance.bodyText)")
        }
        #expect(try await https.execute(HTTPClientRequest(target: balancePath)).status.code == 401)
        // The API port does not serve metrics.
        #expect(try await https.execute(HTTPClientRequest(target: "/metrics")).status.code == 404)

        // Settlement reads the capture from the Wallet's feed (polled every 200 ms).
        let deadline = ContinuousClock.now.advanced(by: .seconds(30))
        var settlement = try await MetricsScrape.fetch("settlement", port: try #require(ports["settlement"]))
        let storedBefore = try #require(before["settlement"])["purser_settlement_feed_entries_stored_total"]
        while settlement["purser_settlement_feed_entries_stored_total"] < storedBefore + 1 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
            settlement = try await MetricsScrape.fetch("settlement", port: try #require(ports["settlement"]))
        }
        let after = try await scrapeAll(ports, in: deployment.directory)
        let sizes = Self.processes.map { "\($0) \(after[$0]?.text.utf8.count ?? 0) B/\(after[$0]?.samples.count ?? 0) samples" }
        print("metrics scrapes after the story: \(sizes.joined(separator: ", "))")
        try check(before: before, after: after, world: world)
    }

    func check(before: [String: MetricsScrape], after: [String: MetricsScrape], world: Deployment.World) throws {
        func delta(_ process: String, _ series: String) -> Double {
            (after[process]?[series] ?? 0) - (before[process]?[series] ?? 0)
        }
        func value(_ process: String, _ series: String) -> Double? { after[process]?.samples[series] }

        // Wallet: decisions by outcome and reason, calls by method and code, latency, group commit.
        #expect(delta("wallet", #"purser_wallet_authorizations_total{method="authorize",outcome="approved",reason="none"}"#) == 2)
        #expect(delta("wallet", #"purser_wallet_authorizations_total{method="authorize",outcome="denied",reason="insufficient_funds"}"#) == 1)
        #expect(delta("wallet", #"purser_rpc_server_calls_total{method="purser.wallet.v1.Wallet/Authorize",code="ok"}"#) == 2)
        #expect(delta("wallet", #"purser_rpc_server_calls_total{method="purser.wallet.v1.Wallet/Authorize",code="failed_precondition"}"#) == 1)
        #expect(delta("wallet", #"purser_rpc_server_calls_total{method="purser.wallet.v1.Wallet/Capture",code="ok"}"#) == 1)
        #expect(delta("wallet", #"purser_rpc_server_duration_seconds_count{method="purser.wallet.v1.Wallet/Authorize"}"#) == 3)
        #expect(delta("wallet", #"purser_rpc_server_calls_total{method="purser.wallet.v1.Wallet/GetBalance",code="ok"}"#) == 2)
        #expect(delta("wallet", "purser_wallet_authorization_batch_size_sum") == 3)
        #expect(delta("wallet", "purser_wallet_authorization_batch_size_count") >= 1)
        // Each ledger call is one pooled statement: the two approvals, the denial, the capture at least.
        #expect(delta("wallet", "purser_db_pool_wait_seconds_count") >= 4)
        #expect(value("wallet", "purser_wallet_ledger_statement_retries_total") != nil)

        // Identity issued the story's tokens (operator, admin, finance, provider, agent).
        #expect(delta("identity", #"purser_rpc_server_calls_total{method="purser.identity.v1.Identity/Authenticate",code="ok"}"#) >= 5)
        // Bootstrap, tenant, two keys, provider and agent: one transaction each at least.
        #expect(delta("identity", "purser_db_transactions_committed_total") >= 6)
        #expect(delta("settlement", "purser_db_transactions_committed_total") >= 1)

        // Gateway: requests by route and status, latency by route.
        let route = "/v1/agents/{agent_id}/balance"
        #expect(delta("gateway", #"purser_gateway_http_requests_total{method="GET",route="\#(route)",status="200"}"#) == 2)
        #expect(delta("gateway", #"purser_gateway_http_requests_total{method="GET",route="\#(route)",status="401"}"#) == 1)
        #expect(delta("gateway", #"purser_gateway_http_request_duration_seconds_count{method="GET",route="\#(route)"}"#) == 3)
        #expect((value("gateway", "purser_http_server_connections") ?? 0) >= 1)
        #expect((value("gateway", #"purser_event_loop_lag_seconds_count{loop="purser-http-0"}"#) ?? 0) > 0)

        // Settlement read the capture from the feed, and is caught up.
        #expect(delta("settlement", "purser_settlement_feed_entries_stored_total") >= 1)
        let lag = try #require(value("settlement", "purser_settlement_feed_lag_seconds"))
        #expect(lag >= 0 && lag < 30, "feed lag \(lag) s")
        let newest = try #require(value("settlement", "purser_settlement_feed_newest_entry_timestamp_seconds"))
        #expect(abs(newest - Date().timeIntervalSince1970) < 600, "newest feed entry at \(newest)")

        // Every service: its pool, its RPC server and loops, the process.
        let now = Date().timeIntervalSince1970
        for service in Deployment.services {
            #expect(value(service, "purser_db_pool_size") == 4, "\(service)")
            let inUse = value(service, #"purser_db_pool_connections{state="in_use"}"#) ?? -1
            let idle = value(service, #"purser_db_pool_connections{state="idle"}"#) ?? -1
            #expect(inUse >= 0 && idle >= 0 && inUse + idle == 4, "\(service): \(inUse) in use, \(idle) idle")
            #expect((value(service, "purser_db_pool_wait_seconds_count") ?? 0) > 0, "\(service)")
            #expect((value(service, "purser_rpc_server_connections_accepted_total") ?? 0) >= 1, "\(service)")
            #expect((value(service, #"purser_event_loop_lag_seconds_count{loop="purser-rpc-0"}"#) ?? 0) > 0, "\(service)")
            #expect((value(service, #"purser_rpc_server_calls_total{method="purser.health.v1.Health/Check",code="ok"}"#) ?? 0) >= 1, "\(service)")
        }
        for process in Self.processes {
            #expect((value(process, "process_resident_memory_bytes") ?? 0) > 1_000_000, "\(process)")
            #expect((value(process, "process_open_fds") ?? 0) > 3, "\(process)")
            let started = value(process, "process_start_time_seconds") ?? 0
            #expect(started <= now + 1 && started > now - 3_600, "\(process) started at \(started)")
        }
    }
}
