import Foundation
import PurserAPI
import PurserJSON
import PurserKit
import PurserRPC
import PurserServiceHarness
import PurserTestSupport
import Testing
@testable import PurserGateway

/// The gateway's handler in front of a real Identity, Policy and Wallet (in
/// process, over TLS, each with its own database): JSON in, `purser/1` to the
/// services, JSON or problem documents out.
@Suite struct GatewayHandlerTests {
    static func withGateway(_ label: String, _ body: (GatewayHandler, WalletHarness, WalletHarness.World) async throws -> Void) async throws {
        try await withWallet(label) { harness in
            let operatorToken = try await harness.operatorToken()
            let world = try await harness.world(label.replacingOccurrences(of: "_", with: "-"), operatorToken: operatorToken)
            let tls = TLSConfiguration.client(trustRootsPath: try TestEnvironment.certificate("ca"))
            let upstream = try RPCUpstream(
                endpoints: [
                    "identity": Endpoint(host: "127.0.0.1", port: harness.identityPort),
                    "wallet": Endpoint(host: "127.0.0.1", port: harness.walletPort),
                    "policy": Endpoint(host: "127.0.0.1", port: harness.policy.port),
                ],
                tls: tls, logger: harness.logger)
            try await using(upstream, cleanup: { $0.close() }) { upstream in
                let handler = GatewayHandler(mapping: JSONMapping(schema: try DescriptorSetFixture.schema.get()), upstream: upstream)
                try await body(handler, harness, world)
            }
        }
    }

    static func call(
        _ handler: GatewayHandler, _ verb: String, _ target: String, token: String? = nil, body: String? = nil,
        headers: [(name: String, value: String)] = []
    ) async throws -> (status: Int, json: JSONObject, response: GatewayResponse) {
        var all = headers
        if let token { all.append(("Authorization", "Bearer \(token)")) }
        if body != nil { all.append(("Content-Type", "application/json")) }
        let response = await handler.handle(GatewayRequest(verb: verb, target: target, headers: all, body: Array((body ?? "").utf8)))
        guard case .object(let object) = try JSONParser().parse(response.body) else {
            throw DescriptorSetFixture.FixtureError("not a JSON object: \(String(decoding: response.body, as: UTF8.self))")
        }
        return (response.status, object, response)
    }

