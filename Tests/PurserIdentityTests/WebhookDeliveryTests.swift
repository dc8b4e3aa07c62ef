import Foundation
import PurserAPI
import PurserHTTP
import PurserIdentity
import PurserKit
import PurserRPC
import PurserTestSupport
import Synchronization
import Testing

extension IdentityIntegrationTests {
    /// Identity's deliverer against receivers on loopback (our own HTTP server):
    /// signatures, the end of the retry period, the endpoint it disables, the
    /// event that tells the tenant, and redelivery.
    @Suite("Identity webhook deliveries: retry period, disabling, redelivery")
    struct WebhookDeliveryTests {
        /// Retries every 50–100 ms for one second, then the delivery fails.
        static let settings = WebhookSettings(
            allowPrivate: true, timeout: .seconds(2), retry: RetrySchedule(initial: .milliseconds(50), maximum: .milliseconds(100)),
            retryPeriod: .seconds(1), pollInterval: .milliseconds(50))

        @Test func aDeliveryFailingForItsWholeRetryPeriodFailsAndDisablesItsEndpointWhichTheTenantIsTold() async throws {
            let good = try Receiver.start(status: .noContent)
            let bad = try Receiver.start(status: .internalServerError)
            defer {
                Task {
                    await good.stop()
                    await bad.stop()
                }
            }
            try await withIdentity("webhook_disable", webhooks: Self.settings) { identity in
                let op = try await identity.operatorToken()
                let acme = try await identity.makeTenant("acme", operatorToken: op)
                let failing = try await identity.call(
                    IdentityMethods.createWebhookEndpoint, CreateWebhookEndpointRequest(url: bad.url), token: acme.adminToken)
                let healthy = try await identity.call(
                    IdentityMethods.createWebhookEndpoint, CreateWebhookEndpointRequest(url: good.url), token: acme.adminToken)
                let agent = try await identity.makeAgent("looper", in: acme)
                _ = try await identity.call(
                    IdentityMethods.suspendAgent, GetAgentRequest(tenantID: acme.tenant.id, agentID: agent.agent.id), token: acme.adminToken)

                // The healthy endpoint gets the suspension, then the news that the other endpoint was disabled.
                let received = try await good.waitFor(2, timeout: .seconds(20))
                #expect(received.map(\.type) == ["agent.suspended", "webhook.endpoint_disabled"])
                let disabled = try #require(received.last)
                #expect(disabled.data["endpoint_id"] as? String == failing.endpoint.id)
                #expect(disabled.data["reason"] as? String == "delivery_failing")
                for delivery in received {
                    let signature = WebhookSignature.sign(
                        id: delivery.id, timestamp: delivery.timestamp, body: delivery.body,
                        secrets: [try WebhookSecret(string: healthy.secret)])
                    #expect(delivery.signature == signature, "signed with the endpoint's secret")
                }

                let listed = try await identity.call(IdentityMethods.listWebhookEndpoints, ListWebhookEndpointsRequest(), token: acme.adminToken)
                let endpoint = try #require(listed.endpoints.first { $0.id == failing.endpoint.id })
                #expect(endpoint.status == .disabled && endpoint.disabledReason == "delivery_failing")
                var query = ListWebhookDeliveriesRequest()
                query.endpointID = failing.endpoint.id
                let log = try await identity.call(IdentityMethods.listWebhookDeliveries, query, token: acme.adminToken).deliveries
                #expect(log.count == 1)
                let failed = try #require(log.first)
                #expect(failed.status == .failed)
                #expect(Int(failed.attemptCount) == bad.count, "every attempt is in the log")
                #expect(bad.count >= 3, "retried through the period: \(bad.count) attempts")
                #expect(failed.attempts.allSatisfy { $0.httpStatus == 500 && $0.error == "http_status" })

                // Redelivered and enabled again, it has a whole retry period of its own.
                let before = bad.count
                _ = try await identity.call(
                    IdentityMethods.redeliverWebhook, RedeliverWebhookRequest(tenantID: "", deliveryID: failed.id), token: acme.adminToken)
                var enable = UpdateWebhookEndpointRequest()
                enable.endpointID = failing.endpoint.id
                enable.enabled = true
                _ = try await identity.call(IdentityMethods.updateWebhookEndpoint, enable, token: acme.adminToken)
                let clock = ContinuousClock()
                let deadline = clock.now + .seconds(20)
                while bad.count < before + 2, clock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
                #expect(bad.count >= before + 2, "a redelivered delivery is retried again, not failed after one attempt")
                #expect(Set(bad.ids()).count == 1, "every attempt carries the event's id")
            }
        }
    }

