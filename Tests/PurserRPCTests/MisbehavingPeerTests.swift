import Foundation
import PurserTestSupport
import Synchronization
import Testing
@testable import PurserRPC

/// Peers that break the protocol only ever hurt their own connection.
@Suite struct MisbehavingPeerTests {
    /// Twenty sequential calls, each of which must finish within its own generous deadline.
    static func expectWellBehavedClientWorks(_ client: RPCClient) async throws {
        for index in 0..<20 {
            let payload = Array("still fine \(index)".utf8)
            #expect(try await client.call(TestMethod.echo, payload, timeout: .seconds(5)).body == payload)
        }
    }

    @Test(arguments: [
        [0xFF, 0xFF, 0xFF, 0xFF, 1, 0, 0, 0],
        [0, 0, 0, 3, 1, 0, 0, 0],
        [0, 0, 0, 8, 9, 0, 0, 0, 0, 0, 0, 1],
        [0, 0, 0, 12, 1, 0, 0, 0, 0, 0, 0, 1, 0, 2, 0xC3, 0x28],
    ] as [[UInt8]])
    func malformedFrameGetsGoAwayAndClosesOnlyThatConnection(garbage: [UInt8]) async throws {
        let fixture = try TestServer.start()
        let client = try fixture.client()
        try await Self.expectWellBehavedClientWorks(client)
        let peer = try RawPeer(port: fixture.port)
        #expect(try await peer.handshake())
        peer.write(garbage)
        guard case .goAway(_, let status, let message) = await peer.readFrame() else {
            Issue.record("expected a GOAWAY before the close")
            return
        }
        #expect(status == .invalidArgument)
        #expect(message.hasPrefix("malformed frame"))
        #expect(await peer.serverClosesConnection())
        try await Self.expectWellBehavedClientWorks(client)
        client.close()
        await fixture.server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func plaintextGarbageInsteadOfTLSIsDropped() async throws {
        let fixture = try TestServer.start()
        let client = try fixture.client()
        let peer = try RawPeer(port: fixture.port)
        peer.write(Array("GET / HTTP/1.1\r\nHost: wallet\r\n\r\n".utf8) + [UInt8](repeating: 0xAB, count: 4096))
        #expect(await peer.serverClosesConnection())
        try await Self.expectWellBehavedClientWorks(client)
        client.close()
        await fixture.server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func clientThatNeverHandshakesIsDroppedAfterTheHandshakeTimeout() async throws {
        let fixture = try TestServer.start(tls: try TestServer.serverTLS(handshakeTimeout: .milliseconds(300)))
        let silent = try (0..<10).map { _ in try RawPeer(port: fixture.port) }
        let client = try fixture.client()
        try await Self.expectWellBehavedClientWorks(client)
        // Each read gives up after 5 s, far beyond the 300 ms handshake timeout.
        for peer in silent { #expect(await peer.serverClosesConnection()) }
        try await Self.expectWellBehavedClientWorks(client)
        client.close()
        await fixture.server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func clientThatStopsReadingDoesNotStallOthers() async throws {
        let fixture = try TestServer.start(limits: ServerLimits(maximumBufferedBytes: 256 * 1024), eventLoops: 1)
        let client = try fixture.client()
        let hog = try RawPeer(port: fixture.port)
        #expect(try await hog.handshake())
        let framesWritten = Atomic<Int>(0)
        let frameCount = 2000
        let writer = Thread {
            let payload = [UInt8](repeating: 0x5A, count: 60_000)
            for stream in UInt32(1)...UInt32(frameCount) {
                guard let bytes = try? Frame.request(stream: stream, method: TestMethod.echo, timeoutMilliseconds: 0, metadata: [:], message: payload).encoded(),
                      hog.write(bytes) else { return }
                framesWritten.add(1, ordering: .relaxed)
            }
        }
        writer.start()
        // Gives the hog time to fill the server's window; the checks below hold whether or not it got that far.
        try await Task.sleep(for: .milliseconds(300))
        // The hog never reads, so its responses pile up and the server stops reading from it: its writes block.
        try await Self.expectWellBehavedClientWorks(client)
        #expect(framesWritten.load(ordering: .relaxed) < frameCount, "back-pressure stopped the hog's 120 MB upload")
        client.close()
        await fixture.server.shutdown(gracePeriod: .milliseconds(200))
        _ = await hog.serverClosesConnection()
    }

    @Test func idleConnectionIsClosedAfterTheIdleTimeout() async throws {
        let fixture = try TestServer.start(limits: ServerLimits(idleTimeout: .milliseconds(200)))
        let peer = try RawPeer(port: fixture.port)
        #expect(try await peer.handshake())
        guard case .goAway(_, let status, let message) = await peer.readFrame() else {
            Issue.record("expected a GOAWAY for the idle connection")
            return
        }
        #expect(status == .ok && message == "idle timeout")
        #expect(await peer.serverClosesConnection())
        await fixture.server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func responseFrameFromAClientIsAProtocolViolation() async throws {
        let fixture = try TestServer.start()
        let peer = try RawPeer(port: fixture.port)
        #expect(try await peer.handshake())
        try peer.send(.response(stream: 1, status: .ok, statusMessage: "", metadata: [:], message: []))
        guard case .goAway = await peer.readFrame() else {
            Issue.record("expected a GOAWAY")
            return
        }
        #expect(await peer.serverClosesConnection())
        await fixture.server.shutdown(gracePeriod: .seconds(1))
    }
}
