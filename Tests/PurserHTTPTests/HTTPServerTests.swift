import Foundation
import PurserHTTP
import PurserKit
import PurserRPC
import PurserTestSupport
import Testing

@Suite struct HTTPServerTests {
    @Test func keepAliveReusesOneConnection() async throws {
        try await withServer(testRouter()) { fixture in
            let first = try await fixture.client.execute(HTTPClientRequest(target: "/hello"))
            let second = try await fixture.client.execute(HTTPClientRequest(target: "/hello"))
            #expect(first.status == .ok)
            #expect(first.bodyText == "hello")
            #expect(first.headers["Content-Length"] == "5")
            // The client's address includes its port: one connection served both.
            #expect(first.headers["X-Remote"] != nil)
            #expect(first.headers["X-Remote"] == second.headers["X-Remote"])
            #expect(fixture.server.openConnectionCount == 1)
            #expect(fixture.client.idleConnectionCount == 1)
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        try await withServer(testRouter()) { fixture in
            let connection = try fixture.client.rawConnection()
            var bytes: [UInt8] = []
            for item in ["a", "b", "c"] {
                bytes += [UInt8]("GET /slow/\(item) HTTP/1.1\r\nHost: h\r\n\r\n")
                bytes += [UInt8]("GET /items/\(item)2 HTTP/1.1\r\nHost: h\r\n\r\n")
            }
            bytes += [UInt8]("POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nxyz")
            let responses = try await connection.exchange(bytes, methods: Array(repeating: "GET", count: 6) + ["POST"], timeout: .seconds(20))
            #expect(responses.map(\.bodyText) == ["a", "a2", "b", "b2", "c", "c2", "3 \(byteSum([UInt8]("xyz")))"])
            connection.close()
        }
    }

    @Test func chunkedUploadsAndChunkedDownloadsWork() async throws {
        try await withServer(testRouter()) { fixture in
            let chunks: [[UInt8]] = (0..<50).map { index in (0..<(1000 + index)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ index) } }
            let response = try await fixture.client.execute(HTTPClientRequest(method: "POST", target: "/upload", body: .chunked(chunks)))
            let all = chunks.flatMap { $0 }
            #expect(response.bodyText == "\(all.count) \(byteSum(all))")
            let streamed = try await fixture.client.execute(HTTPClientRequest(target: "/stream"))
            #expect(streamed.headers["Transfer-Encoding"] == "chunked")
            #expect(streamed.bodyText == "part 0;part 1;part 2;part 3;part 4;")
        }
    }

    @Test func aBodyOverTheRouteLimitIsRefusedWith413BeforeItIsRead() async throws {
        try await withServer(testRouter()) { fixture in
            let connection = try fixture.client.rawConnection()
            // 1 GiB announced, none of it sent: the answer cannot depend on reading it.
            let head = [UInt8]("POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: 1073741824\r\n\r\n")
            let responses = try await connection.exchange(head, methods: ["POST"], timeout: .seconds(10))
            #expect(responses.first?.status.code == 413)
            #expect(responses.first?.bodyText.contains("\"reason\":\"content_too_large\"") == true)
            #expect(responses.first?.headers["Connection"] == "close")
            _ = await connection.closed()
            // A chunked body that grows past the limit is cut off too.
            let chunked = try await fixture.client.execute(HTTPClientRequest(method: "POST", target: "/small", body: .chunked([[UInt8](repeating: 1, count: 10), [UInt8](repeating: 2, count: 10)])))
            #expect(chunked.status.code == 413)
            #expect(chunked.bodyText.contains("\"reason\":\"content_too_large\""))
            let fits = try await fixture.client.execute(HTTPClientRequest(method: "POST", target: "/small", body: .bytes([UInt8]("sixteen bytes!!!"))))
            #expect(fits.bodyText == "sixteen bytes!!!")
        }
    }

