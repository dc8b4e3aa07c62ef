import Foundation
import PurserTestSupport
import PurserWire
import Synchronization
import Testing
@testable import PurserRPC

/// Calls over real TLS on loopback: statuses, errors, deadlines, cancellation, concurrency.
@Suite struct CallTests {
    @Test func echoRoundTripsOverTLS() async throws {
        let fixture = try TestServer.start()
        let client = try fixture.client()
        let payload = (0..<10_000).map { UInt8(truncatingIfNeeded: $0) }
        let response = try await client.call(TestMethod.echo, payload)
        #expect(response.body == payload)
        client.close()
        await fixture.server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func thousandConcurrentCallsOnOneConnectionCompleteOutOfOrder() async throws {
        let fixture = try TestServer.start()
        let client = try fixture.client(connections: 1)
        let results = try await withThrowingTaskGroup(of: (UInt32, Bool).self) { group in
            for index in UInt32(0)..<1000 {
                group.addTask {
                    let request = sleepRequest(microseconds: UInt32.random(in: 0...20_000), payload: [
                        UInt8(index >> 24), UInt8(index >> 16 & 0xFF), UInt8(index >> 8 & 0xFF), UInt8(index & 0xFF),
                    ] + Array("call-\(index)".utf8))
                    let response = try await client.call(TestMethod.sleepThenEcho, request)
                    return (index, response.body == request)
                }
            }
            var all: [(UInt32, Bool)] = []
            for try await result in group { all.append(result) }
            return all
        }
        #expect(results.count == 1000)
        #expect(results.allSatisfy { $0.1 }, "every response carries its own request's bytes")
        let order = fixture.probe.completionOrder.withLock { $0 }
        #expect(order.count == 1000)
        #expect(order != order.sorted(), "handlers finished out of submission order")
        #expect(fixture.server.openConnectionCount == 1, "all calls shared one connection")
        client.close()
        await fixture.server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func unknownMethodAnswersUnimplemented() async throws {
        let fixture = try TestServer.start()
        let client = try fixture.client()
        await #expect(throws: RPCError.self) { try await client.call("test.v1.Test/Nope", []) }
        do {
            _ = try await client.call("test.v1.Test/Nope", [])
        } catch {
            #expect(error.code == .unimplemented)
            #expect(error.reason == "unknown_method")
        }
        client.close()
        await fixture.server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func handlerRPCErrorArrivesWithStatusReasonAndMetadata() async throws {
        let fixture = try TestServer.start()
        let client = try fixture.client()
        let error = await #expect(throws: RPCError.self) { try await client.call(TestMethod.fail, []) }
        #expect(error?.code == .failedPrecondition)
        #expect(error?.message == "not enough credit")
        #expect(error?.reason == "insufficient_funds")
        #expect(error?.metadata["headroom"] == "12")
        client.close()
        await fixture.server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func otherHandlerErrorsBecomeInternalWithoutLeakingDetail() async throws {
        let fixture = try TestServer.start()
        let client = try fixture.client()
        let error = await #expect(throws: RPCError.self) { try await client.call(TestMethod.crash, []) }
        #expect(error?.code == .internal)
        #expect(error?.message == "internal error")
        #expect(error.map { !$0.message.contains("secret") } == true)
        client.close()
        await fixture.server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func undecodableTypedRequestAnswersInvalidArgument() async throws {
        let fixture = try TestServer.start()
        let client = try fixture.client()
        // Field 1 as a length-delimited string whose length runs past the end.
        let error = await #expect(throws: RPCError.self) { try await client.call(Health.check.fullName, [0x0A, 0x7F, 0x41]) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.reason == "malformed_request")
        client.close()
        await fixture.server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func slowHandlerAnswersDeadlineExceededAndIsCancelled() async throws {
        let fixture = try TestServer.start()
        let client = try fixture.client()
        let error = await #expect(throws: RPCError.self) {
            try await client.call(TestMethod.sleepThenEcho, sleepRequest(microseconds: 30_000_000), timeout: .milliseconds(100))
        }
        #expect(error?.code == .deadlineExceeded)
        // The 30 s handler was cancelled, so the call cannot have ended by the handler finishing.
        try await fixture.probe.waitUntilCancelled(1)
        client.close()
        await fixture.server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func serverEnforcesTheDeadlineSentInTheRequest() async throws {
        let fixture = try TestServer.start()
        let peer = try RawPeer(port: fixture.port)
        #expect(try await peer.handshake())
        try peer.send(.request(stream: 5, method: TestMethod.sleepThenEcho, timeoutMilliseconds: 50, metadata: [:],
                               message: sleepRequest(microseconds: 30_000_000)))
        guard case .response(5, let status, _, _, _) = await peer.readFrame() else {
            Issue.record("expected a response on stream 5")
            return
        }
        #expect(status == .deadlineExceeded)
        try await fixture.probe.waitUntilCancelled(1)
        await fixture.server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func cancellingTheCallingTaskCancelsTheHandler() async throws {
        let fixture = try TestServer.start()
        let client = try fixture.client()
        let call = Task { try await client.call(TestMethod.waitForCancel, []) }
        try await fixture.probe.waitUntilStarted(1)
        call.cancel()
        let result = await call.result
        #expect(throws: RPCError.self) { try result.get() }
        if case .failure(let error as RPCError) = result { #expect(error.code == .cancelled) }
        try await fixture.probe.waitUntilCancelled(1)
        // The connection stays usable after a cancel.
        #expect(try await client.call(TestMethod.echo, [1]).body == [1])
        client.close()
        await fixture.server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func streamsBeyondTheLimitAreRefusedWithResourceExhausted() async throws {
        let fixture = try TestServer.start(limits: ServerLimits(maximumConcurrentStreams: 4))
        let peer = try RawPeer(port: fixture.port)
        #expect(try await peer.handshake())
        for stream in UInt32(1)...5 {
            try peer.send(.request(stream: stream, method: TestMethod.waitForCancel, timeoutMilliseconds: 0, metadata: [:], message: []))
        }
        guard case .response(5, let status, _, let metadata, _) = await peer.readFrame() else {
            Issue.record("expected stream 5 to be refused first")
            return
        }
        #expect(status == .resourceExhausted)
        #expect(metadata["reason"] == "too_many_streams")
        await fixture.server.shutdown(gracePeriod: .milliseconds(100))
    }

    @Test func pingIsAnsweredWithTheSamePayload() async throws {
        let fixture = try TestServer.start()
        let peer = try RawPeer(port: fixture.port)
        #expect(try await peer.handshake())
        try peer.send(.ping(0xDEAD_BEEF_0BAD_F00D))
        #expect(await peer.readFrame() == .pong(0xDEAD_BEEF_0BAD_F00D))
        await fixture.server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func metadataReachesTheHandlerInOrder() async throws {
        let router = RPCRouter()
        router.register("test.v1.Test/Metadata") { _, context in
            Array(context.metadata.entries.map { "\($0.key)=\($0.value)" }.joined(separator: ";").utf8)
        }
        let fixture = try TestServer.start(router: router)
        let client = try fixture.client()
        let response = try await client.call("test.v1.Test/Metadata", [], metadata: ["request-id": "r1", "authorization": "Bearer x"])
        #expect(String(decoding: response.body, as: UTF8.self) == "request-id=r1;authorization=Bearer x")
        client.close()
        await fixture.server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func invalidMetadataKeyFailsTheCallLocally() async throws {
        let fixture = try TestServer.start()
        let client = try fixture.client()
        let error = await #expect(throws: RPCError.self) { try await client.call(TestMethod.echo, [], metadata: ["Bad Key": "v"]) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.reason == "invalid_metadata_key")
        client.close()
        await fixture.server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func responseLargerThanTheFrameLimitBecomesInternal() async throws {
        let router = RPCRouter()
        router.register("test.v1.Test/Big") { _, _ in [UInt8](repeating: 1, count: 8192) }
        let fixture = try TestServer.start(limits: ServerLimits(maximumFrameSize: 4096), router: router)
        let client = try fixture.client()
        let error = await #expect(throws: RPCError.self) { try await client.call("test.v1.Test/Big", []) }
        #expect(error?.code == .internal)
        #expect(error?.reason == "response_too_large")
        client.close()
        await fixture.server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func requestLargerThanTheFrameLimitFailsLocally() async throws {
        let fixture = try TestServer.start()
        let client = try fixture.client()
        let error = await #expect(throws: RPCError.self) {
            try await client.call(TestMethod.echo, [UInt8](repeating: 0, count: Frame.defaultMaximumSize + 1))
        }
        #expect(error?.code == .invalidArgument)
        #expect(error?.reason == "frame_too_large")
        #expect(try await client.call(TestMethod.echo, [3]).body == [3], "the connection is unaffected")
        client.close()
        await fixture.server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func startingARunningServerTwiceFails() async throws {
        let fixture = try TestServer.start()
        let error = #expect(throws: RPCError.self) { try fixture.server.start() }
        #expect(error?.reason == "already_started")
        await fixture.server.shutdown(gracePeriod: .seconds(1))
    }
}