    @Test(.timeLimit(.minutes(3))) func anAgentAuthorizesAndAProviderCapturesOverJSON() async throws {
        try await Self.withGateway("gw_story") { handler, harness, world in
            try await harness.fund(world, agentMicros: 10_000_000)
            let balance = try await Self.call(handler, "GET", "/v1/agents/\(world.agentID)/balance", token: world.agentToken)
            #expect(balance.status == 200)
            #expect(balance.json["available"] == .string("10"))
            #expect(balance.json["currency"] == .string("USD"))

            let body = #"{"amount":"0.003","providerId":"\#(world.providerID)","description":"one search"}"#
            let key = [(name: "Idempotency-Key", value: "story-1"), (name: "X-Request-Id", value: "req-42")]
            let hold = try await Self.call(handler, "POST", "/v1/wallet/authorize", token: world.agentToken, body: body, headers: key)
            #expect(hold.status == 200, "\(hold.json)")
            #expect(hold.json["amount"] == .string("0.003"))
            #expect(hold.json["availableAfter"] == .string("9.997"))
            #expect(hold.response.header("x-request-id") == "req-42")
            guard case .string(let holdID)? = hold.json["holdId"] else { Issue.record("no hold id"); return }

            let replay = try await Self.call(handler, "POST", "/v1/wallet/authorize", token: world.agentToken, body: body, headers: key)
            #expect(replay.status == 200)
            #expect(replay.json["holdId"] == .string(holdID), "a replay answers the first hold")
            let conflict = try await Self.call(
                handler, "POST", "/v1/wallet/authorize", token: world.agentToken,
                body: #"{"amount":"0.004","providerId":"\#(world.providerID)"}"#, headers: key)
            #expect(conflict.json["reason"] == .string("idempotency_conflict"))
            #expect(conflict.response.header("content-type") == "application/problem+json")

            let capture = try await Self.call(
                handler, "POST", "/v1/wallet/capture", token: world.providerToken,
                body: #"{"tenantId":"\#(world.tenantID)","holdId":"\#(holdID)","amount":"0.002"}"#,
                headers: [("Idempotency-Key", "capture-1")])
            #expect(capture.status == 200, "\(capture.json)")
            #expect(capture.json["captured"] == .string("0.002"))
            #expect(capture.json["released"] == .string("0.001"))

            let after = try await Self.call(handler, "GET", "/v1/agents/\(world.agentID)/balance", token: world.agentToken)
            #expect(after.json["available"] == .string("9.998"))
            #expect(after.json["held"] == .string("0"))
        }
    }

    @Test(.timeLimit(.minutes(3))) func refusalsAreProblemDocumentsWithTheServicesReasons() async throws {
        try await Self.withGateway("gw_refusals") { handler, harness, world in
            try await harness.fund(world, agentMicros: 1_000)
            let poor = try await Self.call(
                handler, "POST", "/v1/wallet/authorize", token: world.agentToken,
                body: #"{"amount":"0.002","providerId":"\#(world.providerID)"}"#, headers: [("Idempotency-Key", "poor-1")])
            #expect(poor.status == 400)
            #expect(poor.json["reason"] == .string("insufficient_funds"))
            #expect(poor.json["available"] == .string("0.001"))
            #expect(poor.json["status"] == .number("400"))

            let keyless = try await Self.call(
                handler, "POST", "/v1/wallet/authorize", token: world.agentToken,
                body: #"{"amount":"0.0001","providerId":"\#(world.providerID)"}"#)
            #expect(keyless.status == 400)
            #expect(keyless.json["reason"] == .string("idempotency_key_required"))

            let anonymous = try await Self.call(handler, "GET", "/v1/agents/\(world.agentID)/balance")
            #expect(anonymous.status == 401)
            #expect(anonymous.json["reason"] == .string("token_missing"))

            let other = try await harness.world("gw-other", operatorToken: world.operatorToken, provider: (world.providerID, world.providerToken))
            let foreign = try await Self.call(handler, "GET", "/v1/agents/\(world.agentID)/balance?tenantId=\(world.tenantID)",
                                              token: other.adminToken)
            #expect(foreign.status == 404, "another tenant's agent looks like no agent: \(foreign.json)")
            #expect(foreign.json["reason"] == .string("not_found"))

            let badAmount = try await Self.call(
                handler, "POST", "/v1/wallet/authorize", token: world.agentToken, body: #"{"amount":0.002,"providerId":"x"}"#)
            #expect(badAmount.status == 400)
            #expect(badAmount.json["reason"] == .string("amount_not_string"))
            #expect(badAmount.json["field"] == .string("amount"))

            let route = try await Self.call(handler, "GET", "/v1/nowhere")
            #expect(route.status == 404)
            #expect(route.json["reason"] == .string("route_not_found"))
            let verb = try await Self.call(handler, "DELETE", "/v1/wallet/authorize")
            #expect(verb.status == 405)
            #expect(verb.response.header("allow") == "POST")

            let untyped = await handler.handle(GatewayRequest(
                verb: "POST", target: "/v1/wallet/authorize", headers: [("Authorization", "Bearer \(world.agentToken)")],
                body: Array("{}".utf8)))
            #expect(untyped.status == 415)
        }
    }

    /// The document bounds `Idempotency-Key` to 1…200 bytes on every mutating
    /// route; a key outside that is refused before any service acts, also on
    /// services that do not read the key.
    @Test(.timeLimit(.minutes(3))) func anIdempotencyKeyOutsideItsBoundsIsRefusedOnEveryRoute() async throws {
        try await Self.withGateway("gw_keys") { handler, harness, world in
            let agents = "/v1/tenants/\(world.tenantID)/agents"
            for key in [String(repeating: "k", count: Metadata.idempotencyKeyMaximumLength + 1), ""] {
                let refused = try await Self.call(
                    handler, "POST", agents, token: world.adminToken, body: #"{"handle":"keyed-\#(key.count)"}"#,
                    headers: [("Idempotency-Key", key)])
                #expect(refused.status == 400, "\(refused.json)")
                #expect(refused.json["reason"] == .string("idempotency_key_invalid"))
            }
            let listed = try await Self.call(handler, "GET", agents, token: world.adminToken)
            #expect(listed.status == 200)
            #expect(!String(decoding: listed.response.body, as: UTF8.self).contains("keyed-"), "a refused call creates nothing")

            let longest = String(repeating: "k", count: Metadata.idempotencyKeyMaximumLength)
            let accepted = try await Self.call(
                handler, "POST", agents, token: world.adminToken, body: #"{"handle":"keyed-longest"}"#,
                headers: [("Idempotency-Key", longest)])
            #expect(accepted.status == 200, "\(accepted.json)")
        }
    }

    @Test(.timeLimit(.minutes(3))) func theKeySetTheHealthAndTheDocumentAreServed() async throws {
        try await Self.withGateway("gw_public") { handler, _, _ in
            let jwks = try await Self.call(handler, "GET", "/.well-known/jwks.json")
            #expect(jwks.status == 200)
            guard case .array(let keys)? = jwks.json["keys"], case .object(let key)? = keys.first else {
                Issue.record("no keys: \(jwks.json)")
                return
            }
            #expect(key["kty"] == .string("OKP"))
            #expect(key["crv"] == .string("Ed25519"))
            #expect(key["kid"] != nil)

            let health = try await Self.call(handler, "GET", "/healthz")
            #expect(health.status == 200)
            #expect(health.json["services"] == .object(JSONObject([
                "identity": .string("SERVING"), "policy": .string("SERVING"), "wallet": .string("SERVING"),
            ])))

            let document = try await Self.call(handler, "GET", "/v1/openapi.json")
            #expect(document.status == 200)
            #expect(document.json["openapi"] == .string("3.1.0"))
        }
    }
}
