import Foundation
import PurserTestSupport
import Synchronization
import Testing
@testable import PurserRPC

/// Graceful drain, health, reconnection and retry policy.
@Suite struct LifecycleTests {
    @Test func drainFinishesInFlightCallsAndRefusesNewOnes() async throws {
        let fixture = try TestServer.start()
        let client = try fixture.client(connections: 2)
        let inFlight = (0..<20).map { index in
            Task { try await client.call(TestMethod.waitForRelease, [UInt8(index)]) }
        }
        try await fixture.probe.waitUntilStarted(20)
        let drained = Task { await fixture.server.shutdown(gracePeriod: .seconds(30)) }
        let server = fixture.server
        try await waitUntil("the server to start draining", timeout: .seconds(30), interval: .milliseconds(1)) { server.isDraining }
        #expect(await fixture.server.healthStatus() == .notServing)
        try await Task.sleep(for: .milliseconds(50))
        let refused = await #expect(throws: RPCError.self) { try await client.call(TestMethod.echo, [1]) }
        #expect(refused?.code == .unavailable)
        #expect(fixture.server.openConnectionCount == 2, "draining connections stay open for their calls")
        fixture.probe.released.store(true, ordering: .releasing)
        for (index, call) in inFlight.enumerated() {
            #expect(try await call.value.body == [UInt8(index)])
        }
        await drained.value
        #expect(fixture.server.openConnectionCount == 0)
        client.close()
    }

    @Test func streamAboveGoAwayLastStreamIsRefusedWhileLowerOnesFinish() async throws {
        let fixture = try TestServer.start()
        let peer = try RawPeer(port: fixture.port)
        #expect(try await peer.handshake())
        try peer.send(.request(stream: 3, method: TestMethod.waitForRelease, timeoutMilliseconds: 0, metadata: [:], message: [3]))
        try await fixture.probe.waitUntilStarted(1)
        let drained = Task { await fixture.server.shutdown(gracePeriod: .seconds(10)) }
        #expect(await peer.readFrame() == .goAway(lastStream: 3, status: .unavailable, message: "server is shutting down"))
        try peer.send(.request(stream: 5, method: TestMethod.echo, timeoutMilliseconds: 0, metadata: [:], message: [9]))
        guard case .response(5, let refused, _, let metadata, _) = await peer.readFrame() else {
            Issue.record("expected stream 5 to be refused")
            return
        }
        #expect(refused == .unavailable)
        #expect(metadata["reason"] == "draining")
        fixture.probe.released.store(true, ordering: .releasing)
        guard case .response(3, let finished, _, _, let body) = await peer.readFrame() else {
            Issue.record("expected stream 3 to finish")
            return
        }
        #expect(finished == .ok && body == [3])
        #expect(await peer.serverClosesConnection())
        await drained.value
    }

    @Test func drainGracePeriodBoundsTheWaitForStuckCalls() async throws {
        let fixture = try TestServer.start()
        let client = try fixture.client()
        let stuck = Task { try await client.call(TestMethod.waitForCancel, []) }
        try await fixture.probe.waitUntilStarted(1)
        await fixture.server.shutdown(gracePeriod: .milliseconds(200))
        // Had shutdown waited for the 30 s handler, the stuck call would have succeeded: it must have failed instead.
        let result = await stuck.result
        if case .failure(let error as RPCError) = result {
            #expect(error.code == .unavailable)
        } else {
            Issue.record("the stuck call should fail once the server closes the connection")
        }
        try await fixture.probe.waitUntilCancelled(1)
        client.close()
    }

