import Foundation
import PurserHTTP
import PurserJSON
import PurserRPC
import PurserTestSupport
import Synchronization
import Testing

/// `purser-gateway` in front of the five real executables under hostile HTTP
/// peers, all at once: request-smuggling shapes, a 1 GiB `Content-Length`,
/// 10,000 tiny pipelined requests, slowloris heads, and hostile JSON
/// (not UTF-8, nested 10,000 deep, duplicate keys, a number for an amount),
/// while a well-behaved client keeps reading a balance. Each attack gets its
/// clear 4xx (or a closed connection), the gateway stays up, and the
/// well-behaved client is never stalled.
@Suite struct IsolatedHostileGatewayTests {
    /// What the attackers observed, written from their threads.
    final class Tally: Sendable {
        let stop = Atomic<Bool>(false)
        let finished = Atomic<Int>(0)
        let smugglingRefused = Atomic<Int>(0)
        let hugeLengthRefused = Atomic<Int>(0)
        let pipelinedAnswered = Atomic<Int>(0)
        let slowHeadsCutOff = Atomic<Int>(0)
        let hostileJSONRefused = Atomic<Int>(0)
        let failures = Mutex<[String]>([])

        func fail(_ message: String) { failures.withLock { $0.append(message) } }
    }

    static let smuggling: [(request: String, status: Int, reason: String)] = [
        ("POST /v1/wallet/authorize HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: h\r\n\r\n",
         400, "content_length_with_transfer_encoding"),
        ("POST /v1/wallet/authorize HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nContent-Length: 40\r\n\r\nabcd", 400, "conflicting_content_length"),
        ("GET /healthz HTTP/1.1\nHost: h\n\n", 400, "bare_line_feed"),
        ("GET /healthz HTTP/1.1\r\nHost: h\r\nX: a\r\n  folded\r\n\r\n", 400, "obsolete_line_folding"),
        ("GET /healthz HTTP/1.1\r\nHost: h\r\nBad Name: x\r\n\r\n", 400, "invalid_header_name"),
    ]

    /// A raw TLS peer speaking `http/1.1` to the gateway.
    static func peer(_ port: Int, readTimeoutSeconds: Int = 10) throws -> RawPeer? {
        let peer = try RawPeer(port: port, readTimeoutSeconds: readTimeoutSeconds, sendTimeoutSeconds: 10)
        return try peer.handshakeBlocking(alpn: [8] + Array("http/1.1".utf8)) ? peer : nil
    }

    /// The responses `peer` reads until `count` arrived or the stream ended,
    /// and whether it then ended (closed by the server).
    static func responses(_ peer: RawPeer, count: Int) throws -> (heads: [(status: Int, body: String)], closed: Bool) {
        var parser = HTTPResponseParser()
        var heads: [(status: Int, body: String)] = []
        var status = 0
        var body: [UInt8] = []
        while heads.count < count {
            guard case .bytes(let bytes) = peer.readBlocking() else { return (heads, true) }
            parser.append(contentsOf: bytes)
            while let event = try parser.next() {
                switch event {
                case .head(let head): status = head.status.code
                case .body(let piece): body += piece
                case .end:
                    heads.append((status, String(decoding: body, as: UTF8.self)))
                    body = []
                }
            }
        }
        var end = peer.readBlocking()
        while case .bytes = end { end = peer.readBlocking() }
        return (heads, end == .orderlyClose || end == .failed)
    }

    /// Starts one attacker thread that repeats `round` until told to stop (once when `repeating` is false).
    static func attack(_ tally: Tally, repeating: Bool = true, _ round: @escaping @Sendable () throws -> Void) {
        Thread {
            repeat {
                do { try round() } catch { tally.fail("attacker: \(error)") }
                if repeating { usleep(50_000) }
            } while repeating && !tally.stop.load(ordering: .acquiring)
            tally.finished.add(1, ordering: .releasing)
        }.start()
    }

    /// `calls` balance reads by the well-behaved client; the sorted latencies.
    static func measure(_ client: HTTPClient, _ request: HTTPClientRequest, calls: Int) async throws -> [Duration] {
        var latencies: [Duration] = []
        let clock = ContinuousClock()
        for _ in 0..<calls {
            let start = clock.now
            let response = try await client.execute(request)
            latencies.append(clock.now - start)
            #expect(response.status.code == 200, "\(response.bodyText)")
        }
        return latencies.sorted()
    }

