import PurserHTTP
import PurserTestSupport
import Synchronization
import Testing

@Suite struct HTTPServerShutdownTests {
    /// Holds a handler until the test releases it, and tells when one is waiting.
    final class Gate: Sendable {
        let started = Atomic<Bool>(false)
        let released = Atomic<Bool>(false)
    }

    @Test func shutdownClosesIdleConnectionsAndLetsARequestInProgressFinish() async throws {
        let gate = Gate()
        var router = testRouter()
        router.get("/gate") { _ in
            gate.started.store(true, ordering: .releasing)
            while !gate.released.load(ordering: .acquiring) { try await Task.sleep(for: .milliseconds(5)) }
            return HTTPResponse(body: HTTPResponseBody(string: "finished"))
        }
        try await withServer(router) { fixture in
            let idle = try fixture.client.rawConnection()
            let first = try await idle.exchange([UInt8]("GET /hello HTTP/1.1\r\nHost: h\r\n\r\n"), methods: ["GET"], timeout: .seconds(10))
            #expect(first.first?.bodyText == "hello")
            let inProgress = Task { try await fixture.client.execute(HTTPClientRequest(target: "/gate")) }
            try await waitUntil("the gated handler started", timeout: .seconds(10)) { gate.started.load(ordering: .acquiring) }
            let shutdown = Task { await fixture.server.shutdown(gracePeriod: .seconds(30)) }
            // The idle connection is closed at once; the one with a request in progress stays.
            #expect(await idle.closed() == nil)
            try await waitUntil("only the busy connection is left", timeout: .seconds(10)) { fixture.server.openConnectionCount == 1 }
            gate.released.store(true, ordering: .releasing)
            let response = try await inProgress.value
            #expect(response.bodyText == "finished")
            #expect(response.headers["Connection"] == "close")
            await shutdown.value
            #expect(fixture.server.openConnectionCount == 0)
        }
    }
}
