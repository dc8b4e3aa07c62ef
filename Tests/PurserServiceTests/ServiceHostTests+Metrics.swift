import Foundation
import PurserHTTP
import PurserKit
import PurserRPC
import PurserService
import PurserTestSupport
import Testing

extension ServiceHostTests {
    /// One plain-HTTP request to the metrics listener.
    func metricsRequest(_ port: Int, _ method: String = "GET", _ target: String = "/metrics") async throws -> HTTPClientResponse {
        let client = try HTTPClient(configuration: HTTPClientConfiguration(host: "127.0.0.1", port: port, tls: nil))
        defer { client.shutdown() }
        return try await client.execute(HTTPClientRequest(method: method, target: target))
    }

    @Test func theMetricsListenerCountsCallsByMethodAndCodeOnItsOwnPort() async throws {
        let running = try await start("host_metrics", metrics: true)
        do {
            let metricsPort = try #require(running.host.metricsPort)
            #expect(metricsPort != running.port)
            let agent = try client(running.port)
            defer { agent.close() }
            let token = try token(running.signer)
            for text in ["a", "b"] {
                _ = try await agent.call(Self.echo, Echo(text), metadata: bearer(token), timeout: .seconds(5))
            }
            let refused = await failure { _ = try await agent.call(Self.failing, Echo("denied"), metadata: self.bearer(token), timeout: .seconds(5)) }
            #expect(refused?.reason == "test_reason")
            let anonymous = await failure { _ = try await agent.call(Self.echo, Echo("x"), timeout: .seconds(5)) }
            #expect(anonymous?.code == .unauthenticated)

            let scrape = try await metricsRequest(metricsPort)
            #expect(scrape.status.code == 200)
            #expect(scrape.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8")
            let lines = Set(scrape.bodyText.split(separator: "\n").map(String.init))
            for expected in [
                #"purser_rpc_server_calls_total{method="purser.test.v1.Echo/WhoAmI",code="ok"} 2"#,
                #"purser_rpc_server_calls_total{method="purser.test.v1.Echo/WhoAmI",code="unauthenticated"} 1"#,
                #"purser_rpc_server_calls_total{method="purser.test.v1.Echo/Fail",code="failed_precondition"} 1"#,
                #"purser_rpc_server_calls_total{method="purser.test.v1.Echo/Slow",code="ok"} 0"#,
                #"purser_rpc_server_duration_seconds_count{method="purser.test.v1.Echo/WhoAmI"} 3"#,
                #"purser_rpc_server_duration_seconds_bucket{method="purser.test.v1.Echo/WhoAmI",le="+Inf"} 3"#,
                "purser_rpc_server_connections 1",
                "purser_rpc_server_connections_accepted_total 1",
                "purser_db_pool_size 2",
                "# TYPE purser_db_pool_wait_seconds histogram",
                "# TYPE process_resident_memory_bytes gauge",
            ] {
                #expect(lines.contains(expected), "missing \(expected) in:\n\(scrape.bodyText)")
            }
            // A code never answered has no series; a method never called has no latency series.
            #expect(!scrape.bodyText.contains(#"method="purser.test.v1.Echo/Slow",code="internal""#))
            #expect(!scrape.bodyText.contains(#"purser_rpc_server_duration_seconds_count{method="purser.test.v1.Echo/Slow"}"#))
        } catch {
            try await stop(running)
            throw error
        }
        try await stop(running)
    }

    @Test func theMetricsListenerServesNothingElseAndTheRPCPortNoMetrics() async throws {
        let running = try await start("host_metrics_paths", metrics: true)
        do {
            let metricsPort = try #require(running.host.metricsPort)
            #expect(try await metricsRequest(metricsPort, "GET", "/").status.code == 404)
            #expect(try await metricsRequest(metricsPort, "GET", "/metrics/extra").status.code == 404)
            #expect(try await metricsRequest(metricsPort, "GET", "/healthz").status.code == 404)
            let post = try await metricsRequest(metricsPort, "POST", "/metrics")
            #expect(post.status.code == 405)
            #expect(post.headers["Allow"]?.contains("GET") == true)
            #expect(try await metricsRequest(metricsPort, "HEAD", "/metrics").status.code == 200)

            // The RPC port speaks TLS and purser/1 only: plain HTTP gets no HTTP answer.
            let rpcPort = running.port
            let answer = try await Self.onThread { () throws -> [UInt8] in
                let peer = try RawPeer(port: rpcPort, readTimeoutSeconds: 5)
                peer.write([UInt8]("GET /metrics HTTP/1.1\r\nHost: h\r\n\r\n".utf8))
                var received: [UInt8] = []
                while case .bytes(let bytes) = peer.readBlocking() { received += bytes }
                return received
            }
            #expect(!answer.starts(with: Array("HTTP/".utf8)), "the RPC port answered HTTP: \(String(decoding: answer, as: UTF8.self))")

            // Scrapers that connect and send nothing hold only their own connections:
            // RPC calls are answered meanwhile, and the listener closes them after its 10-second idle timeout.
            let silent = try (0..<20).map { _ in try RawPeer(port: metricsPort, readTimeoutSeconds: 20) }
            let agent = try client(running.port)
            defer { agent.close() }
            let started = ContinuousClock.now
            let echoed = try await agent.call(Self.echo, Echo("busy"), metadata: bearer(try token(running.signer)), timeout: .seconds(5))
            #expect(echoed.text == "agent:busy")
            // Well within the 10 s the silent connections are held.
            #expect(ContinuousClock.now - started < .seconds(5))
            let closed = await silent[0].serverClosesConnection()
            #expect(closed, "an idle scraper connection is closed by the listener")
            withExtendedLifetime(silent) {}
        } catch {
            try await stop(running)
            throw error
        }
        try await stop(running)
    }

    /// Runs blocking socket work on a GCD thread, off the Swift concurrency pool.
    static func onThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
        }
    }
}
