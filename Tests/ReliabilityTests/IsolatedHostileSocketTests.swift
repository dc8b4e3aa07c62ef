import Foundation
import PurserKit
import PurserRPC
import PurserTestSupport
import Synchronization
import Testing

/// A real RPC server over TLS under hostile peers: random and truncated frames,
/// a 4 GiB length, 10,000 tiny frames and slowloris writers, all at once, while
/// a well-behaved client keeps calling.
@Suite struct IsolatedHostileSocketTests {
    static let echo = "reliability.v1.Test/Echo"
    static let logger = Logger(label: "reliability", level: .critical)

    /// What the attackers observed, written from their threads.
    final class Tally: Sendable {
        let stop = Atomic<Bool>(false)
        let finished = Atomic<Int>(0)
        let garbageConnectionsClosed = Atomic<Int>(0)
        let garbageConnectionsLeftOpen = Atomic<Int>(0)
        let truncatedConnections = Atomic<Int>(0)
        let hugeLengthGoAways = Atomic<Int>(0)
        let hugeLengthClosed = Atomic<Int>(0)
        let tinyFramePongs = Atomic<Int>(0)
        let slowRequestsAnswered = Atomic<Int>(0)
        let failures = Mutex<[String]>([])

        func fail(_ message: String) { failures.withLock { $0.append(message) } }
    }

    static func startServer() throws -> (RPCServer, Int) {
        var tls = TLSConfiguration.server(
            certificatePath: try TestEnvironment.certificate("wallet"), privateKeyPath: try TestEnvironment.privateKey("wallet"),
            trustRootsPath: try TestEnvironment.certificate("ca"), clientCertificate: .none)
        tls.handshakeTimeout = .seconds(2)
        let router = RPCRouter()
        router.register(echo) { bytes, _ in bytes }
        let server = RPCServer(
            configuration: ServerConfiguration(host: "127.0.0.1", port: 0, tls: tls, eventLoops: 2), router: router, logger: logger)
        return (server, try server.start())
    }

    static func measure(_ client: RPCClient, calls: Int) async throws -> Latency {
        var latency = Latency()
        let clock = ContinuousClock()
        for index in 0..<calls {
            let payload = Array("call \(index)".utf8)
            let start = clock.now
            let response = try await client.call(echo, payload, timeout: .seconds(10))
            latency.record(clock.now - start)
            #expect(response.body == payload)
        }
        return latency
    }

    static func requestBytes(stream: UInt32, payload: [UInt8]) -> [UInt8] {
        (try? Frame.request(stream: stream, method: echo, timeoutMilliseconds: 10_000, metadata: [:], message: payload).encoded()) ?? []
    }

    /// Starts one attacker thread that repeats `round` every 20 ms until told to stop.
    static func attack(_ tally: Tally, repeating: Bool = true, _ round: @escaping @Sendable () throws -> Void) {
        let thread = Thread {
            repeat {
                do { try round() } catch { tally.fail("attacker: \(error)") }
                if repeating { usleep(20_000) }
            } while repeating && !tally.stop.load(ordering: .acquiring)
            tally.finished.add(1, ordering: .releasing)
        }
        thread.start()
    }

