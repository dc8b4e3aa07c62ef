import CLinux
import Glibc
import PurserHTTP
import PurserKit
import PurserRPC
import PurserTestSupport
import Synchronization
import Testing

/// `WebhookSender` against real local receivers: our `HTTPServer` over TLS
/// with the test CA's certificate (valid for `localhost` and 127.0.0.1), and
/// bare listening sockets that never answer.
@Suite struct WebhookSenderTests {
    @Test func successfulDeliveryReportsStatusLatencyAndExcerpt() async throws {
        try await withReceiver { receiver in
            let sender = try Self.sender(allowPrivate: true)
            defer { sender.shutdown() }
            let secret = try WebhookSecret.generate()
            let body = Array(#"{"type":"payment.settled","amount_micros":1250000}"#.utf8)
            let timestamp = WebhookSignatureTests.now
            let headers = WebhookSignature.headers(id: "evt_ok", timestamp: timestamp, body: body, secrets: [secret])
            let url = try WebhookURL(string: "https://localhost:\(receiver.port)/ok?tenant=t1")
            let result = await sender.send(url: url, headers: headers, body: body)
            #expect(result.succeeded)
            #expect(result.statusCode == 200)
            #expect(result.error == nil)
            #expect(result.latency > .zero)
            #expect(result.responseExcerpt == "received \(body.count) bytes")
            let seen = try #require(receiver.requests.first { $0.target == "/ok?tenant=t1" })
            #expect(seen.body == body)
            #expect(seen.headers["Host"] == "localhost:\(receiver.port)")
            #expect(seen.headers["webhook-id"] == "evt_ok")
            #expect(seen.headers["webhook-timestamp"] == String(timestamp))
            #expect(seen.headers["webhook-signature"] == headers["webhook-signature"])
            #expect(seen.headers["content-type"] == "application/json")
            #expect(seen.headers["user-agent"] == "Purser-Webhooks/1")
            // What arrived verifies with the Standard Webhooks library, as a receiver would check it.
            #expect(try await WebhookSignatureTests.verify(secret: secret, body: seen.body, headers: seen.headers) == "verified")
        }
    }

    @Test func serverErrorIsAFailureWithItsStatus() async throws {
        try await withReceiver { receiver in
            let sender = try Self.sender(allowPrivate: true)
            defer { sender.shutdown() }
            let result = await sender.send(url: try WebhookURL(string: "https://127.0.0.1:\(receiver.port)/fail"), headers: [:], body: [])
            #expect(!result.succeeded)
            #expect(result.statusCode == 500)
            #expect(result.error == "http_status")
            #expect(result.responseExcerpt == "boom")
        }
    }

    @Test func redirectIsRefusedAndItsLocationNeverRequested() async throws {
        try await withReceiver { receiver in
            let sender = try Self.sender(allowPrivate: true)
            defer { sender.shutdown() }
            let result = await sender.send(url: try WebhookURL(string: "https://127.0.0.1:\(receiver.port)/redirect"), headers: [:], body: [1])
            #expect(!result.succeeded)
            #expect(result.statusCode == 302)
            #expect(result.error == "redirect_refused")
            #expect(receiver.requests.map(\.target) == ["/redirect"])
        }
    }

    @Test func oversizedResponseFails() async throws {
        try await withReceiver { receiver in
            let sender = try Self.sender(allowPrivate: true)
            defer { sender.shutdown() }
            let result = await sender.send(url: try WebhookURL(string: "https://127.0.0.1:\(receiver.port)/large"), headers: [:], body: [])
            #expect(!result.succeeded)
            #expect(result.error == "response_too_large")
            #expect(result.statusCode == nil)
        }
    }

    @Test func silentServerTimesOutWithinTheBound() async throws {
        let listener = try SilentListener()
        defer { listener.close() }
        let sender = try Self.sender(allowPrivate: true, timeout: .seconds(1))
        defer { sender.shutdown() }
        let result = await sender.send(url: try WebhookURL(string: "https://127.0.0.1:\(listener.port)/"), headers: [:], body: [])
        #expect(result.error == "timeout")
        #expect(result.statusCode == nil)
        // Not sooner than the deadline; that it fired at all is the "timeout" above (the peer never answers).
        #expect(result.latency >= .seconds(1))
    }

    @Test func receiverThatNeverAnswersTheRequestTimesOut() async throws {
        try await withReceiver { receiver in
            let sender = try Self.sender(allowPrivate: true, timeout: .milliseconds(500))
            defer { sender.shutdown() }
            let result = await sender.send(url: try WebhookURL(string: "https://127.0.0.1:\(receiver.port)/hang"), headers: [:], body: [])
            #expect(result.error == "timeout")
            #expect(result.statusCode == nil)
            #expect(result.latency >= .milliseconds(500))
            #expect(receiver.requests.map(\.target) == ["/hang"])
        }
    }

    @Test func callerHostFieldIsReplacedByTheURLHost() async throws {
        try await withReceiver { receiver in
            let sender = try Self.sender(allowPrivate: true)
            defer { sender.shutdown() }
            let url = try WebhookURL(string: "https://localhost:\(receiver.port)/ok")
            let result = await sender.send(url: url, headers: ["Host": "internal.example"], body: [])
            #expect(result.succeeded)
            #expect(receiver.requests.first?.headers.values(for: "Host") == ["localhost:\(receiver.port)"])
        }
    }

    @Test func plainHTTPToLoopbackIsAllowedWithAllowPrivate() async throws {
        try await withReceiver(tls: false) { receiver in
            let sender = try Self.sender(allowPrivate: true)
            defer { sender.shutdown() }
            let result = await sender.send(url: try WebhookURL(string: "http://127.0.0.1:\(receiver.port)/ok"), headers: [:], body: [7])
            #expect(result.succeeded)
            #expect(result.responseExcerpt == "received 1 bytes")
        }
    }

    @Test func nameResolvingToLoopbackIsRefusedWithoutConnecting() async throws {
        let listener = try SilentListener()
        defer { listener.close() }
        let sender = try Self.sender(allowPrivate: false)
        defer { sender.shutdown() }
        let result = await sender.send(url: try WebhookURL(string: "https://localhost:\(listener.port)/"), headers: [:], body: [])
        #expect(result.error == "address_not_allowed")
        #expect(result.detail.contains("loopback"))
        #expect(result.statusCode == nil)
        #expect(!listener.hasPendingConnection())
        // The same listener does see a connection when one is allowed, so the check above can fail.
        // Accepting it and closing it ends that attempt's TLS handshake.
        let allowed = try Self.sender(allowPrivate: true, timeout: .seconds(20))
        defer { allowed.shutdown() }
        let url = try WebhookURL(string: "https://localhost:\(listener.port)/")
        async let attempt = allowed.send(url: url, headers: [:], body: [])
        try await waitUntil("the allowed sender connects", timeout: .seconds(15)) { listener.hasPendingConnection() }
        #expect(await attempt.error == "tls_failed")
    }

    @Test func literalLoopbackAddressIsRefusedWithoutConnecting() async throws {
        let listener = try SilentListener()
        defer { listener.close() }
        let sender = try Self.sender(allowPrivate: false)
        defer { sender.shutdown() }
        for text in ["https://127.0.0.1:\(listener.port)/", "https://[::ffff:127.0.0.1]:\(listener.port)/"] {
            let result = await sender.send(url: try WebhookURL(string: text), headers: [:], body: [])
            #expect(result.error == "address_not_allowed", "\(text)")
        }
        #expect(!listener.hasPendingConnection())
    }

    @Test func loopbackIsAllowedWithAllowPrivate() async throws {
        try await withReceiver { receiver in
            let sender = try Self.sender(allowPrivate: true)
            defer { sender.shutdown() }
            let result = await sender.send(url: try WebhookURL(string: "https://127.0.0.1:\(receiver.port)/ok"), headers: [:], body: [1, 2, 3])
            #expect(result.succeeded)
            #expect(result.statusCode == 200)
        }
    }

    @Test func certificateNotNamingTheHostFailsTLS() async throws {
        // The certificate names localhost and 127.0.0.1, not ::1.
        try await withReceiver(host: "::1") { receiver in
            let sender = try Self.sender(allowPrivate: true)
            defer { sender.shutdown() }
            let result = await sender.send(url: try WebhookURL(string: "https://[::1]:\(receiver.port)/ok"), headers: [:], body: [])
            #expect(result.error == "tls_failed")
            #expect(result.statusCode == nil)
            #expect(receiver.requests.isEmpty)
        }
    }

    @Test func untrustedCertificateFailsTLS() async throws {
        try await withReceiver { receiver in
            let sender = try WebhookSender(configuration: WebhookSenderConfiguration(allowPrivate: true))
            defer { sender.shutdown() }
            let result = await sender.send(url: try WebhookURL(string: "https://localhost:\(receiver.port)/ok"), headers: [:], body: [])
            #expect(result.error == "tls_failed")
            #expect(receiver.requests.isEmpty)
        }
    }

    @Test func closedPortFailsToConnect() async throws {
        let listener = try SilentListener()
        let port = listener.port
        listener.close()
        let sender = try Self.sender(allowPrivate: true)
        defer { sender.shutdown() }
        let result = await sender.send(url: try WebhookURL(string: "https://127.0.0.1:\(port)/"), headers: [:], body: [])
        #expect(result.error == "connect_failed")
    }

    @Test func unresolvableNameFailsDNS() async throws {
        let sender = try Self.sender(allowPrivate: false)
        defer { sender.shutdown() }
        let result = await sender.send(url: try WebhookURL(string: "https://no-such-host.invalid/"), headers: [:], body: [])
        #expect(result.error == "dns_failed")
    }

    @Test func plainHTTPToAPublicNameIsRefused() async throws {
        let sender = try Self.sender(allowPrivate: true)
        defer { sender.shutdown() }
        let result = await sender.send(url: try WebhookURL(string: "http://example.com/"), headers: [:], body: [])
        #expect(result.error == "url_scheme")
    }

    @Test func concurrentDeliveriesAllArrive() async throws {
        try await withReceiver { receiver in
            let sender = try Self.sender(allowPrivate: true)
            defer { sender.shutdown() }
            let url = try WebhookURL(string: "https://localhost:\(receiver.port)/ok")
            let results = await withTaskGroup(of: WebhookAttemptResult.self) { group in
                for index in 0..<24 {
                    group.addTask { await sender.send(url: url, headers: ["webhook-id": "evt_\(index)"], body: Array("\(index)".utf8)) }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.count == 24)
            #expect(results.allSatisfy { $0.succeeded })
            #expect(Set(receiver.requests.compactMap { $0.headers["webhook-id"] }) == Set((0..<24).map { "evt_\($0)" }))
        }
    }

    static func sender(allowPrivate: Bool, timeout: Duration = .seconds(5)) throws -> WebhookSender {
        try WebhookSender(configuration: WebhookSenderConfiguration(
            allowPrivate: allowPrivate, timeout: timeout, trustRootsPath: try TestEnvironment.certificate("ca")))
    }
}

/// What a test receiver saw.
struct ReceivedRequest: Sendable {
    let target: String
    let headers: HTTPHeaders
    let body: [UInt8]
}

/// A running webhook receiver and the requests it got.
struct Receiver: Sendable {
    let port: Int
    let log: RequestLog

    var requests: [ReceivedRequest] { log.all }
}

/// The requests a receiver got, in arrival order.
final class RequestLog: Sendable {
    private let entries = Mutex<[ReceivedRequest]>([])

    /// Reads `request`'s body and records the request; returns the body.
    func record(_ request: HTTPRequest) async throws -> [UInt8] {
        let bytes = try await request.body.collect(upTo: 1 << 20)
        entries.withLock { $0.append(ReceivedRequest(target: request.target, headers: request.headers, body: bytes)) }
        return bytes
    }

    var all: [ReceivedRequest] { entries.withLock { $0 } }
}

/// Runs `body` against an `HTTPServer` on `host` over TLS with routes
/// `/ok` (200), `/fail` (500), `/redirect` (302 to `/landed`), `/landed`,
/// `/hang` (answers after 30 s) and `/large` (a 100 KiB answer); every
/// request is recorded. Plain HTTP on loopback when `tls` is false.
func withReceiver<T>(host: String = "127.0.0.1", tls: Bool = true, _ body: (Receiver) async throws -> T) async throws -> T {
    let log = RequestLog()
    var router = HTTPRouter()
    router.post("/ok") { request in
        let bytes = try await log.record(request)
        return HTTPResponse(body: HTTPResponseBody(string: "received \(bytes.count) bytes"))
    }
    router.post("/fail") { request in
        _ = try await log.record(request)
        return HTTPResponse(status: .internalServerError, body: HTTPResponseBody(string: "boom"))
    }
    router.post("/redirect") { request in
        _ = try await log.record(request)
        return HTTPResponse(status: HTTPStatus(code: 302), headers: ["Location": "/landed"])
    }
    for method in ["GET", "POST"] {
        router.add(method, "/landed") { request in
            _ = try await log.record(request)
            return HTTPResponse()
        }
    }
    router.post("/hang") { request in
        _ = try await log.record(request)
        try await Task.sleep(for: .seconds(30))
        return HTTPResponse()
    }
    router.post("/large") { request in
        _ = try await log.record(request)
        return HTTPResponse(body: HTTPResponseBody(bytes: [UInt8](repeating: 0x61, count: 100 << 10)))
    }
    let server = HTTPServer(
        configuration: HTTPServerConfiguration(host: host, port: 0, tls: tls ? try ServerFixture.serverTLS() : nil,
                                               allowPlaintextOnLoopback: !tls, eventLoops: 1),
        router: router, logger: ServerFixture.logger)
    let port = try server.start()
    return try await using(Receiver(port: port, log: log), cleanup: { _ in await server.shutdown() }, body)
}

/// A listening socket on 127.0.0.1 that never accepts: the kernel completes
/// TCP handshakes into its backlog, and nothing is ever answered.
final class SilentListener: Sendable {
    let fd: Int32
    let port: Int

    init() throws {
        var bound: Int32 = 0
        let fd = purser_tcp_listen("127.0.0.1", 0, 16, 0, &bound)
        try #require(fd >= 0, "listen failed: \(fd)")
        self.fd = fd
        self.port = Int(bound)
    }

    /// Whether a client has connected (a connection waits in the backlog);
    /// that connection is accepted and closed.
    func hasPendingConnection() -> Bool {
        var address = [CChar](repeating: 0, count: 64)
        let accepted = purser_tcp_accept(fd, &address, Int32(address.count))
        guard accepted >= 0 else { return false }
        Glibc.close(accepted)
        return true
    }

    func close() { Glibc.close(fd) }
}
