import Foundation
import PurserAPI
import PurserAuth
import PurserRPC
import PurserService
import PurserTestSupport
import Testing

extension IdentityIntegrationTests {
    @Suite("Identity tokens and signing keys")
    struct TokenTests {
        @Test func authenticateRefusesUnknownSecretsWithOneReason() async throws {
            try await withIdentity("auth_wrong") { identity in
                _ = try await identity.operatorToken()
                let wellFormed = try Secret.generate(prefix: .agentKey).exposedValue
                for secret in [wellFormed, "purser_sk_short", "", String(repeating: "x", count: 10_000)] {
                    let error = await rpcError { _ = try await identity.token(secret) }
                    #expect(error?.code == .unauthenticated)
                    #expect(error?.reason == "invalid_credentials")
                }
            }
        }

        /// How long each refusal takes (unknown against suspended) is a figure for a benchmark, not for this test.
        @Test func unknownAndSuspendedSubjectsFailWithTheirReasons() async throws {
            try await withIdentity("auth_refusals") { identity in
                let op = try await identity.operatorToken()
                let acme = try await identity.makeTenant("acme", operatorToken: op)
                let agent = try await identity.makeAgent("worker", in: acme)
                _ = try await identity.call(
                    IdentityMethods.suspendAgent, SuspendAgentRequest(tenantID: acme.tenant.id, agentID: agent.agent.id), token: acme.adminToken)
                let unknown = try Secret.generate(prefix: .agentKey).exposedValue
                let suspendedError = await rpcError { _ = try await identity.token(agent.secret) }
                #expect(suspendedError?.code == .unauthenticated)
                #expect(suspendedError?.reason == "agent_suspended")
                let unknownError = await rpcError { _ = try await identity.token(unknown) }
                #expect(unknownError?.code == .unauthenticated)
                #expect(unknownError?.reason == "invalid_credentials")
            }
        }

        @Test func tokensCarryTheDocumentedClaimsAndAudience() async throws {
            try await withIdentity("auth_claims") { identity in
                let op = try await identity.operatorToken()
                let acme = try await identity.makeTenant("acme", operatorToken: op)
                let agent = try await identity.makeAgent("worker", in: acme)
                let response = try await identity.call(
                    IdentityMethods.authenticate, AuthenticateRequest(secret: agent.secret, audience: "search-api"))
                let verifier = TokenVerifier(
                    configuration: .init(issuer: "purser-identity", audience: "search-api"),
                    keySource: IdentityConnection(client: identity.anonymous))
                let verified = try await verifier.verify(response.token)
                #expect(verified.principal == .agent(tenant: acme.tenant.id, agentID: agent.agent.id))
                #expect(verified.claims.subject == agent.agent.id)
                #expect(verified.claims.role == .agent)
                #expect(verified.claims.tenant == acme.tenant.id)
                #expect(verified.claims.expiresAt - verified.claims.issuedAt == 900)
                #expect(response.expiresAtUs == verified.claims.expiresAt * 1_000_000)
                #expect(!verified.claims.tokenID.isEmpty)
            }
        }

        enum Forgery: String, CaseIterable, Sendable {
            case expired, wrongAudience, wrongIssuer, flippedSignature, otherKeySameKid, unknownKid, algNone, algHS256
        }

        @Test(arguments: Forgery.allCases)
        func forgedOrStaleTokensAreRejected(_ forgery: Forgery) async throws {
            try await withIdentity("forgery_\(forgery.rawValue)") { identity in
                let bootstrap = try await identity.call(IdentityMethods.bootstrap, BootstrapRequest(), via: identity.deploymentClient)
                let valid = try await identity.call(IdentityMethods.authenticate, AuthenticateRequest(secret: bootstrap.secret))
                _ = try await identity.call(IdentityMethods.listTenants, ListTenantsRequest(), token: valid.token)
                let key = try await identity.currentSigningKey()
                let now = Int64(Date().timeIntervalSince1970)
                var claims = JWTClaims(
                    issuer: "purser-identity", subject: valid.subject, audience: ["purser"], expiresAt: now + 600, issuedAt: now,
                    tokenID: UUID().uuidString, tenant: nil, role: .operator)
                let token: String
                let reason: String
                switch forgery {
                case .expired:
                    claims.issuedAt = now - 1_000
                    claims.expiresAt = now - 120
                    token = try JWTSigner(key: key).sign(claims)
                    reason = "token_expired"
                case .wrongAudience:
                    token = try await identity.token(bootstrap.secret, audience: "somewhere-else")
                    reason = "wrong_audience"
                case .wrongIssuer:
                    claims.issuer = "someone-else"
                    token = try JWTSigner(key: key).sign(claims)
                    reason = "wrong_issuer"
                case .flippedSignature:
                    token = flipSignature(valid.token)
                    reason = "bad_signature"
                case .otherKeySameKid:
                    token = try JWTSigner(key: SigningKey.generate(keyID: key.keyID)).sign(claims)
                    reason = "bad_signature"
                case .unknownKid:
                    token = try JWTSigner(key: SigningKey.generate(keyID: "unknown-kid")).sign(claims)
                    reason = "unknown_key"
                case .algNone:
                    token = unsignedToken(alg: "none", kid: key.keyID, from: valid.token)
                    reason = "unsupported_algorithm"
                case .algHS256:
                    token = unsignedToken(alg: "HS256", kid: key.keyID, from: valid.token) + "c2lnbmF0dXJl"
                    reason = "unsupported_algorithm"
                }
                let error = await rpcError { _ = try await identity.call(IdentityMethods.listTenants, ListTenantsRequest(), token: token) }
                #expect(error?.code == .unauthenticated)
                #expect(error?.reason == reason)
            }
        }

