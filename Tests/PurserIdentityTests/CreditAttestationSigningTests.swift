import Foundation
import PurserAPI
import PurserRPC
import PurserTestSupport
import Testing

extension IdentityIntegrationTests {
    @Suite("Identity credit attestations")
    struct CreditAttestationSigningTests {
        /// The `exp` claim of a compact JWS, decoded without verifying.
        static func expiry(_ jws: String) throws -> Int64 {
            var payload = String(jws.split(separator: ".")[1]).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            while payload.count % 4 != 0 { payload += "=" }
            let data = try #require(Data(base64Encoded: payload))
            let claims = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            return try #require((claims["exp"] as? NSNumber)?.int64Value)
        }

        /// A hold with less than the rest of the current second left (a short
        /// hold signed just after it was placed) still gets its attestation,
        /// whose `exp` is not before the hold's expiry; an expiry already past
        /// is refused.
        @Test func aHoldEndingWithinTheCurrentSecondIsSignedAndAPastOneIsNot() async throws {
            try await withIdentity("credit_sign") { identity in
                let op = try await identity.operatorToken()
                let acme = try await identity.makeTenant("acme", operatorToken: op)
                let agent = try await identity.makeAgent("payer", in: acme)
                let provider = try await identity.call(
                    IdentityMethods.registerProvider, RegisterProviderRequest(slug: "search", name: "Search"), token: op)
                var request = SignCreditAttestationRequest()
                request.tenantID = acme.tenant.id
                request.agentID = agent.agent.id
                request.providerID = provider.provider.id
                request.holdID = UUID().uuidString.lowercased()
                request.amountMicros = 3_000
                request.currency = "USD"
                request.resource = "https://api.example/search"

                // Just after a whole second begins, a hold that ends 0.9 s into it.
                let into = Int64(Date().timeIntervalSince1970 * 1_000_000) % 1_000_000
                try await Task.sleep(for: .microseconds(1_000_000 - into + 5_000))
                let second = Int64(Date().timeIntervalSince1970)
                request.expiresAtUs = second * 1_000_000 + 900_000
                let signed = try await identity.call(IdentityMethods.signCreditAttestation, request, via: identity.wallet)
                #expect(try Self.expiry(signed.attestation) * 1_000_000 >= request.expiresAtUs)

                request.expiresAtUs = Int64(Date().timeIntervalSince1970 * 1_000_000) - 1
                let refused = await rpcError { _ = try await identity.call(IdentityMethods.signCreditAttestation, request, via: identity.wallet) }
                #expect(refused?.code == .invalidArgument && refused?.reason == "expiry_invalid")
            }
        }
    }
}
