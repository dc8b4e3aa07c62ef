import Foundation
import PurserHTTP
import PurserTestSupport
import Testing

/// The server against a client nobody here wrote: `curl --http1.1`.
@Suite struct CurlTests {
    private func url(_ fixture: ServerFixture, _ path: String) -> String { "https://127.0.0.1:\(fixture.port)\(path)" }

    /// A file of `count` pseudo-random bytes, removed after `body`.
    func withFile<T>(bytes count: Int, _ body: (String, [UInt8]) async throws -> T) async throws -> T {
        var generator = SeededGenerator(seed: UInt64(count))
        let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let path = NSTemporaryDirectory() + "purser-http-\(UUID().uuidString)"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return try await using(path, cleanup: { try FileManager.default.removeItem(atPath: $0) }) { path in try await body(path, bytes) }
    }

    @Test func curlReusesTheConnectionForSeveralRequests() async throws {
        try await withServer(testRouter()) { fixture in
            let result = try await runCurl(["--http1.1", "-sS", "-v", "--cacert", try ServerFixture.caPath(),
                                            url(fixture, "/hello"), url(fixture, "/items/x")])
            #expect(result.status == 0, "\(result.output)")
            #expect(result.output.contains("ALPN: server accepted http/1.1"), "\(result.output)")
            #expect(result.output.contains("SSL connection using TLSv1.3"), "\(result.output)")
            #expect(result.output.contains("Re-using existing connection"), "\(result.output)")
            // Bodies and curl's log interleave on one pipe: count the answers instead.
            #expect(result.output.components(separatedBy: "< HTTP/1.1 200 OK").count == 3, "\(result.output)")
            #expect(result.output.contains("< Content-Length: 5"), "\(result.output)")
            #expect(result.output.contains("< Content-Length: 1"), "\(result.output)")
        }
    }

    @Test func curlUploadsAChunkedBody() async throws {
        try await withServer(testRouter()) { fixture in
            try await withFile(bytes: 300_000) { path, bytes in
                let result = try await runCurl(["--http1.1", "-sS", "-v", "--cacert", try ServerFixture.caPath(),
                                                "-H", "Transfer-Encoding: chunked", "--data-binary", "@\(path)", url(fixture, "/upload")])
                #expect(result.status == 0, "\(result.output)")
                #expect(result.output.contains("Transfer-Encoding: chunked"), "\(result.output)")
                #expect(result.output.contains("\(bytes.count) \(byteSum(bytes))"), "\(result.output)")
            }
        }
    }

    @Test func curlGets100ContinueBeforeSendingTheBody() async throws {
        try await withServer(testRouter()) { fixture in
            try await withFile(bytes: 50_000) { path, bytes in
                // A long expect timeout: curl sends the body only after the server's 100 Continue.
                let result = try await runCurl(["--http1.1", "-sS", "-v", "--cacert", try ServerFixture.caPath(), "--expect100-timeout", "60",
                                                "-H", "Expect: 100-continue", "--data-binary", "@\(path)", url(fixture, "/upload")])
                #expect(result.status == 0, "\(result.output)")
                #expect(result.output.contains("< HTTP/1.1 100 Continue"), "\(result.output)")
                #expect(result.output.contains("\(bytes.count) \(byteSum(bytes))"), "\(result.output)")
            }
        }
    }

    @Test func tls12IsRefusedUnlessAllowed() async throws {
        try await withServer(testRouter()) { fixture in
            let refused = try await runCurl(["--http1.1", "-sS", "--cacert", try ServerFixture.caPath(), "--tls-max", "1.2", url(fixture, "/hello")])
            #expect(refused.status == 35, "\(refused.output)")
        }
        try await withServer(testRouter(), allowTLS12: true) { fixture in
            let allowed = try await runCurl(["--http1.1", "-sS", "-v", "--cacert", try ServerFixture.caPath(), "--tls-max", "1.2", url(fixture, "/hello")])
            #expect(allowed.status == 0, "\(allowed.output)")
            #expect(allowed.output.contains("SSL connection using TLSv1.2"), "\(allowed.output)")
        }
    }
}

extension CurlTests {
    @Test func curlGetsNo100ContinueWhenTheBodyIsRefused() async throws {
        try await withServer(testRouter()) { fixture in
            try await withFile(bytes: 5_000) { path, _ in
                let result = try await runCurl(["--http1.1", "-sS", "-v", "--cacert", try ServerFixture.caPath(), "--expect100-timeout", "60",
                                                "-H", "Expect: 100-continue", "--data-binary", "@\(path)", "https://127.0.0.1:\(fixture.port)/small"])
                #expect(result.status == 0, "\(result.output)")
                #expect(!result.output.contains("100 Continue"), "\(result.output)")
                #expect(result.output.contains("< HTTP/1.1 413 Content Too Large"), "\(result.output)")
                #expect(result.output.contains(#""reason":"content_too_large""#), "\(result.output)")
            }
        }
    }
}
