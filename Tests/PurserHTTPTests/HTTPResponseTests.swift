import PurserHTTP
import PurserTestSupport
import Testing

/// Responses as the server writes them: framing, HEAD, errors, streaming, timeouts.
@Suite struct HTTPResponseTests {
    @Test func aStreamedBodyLargerThanTheOutputBufferArrivesWhole() async throws {
        try await withServer(testRouter()) { fixture in
            let response = try await fixture.client.execute(HTTPClientRequest(target: "/large/8"))
            #expect(response.headers["Content-Length"] == "\(8 << 20)")
            #expect(response.body.count == 8 << 20)
            #expect(response.body[0] == 0)
            #expect(response.body[(64 << 10) * 5] == 5)
            #expect(response.body.last == UInt8(truncatingIfNeeded: 8 * 16 - 1))
        }
    }

    @Test func headIsAnsweredByTheGetRouteWithoutABody() async throws {
        try await withServer(testRouter()) { fixture in
            let head = try await fixture.client.execute(HTTPClientRequest(method: "HEAD", target: "/hello"))
            #expect(head.status == .ok)
            #expect(head.headers["Content-Length"] == "5")
            #expect(head.body.isEmpty)
            // The connection is still in step: the next answer is the right one.
            let get = try await fixture.client.execute(HTTPClientRequest(target: "/items/after-head"))
            #expect(get.bodyText == "after-head")
            #expect(fixture.server.openConnectionCount == 1)
        }
    }

    @Test func everyResponseCarriesADate() async throws {
        #expect(HTTPDate.format(secondsSinceEpoch: 784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        try await withServer(testRouter()) { fixture in
            let response = try await fixture.client.execute(HTTPClientRequest(target: "/hello"))
            let date = try #require(response.headers["Date"])
            #expect(date.hasSuffix(" GMT"))
            #expect(date.count == "Sun, 06 Nov 1994 08:49:37 GMT".count)
        }
    }

    @Test func handlerErrorsBecomeProblemDocuments() async throws {
        try await withServer(testRouter()) { fixture in
            let refused = try await fixture.client.execute(HTTPClientRequest(target: "/refuse"))
            #expect(refused.status.code == 403)
            #expect(refused.headers["Content-Type"] == "application/problem+json")
            #expect(refused.bodyText == #"{"type":"about:blank","status":403,"title":"Forbidden","reason":"not_yours","detail":"a \"quoted\" detail"}"#)
            let failed = try await fixture.client.execute(HTTPClientRequest(target: "/fail"))
            #expect(failed.status.code == 500)
            #expect(failed.bodyText == #"{"type":"about:blank","status":500,"title":"Internal Server Error","reason":"internal"}"#)
            // Neither error costs the connection.
            #expect(fixture.server.openConnectionCount == 1)
        }
    }

    @Test func aBodyTheHandlerDidNotReadEndsTheConnection() async throws {
        try await withServer(testRouter()) { fixture in
            let response = try await fixture.client.execute(HTTPClientRequest(method: "POST", target: "/ignore-body", body: .bytes([UInt8](repeating: 7, count: 100_000))))
            #expect(response.status.code == 202)
            #expect(response.headers["Connection"] == "close")
            try await waitUntil("the server closed the connection", timeout: .seconds(10)) { fixture.server.openConnectionCount == 0 }
        }
    }

    @Test func anIdleKeepAliveConnectionIsClosed() async throws {
        try await withServer(testRouter(), limits: HTTPServerLimits(idleTimeout: .milliseconds(300))) { fixture in
            let response = try await fixture.client.execute(HTTPClientRequest(target: "/hello"))
            #expect(response.bodyText == "hello")
            try await waitUntil("the idle connection was closed", timeout: .seconds(10)) { fixture.server.openConnectionCount == 0 }
            // The client opens a new connection for the next request.
            let again = try await fixture.client.execute(HTTPClientRequest(target: "/hello"))
            #expect(again.bodyText == "hello")
        }
    }
}

extension HTTPResponseTests {
    @Test func theClientRefusesAResponseBodyOverItsLimit() async throws {
        try await withServer(testRouter()) { fixture in
            let limited = try HTTPClient(configuration: HTTPClientConfiguration(
                host: "127.0.0.1", port: fixture.port, tls: try ServerFixture.clientTLS(), maximumResponseBodySize: 1 << 20))
            try await using(limited, cleanup: { $0.shutdown() }) { client in
                await #expect(throws: HTTPError(.badGateway, reason: "response_too_large")) {
                    try await client.execute(HTTPClientRequest(target: "/large/2"))
                }
                let small = try await client.execute(HTTPClientRequest(target: "/large/1"))
                #expect(small.body.count == 1 << 20)
            }
        }
    }
}