    @Test func healthCheckIsServedByEveryServer() async throws {
        let healthy = Atomic<Bool>(true)
        let fixture = try TestServer.start(router: RPCRouter(), healthCheck: { healthy.load(ordering: .acquiring) })
        let client = try fixture.client()
        #expect(try await client.call(Health.check, HealthCheckRequest()).status == .serving)
        healthy.store(false, ordering: .releasing)
        #expect(try await client.call(Health.check, HealthCheckRequest(service: "wallet")).status == .notServing)
        client.close()
        await fixture.server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func clientReconnectsLazilyAfterTheServerRestarts() async throws {
        let first = try TestServer.start()
        let client = try first.client()
        #expect(try await client.call(TestMethod.echo, [1]).body == [1])
        await first.server.shutdown(gracePeriod: .seconds(1))
        let second = try TestServer.start(port: first.port)
        #expect(try await client.call(TestMethod.echo, [2]).body == [2])
        client.close()
        await second.server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func callsToAStoppedServerFailUnavailable() async throws {
        let fixture = try TestServer.start()
        let port = fixture.port
        await fixture.server.shutdown(gracePeriod: .seconds(1))
        let client = try TestServer.client(port: port)
        let error = await #expect(throws: RPCError.self) { try await client.call(TestMethod.echo, [1], idempotent: true) }
        #expect(error?.code == .unavailable)
        client.close()
    }

    @Test(arguments: [
        (Metadata(), false, false),
        (Metadata(), true, true),
        (["idempotency-key": "k-42"] as Metadata, false, true),
    ])
    func callCutOffMidFlightIsRetriedOnlyWhenSafe(metadata: Metadata, idempotent: Bool, expectRetry: Bool) async throws {
        let first = try TestServer.start()
        let client = try first.client(maximumAttempts: 10)
        #expect(try await client.call(TestMethod.echo, [0]).body == [0])
        let call = Task {
            try await client.call(TestMethod.sleepThenEcho, sleepRequest(microseconds: 30_000_000), metadata: metadata, idempotent: idempotent)
        }
        try await first.probe.waitUntilStarted(1)
        // Grace zero: the connection is cut with the call in flight.
        await first.server.shutdown(gracePeriod: .zero)
        let quickRouter = RPCRouter()
        quickRouter.register(TestMethod.sleepThenEcho) { _, _ in Array("second server".utf8) }
        let second = try TestServer.start(port: first.port, router: quickRouter)
        let result = await call.result
        switch result {
        case .success(let response):
            #expect(expectRetry)
            #expect(response.body == Array("second server".utf8))
        case .failure(let error as RPCError):
            #expect(!expectRetry, "unexpected failure \(error)")
            #expect(error.code == .unavailable)
        case .failure(let error):
            Issue.record("unexpected error \(error)")
        }
        client.close()
        await second.server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func closingTheClientFailsCallsInFlightAndAfterwards() async throws {
        let fixture = try TestServer.start()
        let client = try fixture.client()
        let waiting = Task { try await client.call(TestMethod.waitForRelease, [1], idempotent: true) }
        try await fixture.probe.waitUntilStarted(1)
        client.close()
        let inFlight = await waiting.result
        if case .failure(let error as RPCError) = inFlight {
            #expect(error.code == .unavailable)
        } else {
            Issue.record("the in-flight call should fail when the client closes")
        }
        let after = await #expect(throws: RPCError.self) { try await client.call(TestMethod.echo, [2]) }
        #expect(after?.reason == "client_closed")
        fixture.probe.released.store(true, ordering: .releasing)
        await fixture.server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func clientMovesToANewConnectionAfterGoAway() async throws {
        let fixture = try TestServer.start(limits: ServerLimits(idleTimeout: .milliseconds(150)))
        let client = try fixture.client()
        #expect(try await client.call(TestMethod.echo, [1]).body == [1])
        // The idle connection receives GOAWAY and closes; the next call opens another one.
        let deadline = ContinuousClock.now.advanced(by: .seconds(10))
        while fixture.server.openConnectionCount > 0 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(fixture.server.openConnectionCount == 0)
        #expect(try await client.call(TestMethod.echo, [2]).body == [2])
        client.close()
        await fixture.server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func clientSpreadsCallsOverItsConnectionPool() async throws {
        let fixture = try TestServer.start()
        let client = try fixture.client(connections: 4)
        for index in 0..<16 { #expect(try await client.call(TestMethod.echo, [UInt8(index)]).body == [UInt8(index)]) }
        #expect(fixture.server.openConnectionCount == 4)
        client.close()
        await fixture.server.shutdown(gracePeriod: .seconds(1))
    }
}

@Suite struct ListeningTests {
    @Test func twoServersShareAPortWithReusePort() async throws {
        var tls = try TestServer.serverTLS()
        tls.handshakeTimeout = .seconds(5)
        let first = RPCServer(configuration: ServerConfiguration(host: "127.0.0.1", port: 0, tls: tls, eventLoops: 1, reusePort: true),
                              router: TestServer.makeRouter(probe: Probe()), logger: TestServer.quietLogger)
        let port = try first.start()
        let second = RPCServer(configuration: ServerConfiguration(host: "127.0.0.1", port: port, tls: tls, eventLoops: 1, reusePort: true),
                               router: TestServer.makeRouter(probe: Probe()), logger: TestServer.quietLogger)
        #expect(try second.start() == port)
        await first.shutdown(gracePeriod: .seconds(1))
        let client = try TestServer.client(port: port)
        #expect(try await client.call(TestMethod.echo, [4]).body == [4])
        client.close()
        await second.shutdown(gracePeriod: .seconds(1))
    }

    @Test func bindingATakenPortFailsWithBindFailed() async throws {
        let fixture = try TestServer.start()
        let clash = RPCServer(configuration: ServerConfiguration(host: "127.0.0.1", port: fixture.port, tls: try TestServer.serverTLS()),
                              router: RPCRouter(), logger: TestServer.quietLogger)
        let error = #expect(throws: RPCError.self) { try clash.start() }
        #expect(error?.reason == "bind_failed")
        await fixture.server.shutdown(gracePeriod: .seconds(1))
    }
}
