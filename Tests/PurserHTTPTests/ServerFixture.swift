import Foundation
import PurserHTTP
import PurserKit
import PurserRPC
import PurserTestSupport
import Synchronization

/// A running `HTTPServer` over real TLS (the test CA's `wallet` certificate,
/// valid for 127.0.0.1) and a client that trusts it.
struct ServerFixture {
    let server: HTTPServer
    let client: HTTPClient
    let port: Int

    static let logger = Logger(label: "http-test", level: .warning)

    static func serverTLS() throws -> TLSConfiguration {
        .server(certificatePath: try TestEnvironment.certificate("wallet"), privateKeyPath: try TestEnvironment.privateKey("wallet"))
    }

    static func clientTLS() throws -> TLSConfiguration {
        .client(trustRootsPath: try TestEnvironment.certificate("ca"))
    }

    /// The CA file curl trusts.
    static func caPath() throws -> String { try TestEnvironment.certificate("ca") }
}

/// Runs `body` against a started server with `router` and `limits`, then shuts both ends down, awaited.
func withServer<T>(
    _ router: HTTPRouter, limits: HTTPServerLimits = HTTPServerLimits(), allowTLS12: Bool = false,
    _ body: (ServerFixture) async throws -> T
) async throws -> T {
    let server = HTTPServer(
        configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0, tls: try ServerFixture.serverTLS(),
                                               allowTLS12: allowTLS12, eventLoops: 2, limits: limits),
        router: router, logger: ServerFixture.logger)
    let port = try server.start()
    let client = try HTTPClient(configuration: HTTPClientConfiguration(host: "127.0.0.1", port: port, tls: try ServerFixture.clientTLS()))
    return try await using(ServerFixture(server: server, client: client, port: port), cleanup: { fixture in
        fixture.client.shutdown()
        await fixture.server.shutdown()
    }, body)
}

/// The routes the server tests use.
func testRouter() -> HTTPRouter {
    var router = HTTPRouter()
    router.get("/hello") { request in
        HTTPResponse(headers: ["Content-Type": "text/plain", "X-Remote": request.remoteAddress], body: HTTPResponseBody(string: "hello"))
    }
    router.get("/items/{item}") { request in
        HTTPResponse(body: HTTPResponseBody(string: request.parameters["item"] ?? "?"))
    }
    router.get("/slow/{item}") { request in
        // A slow handler: the answers to later pipelined requests must still wait for it.
        try await Task.sleep(for: .milliseconds(100))
        return HTTPResponse(body: HTTPResponseBody(string: request.parameters["item"] ?? "?"))
    }
    router.post("/upload", maximumBodySize: 64 << 20) { request in
        var count = 0
        var sum: UInt64 = 0
        for try await piece in request.body {
            count += piece.count
            for byte in piece { sum = sum &+ UInt64(byte) }
        }
        return HTTPResponse(body: HTTPResponseBody(string: "\(count) \(sum)"))
    }
    router.post("/small", maximumBodySize: 16) { request in
        let body = try await request.body.collect(upTo: 16)
        return HTTPResponse(body: HTTPResponseBody(bytes: body))
    }
    router.get("/stream") { _ in
        HTTPResponse(body: HTTPResponseBody { writer in
            for index in 0..<5 { try await writer.write("part \(index);") }
        })
    }
    router.get("/large/{megabytes}") { request in
        // A streamed body far larger than the connection's output buffer: the producer must wait for the client.
        let megabytes = Int(request.parameters["megabytes"] ?? "") ?? 1
        return HTTPResponse(body: HTTPResponseBody(length: Int64(megabytes) << 20) { writer in
            for index in 0..<(megabytes * 16) { try await writer.write([UInt8](repeating: UInt8(truncatingIfNeeded: index), count: 64 << 10)) }
        })
    }
    router.post("/ignore-body") { _ in
        HTTPResponse(status: .accepted, body: HTTPResponseBody(string: "not read"))
    }
    router.get("/refuse") { _ in
        throw HTTPError(.forbidden, reason: "not_yours", detail: "a \"quoted\" detail")
    }
    router.get("/fail") { _ in
        struct Unexpected: Error {}
        throw Unexpected()
    }
    return router
}

/// Sum of the bytes, as `/upload` reports it.
func byteSum(_ bytes: [UInt8]) -> UInt64 { bytes.reduce(0) { $0 &+ UInt64($1) } }

/// Runs `curl` with `arguments`; fails loudly when curl is not installed.
func runCurl(_ arguments: [String]) async throws -> (status: Int32, output: String) {
    guard let curl = ["/usr/bin/curl", "/usr/local/bin/curl", "/bin/curl"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
        throw CurlMissing()
    }
    let finished = try await SpawnedProcess.run(curl, arguments, mergingErrors: true)
    return (finished.status, finished.output)
}

struct CurlMissing: Error, CustomStringConvertible {
    var description: String { "curl is required by this test and is not installed" }
}

/// Runs blocking `work` (a `RawPeer`'s reads and writes) on a thread of its
/// own, so it never occupies the Swift concurrency pool the server needs.
func onThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}
