import Foundation
import PurserAuth
import PurserJSON
import PurserRPC
import Testing
@testable import PurserGateway

/// The facilitator's offline checks of an x402 payment of the Purser scheme,
/// with attestations signed by a real Ed25519 key.
@Suite struct CreditVerifierTests {
    let key: SigningKey
    let keys: JWKSet
    let verifier = CreditVerifier(network: "purser:test")
    let now: Int64 = 1_800_000_000
    static let payee = "6c1f2a9e-0d55-4d8e-9a3b-3f4f6f1c2b7a"

    init() throws {
        key = try SigningKey.generate(keyID: "k1")
        keys = JWKSet(keys: [key.publicJWK])
    }

    func attestation(amount: Int64 = 3_000, asset: String = "USD", audience: String = payee, expiresAt: Int64? = nil,
                     with signer: SigningKey? = nil) throws -> String {
        try CreditAttestation(
            issuer: "purser", subject: "a6d0c3b4-3c37-4b54-8d6a-1b1f3d6e9f00", audience: audience,
            tenant: "0b9f8f0e-7a3c-4a51-9d2e-2c4c1a7b6e11", amountMicros: amount, asset: asset,
            resource: "https://api.example/search", holdID: "9e8d7c6b-5a49-4838-a271-605f4e3d2c1b", issuedAt: now - 10,
            expiresAt: expiresAt ?? now + 300
        ).sign(with: signer ?? key)
    }

    /// An x402 verify/settle body; `accepted` and `required` change the payload's and the request's requirements.
    func body(_ token: String, amount: String = "3000", accepted: [String: String] = [:], required: [String: String] = [:],
              version: Int = 2, resource: String = "https://api.example/search") throws -> X402Body {
        func requirements(_ changes: [String: String], amount: String) -> JSONValue {
            var object = JSONObject([
                "scheme": .string("upto"), "network": .string("purser:test"), "asset": .string("USD"),
                "amount": .string(amount), "payTo": .string(Self.payee), "maxTimeoutSeconds": .integer(300),
                "extra": .object(JSONObject()),
            ])
            for (name, value) in changes { object[name] = .string(value) }
            return .object(object)
        }
        let document = JSONValue.object(JSONObject([
            "x402Version": .integer(version),
            "paymentPayload": .object(JSONObject([
                "x402Version": .integer(2), "accepted": requirements(accepted, amount: "3000"),
                "resource": .object(JSONObject(["url": .string(resource)])),
                "payload": .object(JSONObject(["attestation": .string(token)])),
            ])),
            "paymentRequirements": requirements(required, amount: amount),
        ]))
        return try X402Body(document.serialized())
    }

    func refusal(_ body: X402Body) -> String? {
        do {
            _ = try verifier.verify(body, keys: keys, now: now)
            return nil
        } catch {
            return error.reason
        }
    }

    @Test func aPaymentWithinItsAttestationVerifies() throws {
        let credit = try verifier.verify(try body(try attestation(), amount: "1000"), keys: keys, now: now)
        #expect(credit.heldMicros == 3_000)
        #expect(credit.requiredMicros == 1_000)
        #expect(credit.attestation.audience == Self.payee)
        #expect(credit.attestation.holdID == "9e8d7c6b-5a49-4838-a271-605f4e3d2c1b")
        #expect(try verifier.verify(try body(try attestation(), amount: "0"), keys: keys, now: now).requiredMicros == 0)
    }

    @Test func theRequirementsMustNameTheSchemeNetworkAndVersionServed() throws {
        let token = try attestation()
        #expect(refusal(try body(token, version: 1)) == "invalid_x402_version")
        #expect(refusal(try body(token, accepted: ["scheme": "exact"], required: ["scheme": "exact"])) == "invalid_scheme")
        #expect(refusal(try body(token, accepted: ["network": "eip155:8453"], required: ["network": "eip155:8453"])) == "invalid_network")
        #expect(refusal(try body(token, required: ["network": "purser:other"])) == "invalid_network")
        #expect(refusal(try body(token, accepted: ["payTo": "someone-else"])) == "invalid_payment_requirements")
        #expect(refusal(try body(token, amount: "0.003")) == "invalid_payment_requirements")
        #expect(refusal(try body(token, amount: "-1")) == "invalid_payment_requirements")
        #expect(refusal(try body(token, amount: "99999999999999999999")) == "invalid_payment_requirements")
    }

    @Test func aTamperedForgedOrForeignAttestationIsInvalid() throws {
        let token = try attestation()
        let parts = token.split(separator: ".").map(String.init)
        let raised = try attestation(amount: 3_000_000)
        let swapped = parts[0] + "." + raised.split(separator: ".")[1] + "." + parts[2]
        #expect(refusal(try body(swapped)) == "invalid_payload")
        #expect(refusal(try body(parts[0] + "." + parts[1] + "." + String(parts[2].reversed()))) == "invalid_payload")
        #expect(refusal(try body(try attestation(with: try SigningKey.generate(keyID: "k2")))) == "invalid_payload")
        #expect(refusal(try body(try attestation(with: try SigningKey.generate(keyID: "k1")))) == "invalid_payload")
        #expect(refusal(try body("not.a.jws")) == "invalid_payload")
        // A caller token signed by the same key is no attestation.
        let jwt = try JWTSigner(key: key).sign(JWTClaims(
            issuer: "purser", subject: "a", audience: [Self.payee], expiresAt: now + 60, issuedAt: now, tokenID: "t",
            tenant: "x", role: .agent))
        #expect(refusal(try body(jwt)) == "invalid_payload")
    }