    /// A client still sending a refused body reads the answer and then an
    /// orderly end (close_notify), not a reset.
    @Test func aRefusedUploadStillBeingSentGetsItsAnswerAndAnOrderlyClose() async throws {
        try await withServer(testRouter()) { fixture in
            let port = fixture.port
            let outcome = try await onThread { () throws -> (status: Int?, sentAfterAnswer: Bool, end: RawPeer.ReadEnd) in
                let peer = try RawPeer(port: port, readTimeoutSeconds: 5, sendTimeoutSeconds: 5)
                guard try peer.handshakeBlocking(alpn: [8] + Array("http/1.1".utf8)) else { return (nil, false, .failed) }
                peer.write([UInt8]("POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: 1073741824\r\n\r\n"))
                var parser = HTTPResponseParser()
                var status: Int?
                reading: while status == nil {
                    guard case .bytes(let bytes) = peer.readBlocking() else { break }
                    parser.append(contentsOf: bytes)
                    while let event = try parser.next() {
                        if case .head(let head) = event { status = head.status.code; break reading }
                    }
                }
                // The body goes on, 1 MiB of it, as a client that does not read while it sends would.
                let piece = [UInt8](repeating: 0x61, count: 64 * 1024)
                let sent = (0..<16).allSatisfy { _ in peer.write(piece) }
                var end = peer.readBlocking()
                while case .bytes = end { end = peer.readBlocking() }
                return (status, sent, end)
            }
            #expect(outcome.status == 413)
            #expect(outcome.sentAfterAnswer, "the client's writes after the answer failed")
            #expect(outcome.end == .orderlyClose)
        }
    }

