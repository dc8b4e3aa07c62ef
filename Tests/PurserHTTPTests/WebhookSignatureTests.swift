import Foundation
import PurserHTTP
import PurserTestSupport
import Testing

/// Signatures are checked by the Standard Webhooks reference library for
/// Python (`standardwebhooks` from PyPI), not by our own code.
@Suite struct WebhookSignatureTests {
    @Test func generatedSecretHas32RandomBytesAndRoundTrips() throws {
        let first = try WebhookSecret.generate()
        let second = try WebhookSecret.generate()
        #expect(first.key.count == 32)
        #expect(first != second)
        #expect(first.string.hasPrefix("whsec_"))
        #expect(try WebhookSecret(string: first.string) == first)
        #expect(!first.description.contains(first.string.dropFirst(6)))
    }

    @Test(arguments: [
        "", "whsec_", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_!!!!", "whsec_c2hvcnQ=", "wh_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "whsec_" + Data(repeating: 7, count: 65).base64EncodedString(),
    ])
    func malformedSecretIsRefused(text: String) {
        let error = #expect(throws: HTTPError.self) { try WebhookSecret(string: text) }
        #expect(error?.reason == "webhook_secret_invalid")
    }

    @Test func knownVectorFromTheSpecificationVerifies() throws {
        // The example of the Standard Webhooks specification.
        let secret = try WebhookSecret(string: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let body = Array(#"{"test": 2432232314}"#.utf8)
        let signature = WebhookSignature.sign(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1614265330, body: body, secrets: [secret])
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    @Test func signatureVerifiesWithTheStandardWebhooksLibrary() async throws {
        let secret = try WebhookSecret.generate()
        let body = Array(#"{"type":"payment.settled","data":{"amount_micros":1250000,"note":"café ☕"}}"#.utf8)
        let headers = WebhookSignature.headers(id: "evt_01", timestamp: Self.now, body: body, secrets: [secret])
        #expect(headers["content-type"] == "application/json")
        #expect(headers["user-agent"] == "Purser-Webhooks/1")
        #expect(headers["webhook-timestamp"] == String(Self.now))
        #expect(try await Self.verify(secret: secret, body: body, headers: headers) == "verified")
    }

    @Test func tamperedBodyFailsVerification() async throws {
        let secret = try WebhookSecret.generate()
        let body = Array(#"{"amount_micros":1250000}"#.utf8)
        let headers = WebhookSignature.headers(id: "evt_02", timestamp: Self.now, body: body, secrets: [secret])
        let tampered = Array(#"{"amount_micros":9250000}"#.utf8)
        #expect(try await Self.verify(secret: secret, body: tampered, headers: headers) == "refused")
        #expect(try await Self.verify(secret: secret, body: body, headers: headers) == "verified")
    }

    @Test func wrongSecretFailsVerification() async throws {
        let body = Array(#"{"amount_micros":1}"#.utf8)
        let headers = WebhookSignature.headers(id: "evt_03", timestamp: Self.now, body: body, secrets: [try WebhookSecret.generate()])
        #expect(try await Self.verify(secret: try WebhookSecret.generate(), body: body, headers: headers) == "refused")
    }

    @Test func multiSignatureHeaderVerifiesWithEitherSecret() async throws {
        let old = try WebhookSecret.generate()
        let new = try WebhookSecret.generate()
        let body = Array(#"{"rotating":true}"#.utf8)
        let headers = WebhookSignature.headers(id: "evt_04", timestamp: Self.now, body: body, secrets: [old, new])
        let signatures = try #require(headers["webhook-signature"]).split(separator: " ")
        #expect(signatures.count == 2)
        #expect(signatures.allSatisfy { $0.hasPrefix("v1,") })
        #expect(try await Self.verify(secret: old, body: body, headers: headers) == "verified")
        #expect(try await Self.verify(secret: new, body: body, headers: headers) == "verified")
        #expect(try await Self.verify(secret: try WebhookSecret.generate(), body: body, headers: headers) == "refused")
    }

    static var now: Int64 { Int64(Date().timeIntervalSince1970) }

    /// Runs `standardwebhooks.Webhook(secret).verify(body, headers)` in
    /// Python; "verified" or "refused" (a WebhookVerificationError). Anything
    /// else, such as the package missing, fails the test.
    static func verify(secret: WebhookSecret, body: [UInt8], headers: HTTPHeaders) async throws -> String {
        let script = """
            import base64, json, sys
            from standardwebhooks.webhooks import Webhook, WebhookVerificationError
            request = json.load(sys.stdin)
            try:
                Webhook(request["secret"]).verify(base64.b64decode(request["body"]), request["headers"])
                print("verified")
            except WebhookVerificationError:
                print("refused")
            """
        var fields: [String: String] = [:]
        for field in headers { fields[field.name] = field.value }
        let request: [String: Any] = ["secret": secret.string, "body": Data(body).base64EncodedString(), "headers": fields]
        let output = try await PythonProcess.run(["-c", script], input: Array(try JSONSerialization.data(withJSONObject: request)))
        try #require(output.status == 0, "python failed: \(output.stderr)")
        return output.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