    @Test func anExpiredAttestationIsRefused() throws {
        #expect(refusal(try body(try attestation(expiresAt: now))) == "attestation_expired")
        #expect(refusal(try body(try attestation(expiresAt: now + 1))) == nil)
    }

    @Test func theAttestationBindsAssetPayeeResourceAndAmount() throws {
        #expect(refusal(try body(try attestation(asset: "EUR"))) == "invalid_payment_requirements")
        #expect(refusal(try body(try attestation(audience: "1c1f2a9e-0d55-4d8e-9a3b-3f4f6f1c2b7a"))) == "invalid_payment_requirements")
        #expect(refusal(try body(try attestation(), resource: "https://api.example/other")) == "invalid_payload")
        #expect(refusal(try body(try attestation(), amount: "3001")) == "amount_exceeds_hold")
        #expect(refusal(try body(try attestation(), amount: "3000")) == nil)
    }

    @Test func aBodyThatIsNoX402RequestIsMalformed() {
        func malformed(_ text: String) -> X402Refusal? {
            do {
                _ = try X402Body(Array(text.utf8))
                return nil
            } catch {
                return error
            }
        }
        #expect(malformed("not json")?.field == "")
        #expect(malformed("[]")?.reason == "invalid_payload")
        #expect(malformed(#"{"x402Version": "2"}"#)?.reason == "invalid_x402_version")
        #expect(malformed(#"{"x402Version": 2}"#)?.field == "paymentPayload")
        #expect(malformed(#"{"x402Version": 2.5, "paymentPayload": {}}"#)?.reason == "invalid_x402_version")
        let requirements = #"{"scheme":"upto","network":"purser:test","asset":"USD","amount":"1","payTo":"p"}"#
        #expect(malformed(#"{"x402Version":2,"paymentPayload":{"x402Version":2,"accepted":\#(requirements),"payload":{}},"paymentRequirements":\#(requirements)}"#)?
            .field == "paymentPayload.payload.attestation")
        #expect(malformed(#"{"x402Version":2,"paymentPayload":{"x402Version":2,"accepted":\#(requirements),"payload":{"attestation":"a"}},"paymentRequirements":{"scheme":1}}"#)?
            .reason == "invalid_payment_requirements")
        #expect(malformed(#"{"x402Version":2,"paymentPayload":{"x402Version":2,"accepted":\#(requirements),"payload":{"attestation":"a"}},"paymentRequirements":\#(requirements)}"#) == nil)
    }

    @Test func walletRefusalsOfASettlementBecomeX402Reasons() {
        func reason(_ code: StatusCode, _ reason: String) -> String? {
            (X402Facilitator.refusal(RPCError(code, "refused", reason: reason)) as? X402Refusal)?.reason
        }
        #expect(reason(.notFound, "not_found") == "not_payee")
        #expect(reason(.failedPrecondition, "hold_already_captured") == "invalid_transaction_state")
        #expect(reason(.failedPrecondition, "hold_voided") == "invalid_transaction_state")
        #expect(reason(.alreadyExists, "idempotency_conflict") == "invalid_transaction_state")
        #expect(reason(.failedPrecondition, "hold_expired") == "attestation_expired")
        #expect(reason(.failedPrecondition, "amount_exceeds_hold") == "amount_exceeds_hold")
        #expect(reason(.unavailable, "unavailable") == nil, "a Wallet outage stays a problem, not a refused payment")
    }

    @Test func theBearerTokensSubjectAndRoleAreReadForTheFirstCheck() throws {
        let token = try JWTSigner(key: key).sign(JWTClaims(
            issuer: "purser", subject: Self.payee, audience: ["purser"], expiresAt: now + 60, issuedAt: now, tokenID: "t",
            tenant: nil, role: .provider))
        let claims = X402Facilitator.unverifiedClaims("Bearer " + token)
        #expect(claims.subject == Self.payee && claims.role == "provider" && claims.expiresAt == now + 60)
        let garbage = X402Facilitator.unverifiedClaims("Bearer garbage")
        #expect(garbage.subject == "" && garbage.role == "" && garbage.expiresAt == 0)
    }

    @Test func anAcceptedProviderTokenIsRememberedUntilItExpiresAtMostAMinute() {
        let cache = ProviderTokenCache(lifetimeSeconds: 60, capacity: 2)
        #expect(cache.provider(of: "t1", now: now) == nil)
        cache.insert("t1", provider: "p1", expiresAt: now + 30, now: now)
        cache.insert("t2", provider: "p2", expiresAt: now + 900, now: now)
        #expect(cache.provider(of: "t1", now: now + 29) == "p1")
        #expect(cache.provider(of: "t1", now: now + 30) == nil, "not past the token's expiry")
        #expect(cache.provider(of: "t2", now: now + 59) == "p2")
        #expect(cache.provider(of: "t2", now: now + 60) == nil, "not past the cache's lifetime")
        cache.insert("t3", provider: "p3", expiresAt: now - 1, now: now)
        #expect(cache.provider(of: "t3", now: now) == nil, "an expired token is never remembered")
        cache.insert("t4", provider: "p4", expiresAt: now + 10, now: now)
        cache.insert("t5", provider: "p5", expiresAt: now + 10, now: now)
        cache.insert("t6", provider: "p6", expiresAt: now + 10, now: now)
        #expect(cache.provider(of: "t6", now: now) == "p6", "a full cache makes room")
    }
}