    @Test func serverSurvivesHostilePeersAndWellBehavedCallsAreNotStalled() async throws {
        let (server, port) = try Self.startServer()
        let tls = TLSConfiguration.client(trustRootsPath: try TestEnvironment.certificate("ca"))
        let client = try RPCClient(
            configuration: ClientConfiguration(host: "127.0.0.1", port: port, serverName: "localhost", tls: tls), logger: Self.logger)
        _ = try await Self.measure(client, calls: 50)
        let normal = try await Self.measure(client, calls: 400)

        let tally = Tally()
        var attackers = 0
        // Random bytes after a valid handshake, with a plausible length prefix: the server must drop the connection.
        for seed in 0..<2 {
            attackers += 1
            Self.attack(tally) {
                var generator = SystemRandomNumberGenerator()
                let peer = try RawPeer(port: port, readTimeoutSeconds: 3, sendTimeoutSeconds: 3)
                guard try peer.handshakeBlocking() else { return tally.fail("garbage peer \(seed): handshake failed") }
                let length = UInt32.random(in: 0...600, using: &generator)
                var bytes: [UInt8] = [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]
                bytes += (0..<Int(length) + 600).map { _ in UInt8.random(in: 0...255, using: &generator) }
                bytes[4] = UInt8.random(in: 0...9, using: &generator)
                peer.write(bytes)
                if peer.serverClosesConnectionBlocking() {
                    tally.garbageConnectionsClosed.add(1, ordering: .relaxed)
                } else {
                    tally.garbageConnectionsLeftOpen.add(1, ordering: .relaxed)
                }
            }
        }
        // Half a valid request, then the peer goes away.
        attackers += 1
        Self.attack(tally) {
            let peer = try RawPeer(port: port, readTimeoutSeconds: 3, sendTimeoutSeconds: 3)
            guard try peer.handshakeBlocking() else { return tally.fail("truncating peer: handshake failed") }
            let request = Self.requestBytes(stream: 1, payload: Array(repeating: 7, count: 200))
            peer.write(Array(request[..<(request.count / 2)]))
            tally.truncatedConnections.add(1, ordering: .relaxed)
        }
        // A 4 GiB length (0xFFFFFFFF): a GOAWAY, then the close.
        attackers += 1
        Self.attack(tally) {
            let peer = try RawPeer(port: port, readTimeoutSeconds: 5, sendTimeoutSeconds: 5)
            guard try peer.handshakeBlocking() else { return tally.fail("4 GiB peer: handshake failed") }
            peer.write([0xFF, 0xFF, 0xFF, 0xFF, 1, 0, 0, 0, 0, 0, 0, 1] + Array(repeating: 0x41, count: 4096))
            if case .goAway = peer.readFrameBlocking() { tally.hugeLengthGoAways.add(1, ordering: .relaxed) }
            if peer.serverClosesConnectionBlocking() { tally.hugeLengthClosed.add(1, ordering: .relaxed) }
        }
        // 10,000 tiny frames in one burst: every PING gets its PONG.
        attackers += 1
        Self.attack(tally, repeating: false) {
            let peer = try RawPeer(port: port, readTimeoutSeconds: 10, sendTimeoutSeconds: 10)
            guard try peer.handshakeBlocking() else { return tally.fail("tiny-frame peer: handshake failed") }
            var burst: [UInt8] = []
            burst.reserveCapacity(10_000 * 16)
            for payload in UInt64(0)..<10_000 { burst += try Frame.ping(payload).encoded() }
            guard peer.write(burst) else { return tally.fail("tiny-frame peer: the server stopped reading") }
            var expected: UInt64 = 0
            while expected < 10_000, let frame = peer.readFrameBlocking() {
                guard case .pong(let payload) = frame else { continue }
                if payload == expected { tally.tinyFramePongs.add(1, ordering: .relaxed) }
                expected += 1
            }
        }
        // Slowloris: valid requests trickled one byte every 10 ms on four connections.
        for index in 0..<4 {
            attackers += 1
            Self.attack(tally) {
                let peer = try RawPeer(port: port, readTimeoutSeconds: 10, sendTimeoutSeconds: 10)
                guard try peer.handshakeBlocking() else { return tally.fail("slow peer \(index): handshake failed") }
                let payload = Array("slow \(index)".utf8)
                for byte in Self.requestBytes(stream: 1, payload: payload) {
                    guard peer.write([byte]) else { return tally.fail("slow peer \(index): the server closed mid-frame") }
                    usleep(10_000)
                }
                guard case .response(_, let status, _, _, let body) = peer.readFrameBlocking(), status == .ok, body == payload else {
                    return tally.fail("slow peer \(index): no echo")
                }
                tally.slowRequestsAnswered.add(1, ordering: .relaxed)
            }
        }

        try await Task.sleep(for: .milliseconds(200))
        let attacked = try await Self.measure(client, calls: 400)
        tally.stop.store(true, ordering: .releasing)
        let deadline = ContinuousClock.now.advanced(by: .seconds(30))
        while tally.finished.load(ordering: .acquiring) < attackers && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        let after = try await Self.measure(client, calls: 20)

        let baseline = max(normal.percentile(0.99), .milliseconds(1))
        print("hostile sockets: normal \(normal); under attack \(attacked); garbage connections closed \(tally.garbageConnectionsClosed.load(ordering: .relaxed)), truncated \(tally.truncatedConnections.load(ordering: .relaxed)), 4 GiB GOAWAYs \(tally.hugeLengthGoAways.load(ordering: .relaxed)), pongs \(tally.tinyFramePongs.load(ordering: .relaxed)), slow requests answered \(tally.slowRequestsAnswered.load(ordering: .relaxed))")
        #expect(tally.finished.load(ordering: .acquiring) == attackers, "attackers still running after 30 s")
        #expect(tally.failures.withLock { $0 } == [])
        #expect(tally.garbageConnectionsClosed.load(ordering: .relaxed) > 0)
        #expect(tally.garbageConnectionsLeftOpen.load(ordering: .relaxed) == 0)
        #expect(tally.truncatedConnections.load(ordering: .relaxed) > 0)
        #expect(tally.hugeLengthGoAways.load(ordering: .relaxed) > 0)
        #expect(tally.hugeLengthGoAways.load(ordering: .relaxed) == tally.hugeLengthClosed.load(ordering: .relaxed))
        #expect(tally.tinyFramePongs.load(ordering: .relaxed) == 10_000)
        #expect(tally.slowRequestsAnswered.load(ordering: .relaxed) >= 4)
        // A loop stalled by an attacker holds well-behaved calls for seconds (the attackers' own timeouts are
        // 10 s); ten times the normal p99, or 250 ms when that is less, tells a stall from scheduler noise on
        // a loaded two-core machine.
        #expect(attacked.percentile(0.99) <= max(baseline * 10, .milliseconds(250)), "p99 under attack \(attacked) vs normal \(normal)")
        #expect(after.samples.count == 20)
        #expect(await server.healthStatus() == .serving)
        client.close()
        await server.shutdown(gracePeriod: .seconds(1))
    }
}