        @Test func signingKeysArePublicAndRotationKeepsOldTokensValidUntilTheKeyRetires() async throws {
            try await withIdentity("key_rotation") { identity in
                let op = try await identity.operatorToken()
                let before = try await identity.call(IdentityMethods.getSigningKeys, GetSigningKeysRequest())
                let initialSet = try JWKSet(jsonString: before.jwksJSON)
                #expect(initialSet.keys.count == 1)
                let oldKid = try #require(initialSet.keys.first?.keyID)
                let oldToken = op

                let rotated = try await identity.call(IdentityMethods.rotateSigningKey, RotateSigningKeyRequest(), token: op)
                #expect(rotated.previousKid == oldKid)
                #expect(rotated.kid != oldKid)
                let lifetimeUs = Int64(910) * 1_000_000
                let nowUs = Int64(Date().timeIntervalSince1970 * 1_000_000)
                #expect(abs(rotated.previousExpiresAtUs - (nowUs + lifetimeUs)) < 5_000_000)

                let after = try JWKSet(jsonString: try await identity.call(IdentityMethods.getSigningKeys, GetSigningKeysRequest()).jwksJSON)
                #expect(Set(after.keys.map(\.keyID)) == [oldKid, rotated.kid])

                let external = TokenVerifier(
                    configuration: .init(issuer: "purser-identity", audience: "purser"),
                    keySource: IdentityConnection(client: identity.anonymous))
                let oldVerified = try await external.verify(oldToken)
                #expect(oldVerified.keyID == oldKid)
                _ = try await identity.call(IdentityMethods.listTenants, ListTenantsRequest(), token: oldToken)

                let acme = try await identity.makeTenant("acme", operatorToken: oldToken)
                let newVerified = try await external.verify(acme.adminToken)
                #expect(newVerified.keyID == rotated.kid)

                _ = try await identity.query(
                    "UPDATE identity.signing_keys SET verify_until = now() - interval '1 second' WHERE kid = $1 RETURNING kid", [oldKid])
                let retired = try JWKSet(jsonString: try await identity.call(IdentityMethods.getSigningKeys, GetSigningKeysRequest()).jwksJSON)
                #expect(retired.keys.map(\.keyID) == [rotated.kid])
                let fresh = TokenVerifier(
                    configuration: .init(issuer: "purser-identity", audience: "purser"),
                    keySource: IdentityConnection(client: identity.anonymous))
                await #expect(throws: AuthError.unknownKey) { _ = try await fresh.verify(oldToken) }
            }
        }
    }
}

/// `token` with one character in the middle of its signature changed.
func flipSignature(_ token: String) -> String {
    var characters = Array(token)
    guard let dot = characters.lastIndex(of: ".") else { return token }
    let index = dot + 1 + (characters.count - dot - 1) / 2
    characters[index] = characters[index] == "A" ? "B" : "A"
    return String(characters)
}

/// A token with header `{"alg": alg, "kid": kid}`, the claims of `token`, and no signature.
func unsignedToken(alg: String, kid: String, from token: String) -> String {
    let parts = token.split(separator: ".", omittingEmptySubsequences: false)
    let header = Base64URL.encode(Array("{\"alg\":\"\(alg)\",\"typ\":\"JWT\",\"kid\":\"\(kid)\"}".utf8))
    return header + "." + parts[1] + "."
}

extension IdentityIntegrationTests {
    /// Authentication latency and throughput are figures for a benchmark, not for this target, which measures nothing.
    @Suite("Identity under concurrent load")
    struct IdentityFigures {
        @Test func concurrentAuthenticationIssuesUniqueTokens() async throws {
            try await withIdentity("figures") { identity in
                let op = try await identity.operatorToken()
                let acme = try await identity.makeTenant("acme", operatorToken: op)
                let agent = try await identity.makeAgent("worker", in: acme)
                let concurrent = 32, perTask = 4
                let tokens = try await withThrowingTaskGroup(of: [String].self) { group in
                    for _ in 0..<concurrent {
                        group.addTask {
                            var issued: [String] = []
                            for _ in 0..<perTask { issued.append(try await identity.token(agent.secret)) }
                            return issued
                        }
                    }
                    return try await group.reduce(into: [String]()) { $0 += $1 }
                }
                #expect(Set(tokens).count == concurrent * perTask, "every token is unique (its jti)")
            }
        }
    }
}