    static func p99(_ sorted: [Duration]) -> Duration { sorted[min(sorted.count - 1, sorted.count * 99 / 100)] }

    @Test(.timeLimit(.minutes(5))) func gatewaySurvivesHostileHTTPAndWellBehavedCallsAreNotStalled() async throws {
        let deployment = try await Deployment()
        do {
            try await deployment.waitUntilServing()
            let port = try await deployment.startGateway(extraEnvironment: ["PURSER_GATEWAY_HEADER_TIMEOUT": "2s"])
            let world = try await deployment.makeWorld(agents: 1, allocation: 1_000_000)
            try await Self.run(port: port, agentID: world.agents[0].id, agentToken: world.agents[0].token, deployment: deployment)
        } catch {
            await deployment.stop()
            throw error
        }
        await deployment.stop()
    }

    static func run(port: Int, agentID: String, agentToken: String, deployment: Deployment) async throws {
        let client = try HTTPClient(configuration: HTTPClientConfiguration(
            host: "127.0.0.1", port: port, tls: .client(trustRootsPath: try TestEnvironment.certificate("ca")), serverName: "localhost"))
        defer { client.shutdown() }
        var headers = HTTPHeaders()
        headers.add(name: "Authorization", value: "Bearer \(agentToken)")
        let balance = HTTPClientRequest(target: "/v1/agents/\(agentID)/balance", headers: headers)
        _ = try await measure(client, balance, calls: 50)
        let normal = try await measure(client, balance, calls: 300)

        let tally = Tally()
        var attackers = 0
        for (index, shape) in smuggling.enumerated() {
            attackers += 1
            attack(tally) {
                guard let peer = try peer(port) else { return tally.fail("smuggling \(index): handshake failed") }
                peer.write(Array(shape.request.utf8))
                let (answers, closed) = try responses(peer, count: 1)
                guard answers.first?.status == shape.status, answers.first?.body.contains("\"reason\":\"\(shape.reason)\"") == true, closed else {
                    return tally.fail("smuggling \(index): \(answers.map { "\($0.status) \($0.body)" }) closed=\(closed)")
                }
                tally.smugglingRefused.add(1, ordering: .relaxed)
            }
        }
        attackers += 1
        attack(tally) {
            guard let peer = try peer(port) else { return tally.fail("1 GiB: handshake failed") }
            peer.write(Array("POST /v1/wallet/authorize HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n{\"amount\":".utf8))
            let (answers, closed) = try responses(peer, count: 1)
            guard answers.first?.status == 413, answers.first?.body.contains("\"reason\":\"content_too_large\"") == true, closed else {
                return tally.fail("1 GiB: \(answers.map { "\($0.status) \($0.body)" }) closed=\(closed)")
            }
            tally.hugeLengthRefused.add(1, ordering: .relaxed)
        }
        // 10,000 tiny requests in one write, each answered in order (401: no token, from the Wallet).
        attackers += 1
        attack(tally, repeating: false) {
            guard let peer = try peer(port, readTimeoutSeconds: 60) else { return tally.fail("pipelined: handshake failed") }
            let one = Array("GET /v1/agents/\(agentID)/balance HTTP/1.1\r\nHost: h\r\n\r\n".utf8)
            var burst: [UInt8] = []
            burst.reserveCapacity(one.count * 10_000)
            for _ in 0..<10_000 { burst += one }
            guard peer.write(burst) else { return tally.fail("pipelined: the gateway stopped reading") }
            let (answers, _) = try responses(peer, count: 10_000)
            let refused = answers.filter { $0.status == 401 && $0.body.contains("\"reason\":\"token_missing\"") }.count
            tally.pipelinedAnswered.add(refused, ordering: .relaxed)
            if refused != 10_000 { tally.fail("pipelined: \(answers.count) answers, \(refused) of them 401 token_missing") }
        }
        // Slowloris: heads trickled one byte every 100 ms are cut off by the 2 s header timeout (408).
        for index in 0..<4 {
            attackers += 1
            attack(tally, repeating: false) {
                guard let peer = try peer(port) else { return tally.fail("slow \(index): handshake failed") }
                // 25 bytes in 2.5 s: past the timeout, still short of a whole head.
                for byte in "GET /healthz HTTP/1.1\r\nHo".utf8 {
                    guard peer.write([byte]) else { break }
                    usleep(100_000)
                }
                let (answers, closed) = try responses(peer, count: 1)
                guard answers.first?.status == 408, answers.first?.body.contains("\"reason\":\"header_read_timeout\"") == true, closed else {
                    return tally.fail("slow \(index): \(answers.map { "\($0.status) \($0.body)" }) closed=\(closed)")
                }
                tally.slowHeadsCutOff.add(1, ordering: .relaxed)
            }
        }
        // Hostile JSON in well-formed HTTP, each refused with its reason on a connection that stays usable.
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        let bodies: [(body: [UInt8], reason: String)] = [
            ([0x7B, 0x22, 0x61, 0x6D, 0x6F, 0x75, 0x6E, 0x74, 0x22, 0x3A, 0x22, 0xFF, 0xFE, 0x22, 0x7D], "json_not_utf8"),
            (Array("{\"amount\":\(deep)}".utf8), "json_too_deep"),
            (Array(#"{"amount":"1","amount":"2"}"#.utf8), "json_duplicate_key"),
            (Array(#"{"amount":0.5,"providerId":"p"}"#.utf8), "amount_not_string"),
        ]
        attackers += 1
        attack(tally) {
            guard let peer = try peer(port) else { return tally.fail("JSON: handshake failed") }
            var requests: [UInt8] = []
            for (index, hostile) in bodies.enumerated() {
                requests += Array(("POST /v1/wallet/authorize HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer \(agentToken)\r\n"
                    + "Idempotency-Key: hostile-\(index)\r\nContent-Type: application/json\r\nContent-Length: \(hostile.body.count)\r\n\r\n").utf8)
                requests += hostile.body
            }
            requests += Array("GET /healthz HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n".utf8)
            peer.write(requests)
            let (answers, _) = try responses(peer, count: bodies.count + 1)
            for (index, hostile) in bodies.enumerated() {
                guard index < answers.count, answers[index].status == 400, answers[index].body.contains("\"reason\":\"\(hostile.reason)\"") else {
                    return tally.fail("JSON \(hostile.reason): \(index < answers.count ? "\(answers[index].status) \(answers[index].body)" : "no answer")")
                }
            }
            guard answers.count == bodies.count + 1, answers[bodies.count].status == 200 else {
                return tally.fail("JSON: the connection did not serve a request after the refusals")
            }
            tally.hostileJSONRefused.add(1, ordering: .relaxed)
        }

        let underAttack = try await measure(client, balance, calls: 300)
        tally.stop.store(true, ordering: .releasing)
        let started = attackers
        try await waitUntil("every attacker finished", timeout: .seconds(120), interval: .milliseconds(50)) {
            tally.finished.load(ordering: .acquiring) == started
        }

        let failures = tally.failures.withLock { $0 }
        #expect(failures.isEmpty, "\(failures.prefix(10))")
        #expect(tally.smugglingRefused.load(ordering: .relaxed) >= smuggling.count)
        #expect(tally.hugeLengthRefused.load(ordering: .relaxed) >= 1)
        #expect(tally.pipelinedAnswered.load(ordering: .relaxed) == 10_000)
        #expect(tally.slowHeadsCutOff.load(ordering: .relaxed) >= 4)
        #expect(tally.hostileJSONRefused.load(ordering: .relaxed) >= 1)

        // Still up and serving.
        let after = try await measure(client, balance, calls: 20)
        #expect(after.count == 20)
        let health = try await client.execute(HTTPClientRequest(target: "/healthz"))
        #expect(health.status.code == 200, "\(health.bodyText)")
        #expect(try deployment.process("gateway").isRunning)

        let (quiet, loaded) = (p99(normal), p99(underAttack))
        print("hostile HTTP through the gateway: balance p99 \(quiet) alone, \(loaded) under attack (\(String(format: "%.2f", loaded / quiet))x)")
        // A stall detector, not a speed claim (BENCHMARKS.md has the figures): the well-behaved
        // client is never starved behind the attackers.
        #expect(loaded <= max(quiet * 10, .milliseconds(250)), "p99 \(quiet) alone, \(loaded) under attack")
    }
}
