import Foundation
import PurserKit
import PurserRPC
import PurserTestSupport
import Synchronization
import Testing

@testable import PurserClient

/// What the transport repeats and how it counts it: a call the server provably
/// never took (its connection ended before the request could be read) is
/// repeated for any call and counted as a transparent retry, not a failure; a
/// call cut off after it was sent is repeated only when it is safe to repeat.
/// The server sits behind a `TCPForwarder`, which closes or cuts connections on cue.
@Suite struct TransportRetryTests {
    /// A client of `port` making one attempt per call unless the server provably never took it.
    func singleAttemptClient(port: Int) throws -> RPCClient {
        let tls = TLSConfiguration.client(trustRootsPath: try TestEnvironment.certificate("ca"))
        return try RPCClient(
            configuration: ClientConfiguration(host: "127.0.0.1", port: port, serverName: "localhost", tls: tls, maximumAttempts: 1),
            logger: Logger(label: "transport-test", level: .critical))
    }

    @Test func aCallTheServerNeverTookIsRetriedOnceAndCountedAsARetryNotAFailure() async throws {
        let server = try RecordingServer()
        let relay = try TCPForwarder(targetPort: server.port)
        defer { relay.stop() }
        try relay.start()
        relay.closeNextConnections(1)
        // A mutating call without an idempotency key, with a single attempt allowed: only a
        // call the server provably never took may be repeated, and this one was never read.
        let rpc = try singleAttemptClient(port: relay.port)
        let answer = try await rpc.call(RecordingServer.mutate, Note("pay"))
        #expect(answer.text == "done: pay")
        #expect(server.calls.count == 1, "the server took the call once")
        #expect(relay.acceptedConnections == 2)
        var expected = RPCClient.Statistics()
        expected.calls = 1
        expected.attempts = 2
        expected.transparentRetries = 1
        #expect(rpc.statistics == expected)
        rpc.close()

        // Through PurserClient, with no retry policy at all: still one call, no failure.
        relay.closeNextConnections(1)
        let client = try server.client(.anonymous, retry: .none, port: relay.port)
        _ = try await client.channel(.wallet).call(RecordingServer.mutate, Note("again"))
        let statistics = client.statistics
        #expect(statistics.calls == 1)
        #expect(statistics.attempts == 2)
        #expect(statistics.transparentRetries == 1)
        #expect(statistics.failures == 0 && statistics.policyRetries == 0 && statistics.idempotentRetries == 0)
        client.close()
        await server.server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func aNonIdempotentCallCutOffAfterItWasSentIsNotRetriedAndFailsUnavailable() async throws {
        let server = try RecordingServer()
        let relay = try TCPForwarder(targetPort: server.port)
        defer { relay.stop() }
        try relay.start()
        // The server has read the request (its handler runs) when the connection breaks, once.
        let cuts = Atomic<Int>(1)
        server.recorder.state.withLock { state in
            state.whileHandling = { _ in
                if cuts.subtract(1, ordering: .relaxed).oldValue > 0 { relay.dropConnections() }
            }
        }
        let tls = TLSConfiguration.client(trustRootsPath: try TestEnvironment.certificate("ca"))
        let rpc = try RPCClient(
            configuration: ClientConfiguration(host: "127.0.0.1", port: relay.port, serverName: "localhost", tls: tls, maximumAttempts: 3),
            logger: Logger(label: "transport-test", level: .critical))
        do {
            let answer = try await rpc.call(RecordingServer.mutate, Note("pay"))
            Issue.record("answered \(answer.text) although the connection was cut")
        } catch {
            #expect(error.code == .unavailable)
            #expect(error.reason == "connection_lost")
        }
        #expect(server.calls.count == 1, "not sent again: the first attempt may have taken effect")
        var expected = RPCClient.Statistics()
        expected.calls = 1
        expected.attempts = 1
        expected.failures = 1
        #expect(rpc.statistics == expected)

        // The same cut under a read-only method: repeated once, and counted as such.
        cuts.store(1, ordering: .relaxed)
        let read = try await rpc.call(RecordingServer.read, Note("look"))
        #expect(read.text == "done: look")
        #expect(server.calls.map(\.text) == ["pay", "look", "look"])
        expected.calls = 2
        expected.attempts = 3
        expected.idempotentRetries = 1
        #expect(rpc.statistics == expected)
        rpc.close()
        await server.server.shutdown(gracePeriod: .seconds(1))
    }
}
