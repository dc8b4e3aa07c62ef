import Foundation
import PurserAPI
import PurserAuth
import PurserRPC
import PurserTestSupport
import Testing

extension IdentityIntegrationTests {
    @Suite("Identity payment tokens")
    struct PaymentTokenIssueTests {
        /// The claims of a compact JWS, decoded without verifying (the Wallet's tests verify).
        static func claims(_ token: String) throws -> JWTClaims {
            let parts = token.split(separator: ".")
            var payload = String(parts[1]).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            while payload.count % 4 != 0 { payload += "=" }
            return try JSONDecoder().decode(JWTClaims.self, from: try #require(Data(base64Encoded: payload)))
        }

        @Test func anAgentIssuesATokenBoundToOneProviderAnAmountAndAShortLife() async throws {
            try await withIdentity("pay_issue") { identity in
                let op = try await identity.operatorToken()
                let acme = try await identity.makeTenant("acme", operatorToken: op)
                let agent = try await identity.makeAgent("payer", in: acme)
                let provider = try await identity.call(
                    IdentityMethods.registerProvider, RegisterProviderRequest(slug: "search", name: "Search", defaultCategory: "search"), token: op)
                let agentToken = try await identity.token(agent.secret)
                let issued = try await identity.call(
                    IdentityMethods.issuePaymentToken,
                    IssuePaymentTokenRequest(providerID: provider.provider.id, maxAmountMicros: 2_500_000, ttlSeconds: 120, singleUse: true),
                    token: agentToken)
                let claims = try Self.claims(issued.token)
                #expect(claims.audience == ["provider:\(provider.provider.id)"])
                #expect(issued.audience == "provider:\(provider.provider.id)")
                #expect(claims.scope == "pay")
                #expect(claims.maxAmountMicros == 2_500_000)
                #expect(claims.singleUse == true)
                #expect(claims.subject == agent.agent.id && claims.tenant == acme.tenant.id && claims.role == .agent)
                #expect(claims.expiresAt - claims.issuedAt == 120)
                #expect(issued.tokenID == claims.tokenID && issued.expiresAtUs == claims.expiresAt * 1_000_000)
                let scope = try PaymentScope(claims: claims)
                #expect(scope.payee == provider.provider.id && scope.maximumMicros == 2_500_000 && scope.singleUse)

                // The longest life by default: one hour.
                let longest = try await identity.call(
                    IdentityMethods.issuePaymentToken, IssuePaymentTokenRequest(providerID: provider.provider.id, maxAmountMicros: 1),
                    token: agentToken)
                let longestClaims = try Self.claims(longest.token)
                #expect(longestClaims.expiresAt - longestClaims.issuedAt == 3_600)
                #expect(longestClaims.singleUse == false)

                // A payment token is no credential at Identity, not even to issue another.
                let again = await rpcError {
                    _ = try await identity.call(
                        IdentityMethods.issuePaymentToken, IssuePaymentTokenRequest(providerID: provider.provider.id, maxAmountMicros: 1),
                        token: issued.token)
                }
                #expect(again?.code == .permissionDenied && again?.reason == "token_scope")
                let takeover = await rpcError {
                    _ = try await identity.call(
                        IdentityMethods.rotateAgentSecret, RotateAgentSecretRequest(tenantID: acme.tenant.id, agentID: agent.agent.id),
                        token: issued.token)
                }
                #expect(takeover?.code == .permissionDenied && takeover?.reason == "token_scope")
            }
        }

        @Test func badRequestsAndSuspendedAgentsAreRefusedWithTheirReasons() async throws {
            try await withIdentity("pay_refusals") { identity in
                let op = try await identity.operatorToken()
                let acme = try await identity.makeTenant("acme", operatorToken: op)
                let agent = try await identity.makeAgent("payer", in: acme)
                let provider = try await identity.call(
                    IdentityMethods.registerProvider, RegisterProviderRequest(slug: "search", name: "Search", defaultCategory: "search"), token: op)
                let agentToken = try await identity.token(agent.secret)
                func issue(_ request: IssuePaymentTokenRequest, token: String? = nil) async -> RPCError? {
                    await rpcError { _ = try await identity.call(IdentityMethods.issuePaymentToken, request, token: token ?? agentToken) }
                }
                let id = provider.provider.id
                let zero = await issue(IssuePaymentTokenRequest(providerID: id, maxAmountMicros: 0))
                #expect(zero?.code == .invalidArgument && zero?.reason == "amount_invalid")
                let negative = await issue(IssuePaymentTokenRequest(providerID: id, maxAmountMicros: -1))
                #expect(negative?.code == .invalidArgument && negative?.reason == "amount_invalid")
                let tooLong = await issue(IssuePaymentTokenRequest(providerID: id, maxAmountMicros: 1, ttlSeconds: 3_601))
                #expect(tooLong?.code == .invalidArgument && tooLong?.reason == "ttl_invalid")
                let unknown = await issue(IssuePaymentTokenRequest(providerID: UUID().uuidString.lowercased(), maxAmountMicros: 1))
                #expect(unknown?.code == .notFound)
                let admin = await issue(IssuePaymentTokenRequest(providerID: id, maxAmountMicros: 1), token: acme.adminToken)
                #expect(admin?.code == .permissionDenied && admin?.reason == "permission_denied")
                _ = try await identity.call(
                    IdentityMethods.suspendAgent, SuspendAgentRequest(tenantID: acme.tenant.id, agentID: agent.agent.id), token: acme.adminToken)
                let suspended = await issue(IssuePaymentTokenRequest(providerID: id, maxAmountMicros: 1))
                #expect(suspended?.code == .failedPrecondition && suspended?.reason == "agent_suspended")
            }
        }
    }
}