    /// Smuggling attempts over the wire: answered 400 with the parser's reason, and the connection closed.
    @Test(arguments: [
        ("POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /hello HTTP/1.1\r\nHost: h\r\n\r\n", 400, "content_length_with_transfer_encoding"),
        ("POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nContent-Length: 40\r\n\r\nabcd", 400, "conflicting_content_length"),
        ("GET /hello HTTP/1.1\nHost: h\n\n", 400, "bare_line_feed"),
        ("GET /hello HTTP/1.1\r\nHost: h\r\nX: a\r\n  folded\r\n\r\n", 400, "obsolete_line_folding"),
        ("POST /upload HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501, "unsupported_transfer_coding"),
    ])
    func smugglingAttemptsAreRefusedAndTheConnectionClosed(request: String, status: Int, reason: String) async throws {
        try await withServer(testRouter()) { fixture in
            let connection = try fixture.client.rawConnection()
            let responses = try await connection.exchange([UInt8](request), methods: ["POST"], timeout: .seconds(10))
            #expect(responses.count == 1)
            #expect(responses.first?.status.code == status)
            #expect(responses.first?.headers["Content-Type"] == "application/problem+json")
            #expect(responses.first?.bodyText.contains("\"reason\":\"\(reason)\"") == true)
            #expect(await connection.closed() == nil)
        }
    }

    /// A keep-alive connection answered without a handler (404, 405) waits
    /// for its next request under the idle timeout, not the header-read one:
    /// an idle client is not sent a 408.
    @Test func anIdleConnectionAfterA404IsKeptPastTheHeaderReadTimeout() async throws {
        try await withServer(testRouter(), limits: HTTPServerLimits(headerReadTimeout: .milliseconds(200), idleTimeout: .seconds(30))) { fixture in
            let connection = try fixture.client.rawConnection()
            let missing = try await connection.exchange([UInt8]("GET /nowhere HTTP/1.1\r\nHost: h\r\n\r\n"), methods: ["GET"], timeout: .seconds(10))
            #expect(missing.first?.status.code == 404)
            // Five header-read timeouts of silence: the time under test.
            try await Task.sleep(for: .seconds(1))
            let next = try await connection.exchange([UInt8]("GET /hello HTTP/1.1\r\nHost: h\r\n\r\n"), methods: ["GET"], timeout: .seconds(10))
            #expect(next.map(\.status.code) == [200], "\(next.map(\.bodyText))")
            connection.close()
        }
    }

    @Test func connectionCloseIsHonoured() async throws {
        try await withServer(testRouter()) { fixture in
            let response = try await fixture.client.execute(HTTPClientRequest(target: "/hello", headers: ["Connection": "close"]))
            #expect(response.bodyText == "hello")
            #expect(response.headers["Connection"] == "close")
            #expect(fixture.client.idleConnectionCount == 0)
            try await waitUntil("the server closed the connection", timeout: .seconds(10)) { fixture.server.openConnectionCount == 0 }
        }
    }

    @Test func unknownPathsAndMethodsAreAnsweredAndTheConnectionKept() async throws {
        try await withServer(testRouter()) { fixture in
            let missing = try await fixture.client.execute(HTTPClientRequest(target: "/nope"))
            #expect(missing.status.code == 404)
            #expect(missing.bodyText.contains("\"reason\":\"not_found\""))
            let wrongMethod = try await fixture.client.execute(HTTPClientRequest(method: "DELETE", target: "/hello"))
            #expect(wrongMethod.status.code == 405)
            #expect(wrongMethod.bodyText.contains("\"reason\":\"method_not_allowed\""))
            #expect(wrongMethod.headers["Allow"] == "GET", "a 405 names the methods the path answers")
            #expect(fixture.client.idleConnectionCount == 1)
        }
    }

    @Test func slowHeadersAreCutOffWhileAnotherClientIsServed() async throws {
        let limits = HTTPServerLimits(headerReadTimeout: .milliseconds(500))
        try await withServer(testRouter(), limits: limits) { fixture in
            let slow = try fixture.client.rawConnection()
            let pending = Task { try await slow.exchange([UInt8]("GET /hello HTTP/1.1\r\nHost: h\r\nX-Slow"), methods: ["GET"], timeout: .seconds(20)) }
            // Meanwhile another client is served, many times over.
            for _ in 0..<20 {
                let response = try await fixture.client.execute(HTTPClientRequest(target: "/hello"))
                #expect(response.bodyText == "hello")
            }
            let answer = try await pending.value
            #expect(answer.first?.status.code == 408)
            #expect(answer.first?.bodyText.contains("\"reason\":\"header_read_timeout\"") == true)
            #expect(await slow.closed() == nil)
        }
    }

    @Test func connectionsPerAddressAreLimited() async throws {
        let limits = HTTPServerLimits(maximumConnectionsPerAddress: 2)
        try await withServer(testRouter(), limits: limits) { fixture in
            let first = try fixture.client.rawConnection()
            let second = try fixture.client.rawConnection()
            for connection in [first, second] {
                let responses = try await connection.exchange([UInt8]("GET /hello HTTP/1.1\r\nHost: h\r\n\r\n"), methods: ["GET"], timeout: .seconds(10))
                #expect(responses.first?.bodyText == "hello")
            }
            let third = try fixture.client.rawConnection()
            await #expect(throws: HTTPError.self) {
                try await third.exchange([UInt8]("GET /hello HTTP/1.1\r\nHost: h\r\n\r\n"), methods: ["GET"], timeout: .seconds(10))
            }
            first.close()
            try await waitUntil("the server saw the first connection close", timeout: .seconds(10)) { fixture.server.openConnectionCount == 1 }
            let fourth = try fixture.client.rawConnection()
            let responses = try await fourth.exchange([UInt8]("GET /hello HTTP/1.1\r\nHost: h\r\n\r\n"), methods: ["GET"], timeout: .seconds(10))
            #expect(responses.first?.bodyText == "hello")
            second.close()
            fourth.close()
        }
    }

    @Test func plainHTTPIsServedOnlyOnLoopbackWithTheSetting() async throws {
        let elsewhere = HTTPServer(configuration: HTTPServerConfiguration(host: "0.0.0.0", port: 0, tls: nil, allowPlaintextOnLoopback: true),
                                   router: testRouter(), logger: ServerFixture.logger)
        #expect(throws: HTTPError(.internalServerError, reason: "plaintext_not_allowed")) { try elsewhere.start() }
        let unset = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0, tls: nil),
                               router: testRouter(), logger: ServerFixture.logger)
        #expect(throws: HTTPError(.internalServerError, reason: "plaintext_not_allowed")) { try unset.start() }
        let loopback = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0, tls: nil, allowPlaintextOnLoopback: true, eventLoops: 1),
                                  router: testRouter(), logger: ServerFixture.logger)
        let port = try loopback.start()
        let client = try HTTPClient(configuration: HTTPClientConfiguration(host: "127.0.0.1", port: port, tls: nil))
        try await using((loopback, client), cleanup: { server, client in
            client.shutdown()
            await server.shutdown()
        }) { _, client in
            let response = try await client.execute(HTTPClientRequest(target: "/hello"))
            #expect(response.bodyText == "hello")
        }
    }
}
