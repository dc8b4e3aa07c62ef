import PurserKit
import PurserMetrics
import PurserTestSupport
import Testing
@testable import PurserRPC

/// The series an `RPCServer` records: each call counted once, by how it ended.
@Suite struct ServerMetricsTests {
    func lines(_ registry: MetricsRegistry) -> Set<String> { Set(registry.render().split(separator: "\n").map(String.init)) }

    @Test func eachCallIsCountedOnceByTheStatusItEndedWith() async throws {
        let registry = MetricsRegistry()
        let fixture = try TestServer.start(eventLoops: 1, metrics: registry)
        let client = try fixture.client(maximumAttempts: 1)
        _ = try await client.call(TestMethod.echo, [1])
        _ = try await client.call(TestMethod.echo, [2])
        await #expect(throws: RPCError.self) { try await client.call(TestMethod.fail, []) }
        // The deadline the request carries passes on the server (a raw peer never
        // cancels on its own): DEADLINE_EXCEEDED, and the handler's cancellation is not counted again.
        let peer = try RawPeer(port: fixture.port)
        #expect(try await peer.handshake())
        try peer.send(.request(stream: 1, method: TestMethod.sleepThenEcho, timeoutMilliseconds: 100, metadata: [:],
                               message: sleepRequest(microseconds: 30_000_000)))
        guard case .response(1, let status, _, _, _) = await peer.readFrame() else {
            Issue.record("expected a response on stream 1")
            return
        }
        #expect(status == .deadlineExceeded)
        try await fixture.probe.waitUntilCancelled(1)
        // The client cancels: CANCELLED.
        let call = Task { try await client.call(TestMethod.waitForCancel, []) }
        try await fixture.probe.waitUntilStarted(2)
        call.cancel()
        _ = await call.result
        try await fixture.probe.waitUntilCancelled(2)
        // An unknown method is refused before any handler and not counted.
        await #expect(throws: RPCError.self) { try await client.call("test.v1.Test/Unknown", []) }
        // Let the last answers reach the loop, and the lag probe fire (every 250 ms).
        try await Task.sleep(for: .milliseconds(600))

        let rendered = lines(registry)
        for expected in [
            #"purser_rpc_server_calls_total{method="test.v1.Test/Echo",code="ok"} 2"#,
            #"purser_rpc_server_calls_total{method="test.v1.Test/Fail",code="failed_precondition"} 1"#,
            #"purser_rpc_server_calls_total{method="test.v1.Test/SleepThenEcho",code="deadline_exceeded"} 1"#,
            #"purser_rpc_server_calls_total{method="test.v1.Test/SleepThenEcho",code="ok"} 0"#,
            #"purser_rpc_server_calls_total{method="test.v1.Test/WaitForCancel",code="cancelled"} 1"#,
            #"purser_rpc_server_duration_seconds_count{method="test.v1.Test/Echo"} 2"#,
            #"purser_rpc_server_duration_seconds_count{method="test.v1.Test/SleepThenEcho"} 1"#,
            "purser_rpc_server_connections_accepted_total 2",
        ] {
            #expect(rendered.contains(expected), "missing \(expected)")
        }
        #expect(!rendered.contains { $0.contains("test.v1.Test/Unknown") })
        #expect(!rendered.contains { $0.contains(#"method="test.v1.Test/SleepThenEcho",code="cancelled""#) })
        // The deadline-exceeded call took at least its 100 ms deadline.
        #expect(rendered.contains(#"purser_rpc_server_duration_seconds_bucket{method="test.v1.Test/SleepThenEcho",le="0.05"} 0"#))
        let lag = rendered.first { $0.hasPrefix(#"purser_event_loop_lag_seconds_count{loop="purser-rpc-0"}"#) }
        #expect((lag?.split(separator: " ").last.flatMap { Int($0) } ?? 0) >= 1, "\(lag ?? "no lag series")")
        withExtendedLifetime(peer) {}
        client.close()
        await fixture.server.shutdown(gracePeriod: .seconds(1))
    }
}