    /// After a rotation a delivery carries one signature per secret still
    /// signing, so a receiver holding either verifies it.
    @Suite("Identity webhook deliveries: rotation")
    struct WebhookRotationTests {
        @Test func afterARotationEachDeliveryIsSignedWithTheNewAndThePreviousSecret() async throws {
            let good = try Receiver.start(status: .noContent)
            defer { Task { await good.stop() } }
            try await withIdentity("webhook_rotation", webhooks: WebhookDeliveryTests.settings) { identity in
                let op = try await identity.operatorToken()
                let acme = try await identity.makeTenant("acme", operatorToken: op)
                let created = try await identity.call(
                    IdentityMethods.createWebhookEndpoint, CreateWebhookEndpointRequest(url: good.url), token: acme.adminToken)
                let rotated = try await identity.call(
                    IdentityMethods.rotateWebhookSecret, RotateWebhookSecretRequest(endpointID: created.endpoint.id), token: acme.adminToken)
                let agent = try await identity.makeAgent("rotating", in: acme)
                _ = try await identity.call(
                    IdentityMethods.suspendAgent, GetAgentRequest(tenantID: acme.tenant.id, agentID: agent.agent.id), token: acme.adminToken)
                let delivery = try #require(try await good.waitFor(1, timeout: .seconds(20)).first)
                let parts = delivery.signature.split(separator: " ").map(String.init)
                #expect(parts.count == 2, "\(delivery.signature)")
                for secret in [created.secret, rotated.secret] {
                    let own = WebhookSignature.sign(
                        id: delivery.id, timestamp: delivery.timestamp, body: delivery.body, secrets: [try WebhookSecret(string: secret)])
                    #expect(parts.contains(own), "a receiver holding \(secret.prefix(10))… verifies it")
                }
            }
        }
    }

    /// A plain-HTTP receiver on loopback answering every POST with one status and recording it.
    final class Receiver: Sendable {
        struct Delivery: @unchecked Sendable {
            let id: String
            let timestamp: Int64
            let signature: String
            let body: [UInt8]
            let type: String
            let data: [String: Any]
        }

        let url: String
        private let server: HTTPServer
        private let box: SeenBox

        private init(server: HTTPServer, url: String, box: SeenBox) {
            self.server = server
            self.url = url
            self.box = box
        }

        static func start(status: HTTPStatus) throws -> Receiver {
            let box = SeenBox()
            var router = HTTPRouter()
            router.post("/hook") { request in
                let body = try await request.body.collect(upTo: 64 * 1024)
                let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
                box.append(Delivery(
                    id: request.head.headers["webhook-id"] ?? "", timestamp: Int64(request.head.headers["webhook-timestamp"] ?? "") ?? 0,
                    signature: request.head.headers["webhook-signature"] ?? "", body: body, type: object["type"] as? String ?? "",
                    data: object["data"] as? [String: Any] ?? [:]))
                return HTTPResponse(status: status)
            }
            let server = HTTPServer(
                configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0, tls: nil, allowPlaintextOnLoopback: true, eventLoops: 1),
                router: router, logger: Logger(label: "receiver", level: .error))
            let port = try server.start()
            return Receiver(server: server, url: "http://127.0.0.1:\(port)/hook", box: box)
        }

        var count: Int { box.seen.withLock { $0.count } }
        func ids() -> [String] { box.seen.withLock { $0.map(\.id) } }

        func waitFor(_ count: Int, timeout: Duration) async throws -> [Delivery] {
            let clock = ContinuousClock()
            let deadline = clock.now + timeout
            while clock.now < deadline {
                let deliveries = box.seen.withLock { $0 }
                if deliveries.count >= count { return deliveries }
                try await Task.sleep(for: .milliseconds(20))
            }
            return box.seen.withLock { $0 }
        }

        func stop() async {
            await server.shutdown(gracePeriod: .seconds(1))
        }
    }

    /// The deliveries a receiver's route appends to, shared with the receiver.
    final class SeenBox: Sendable {
        let seen = Mutex<[Receiver.Delivery]>([])
        func append(_ delivery: Receiver.Delivery) { seen.withLock { $0.append(delivery) } }
    }
}
