import Foundation
import Testing
@testable import PurserAuth

@Suite struct TokenVerifierTests {
    @Test func signedTokenVerifiesToItsPrincipalAndClaims() async throws {
        let clock = ManualClock()
        let factory = try TokenFactory(keyID: "k1")
        let verifier = makeVerifier(source: InMemoryKeySource([factory.jwk]), clock: clock)
        let claims = factory.claims(now: clock.now, subject: "agent-42", tenant: "tenant-9", role: .agent)
        let verified = try await verifier.verify(try factory.signer.sign(claims))
        #expect(verified.principal == .agent(tenant: "tenant-9", agentID: "agent-42"))
        #expect(verified.claims == claims)
        #expect(verified.keyID == "k1")
    }

    @Test func bearerAuthorizationValueIsAccepted() async throws {
        let clock = ManualClock()
        let factory = try TokenFactory(keyID: "k1")
        let verifier = makeVerifier(source: InMemoryKeySource([factory.jwk]), clock: clock)
        let token = try factory.token(now: clock.now, role: .operator)
        #expect(try await verifier.verify(authorization: "Bearer \(token)").principal == .operator)
        #expect(try await verifier.verify(authorization: "bearer \(token)").principal == .operator)
        await #expect(throws: AuthError.tokenMissing) { try await verifier.verify(authorization: nil) }
        await #expect(throws: AuthError.tokenMissing) { try await verifier.verify(authorization: "") }
        await #expect(throws: AuthError.tokenMalformed) { try await verifier.verify(authorization: "Basic \(token)") }
        await #expect(throws: AuthError.tokenMalformed) { try await verifier.verify(authorization: "Bearer ") }
    }

    @Test func tokenIsRefusedOnceExpiredCachedOrNot() async throws {
        let clock = ManualClock()
        let factory = try TokenFactory(keyID: "k1")
        let source = InMemoryKeySource([factory.jwk])
        let cachedVerifier = makeVerifier(source: source, clock: clock, leeway: 5)
        let token = try factory.token(now: clock.now, lifetime: 60)
        _ = try await cachedVerifier.verify(token)

        clock.advance(by: 64)
        _ = try await cachedVerifier.verify(token)
        _ = try await makeVerifier(source: source, clock: clock, leeway: 5).verify(token)

        clock.advance(by: 1)
        await #expect(throws: AuthError.tokenExpired) { try await cachedVerifier.verify(token) }
        await #expect(throws: AuthError.tokenExpired) {
            try await makeVerifier(source: source, clock: clock, leeway: 5).verify(token)
        }
    }

    @Test func tokenIsRefusedBeforeItsNotBeforeTime() async throws {
        let clock = ManualClock()
        let factory = try TokenFactory(keyID: "k1")
        let verifier = makeVerifier(source: InMemoryKeySource([factory.jwk]), clock: clock)
        let token = try factory.token(now: clock.now, notBefore: clock.now + 30)
        await #expect(throws: AuthError.tokenNotYetValid) { try await verifier.verify(token) }
        clock.advance(by: 30)
        _ = try await verifier.verify(token)
    }

    @Test func wrongAudienceAndWrongIssuerAreRefused() async throws {
        let clock = ManualClock()
        let factory = try TokenFactory(keyID: "k1")
        let verifier = makeVerifier(source: InMemoryKeySource([factory.jwk]), clock: clock)
        let otherAudience = try factory.token(now: clock.now, audience: ["some-other-system"])
        let otherIssuer = try factory.token(now: clock.now, issuer: "https://evil.example")
        await #expect(throws: AuthError.wrongAudience) { try await verifier.verify(otherAudience) }
        await #expect(throws: AuthError.wrongIssuer) { try await verifier.verify(otherIssuer) }
    }

    @Test func flippedSignatureBitIsABadSignature() async throws {
        let clock = ManualClock()
        let factory = try TokenFactory(keyID: "k1")
        let verifier = makeVerifier(source: InMemoryKeySource([factory.jwk]), clock: clock)
        let token = try factory.token(now: clock.now)
        let lastDot = try #require(token.lastIndex(of: "."))
        var signature = try #require(Base64URL.decode(token[token.index(after: lastDot)...]))
        signature[10] ^= 0x01
        let forged = token[...lastDot] + Base64URL.encode(signature)
        await #expect(throws: AuthError.badSignature) { try await verifier.verify(String(forged)) }
    }

    @Test func alteredClaimsAreABadSignature() async throws {
        let clock = ManualClock()
        let factory = try TokenFactory(keyID: "k1")
        let verifier = makeVerifier(source: InMemoryKeySource([factory.jwk]), clock: clock)
        let parts = try factory.token(now: clock.now, role: .agent).split(separator: ".").map(String.init)
        let promoted = factory.claims(now: clock.now, role: .operator)
        let forged = parts[0] + "." + Base64URL.encode(promoted.json) + "." + parts[2]
        await #expect(throws: AuthError.badSignature) { try await verifier.verify(forged) }
    }

    @Test func tokenFromAnotherKeyUnderTheSameKidIsABadSignature() async throws {
        let clock = ManualClock()
        let genuine = try TokenFactory(keyID: "k1")
        let impostor = try TokenFactory(keyID: "k1")
        let verifier = makeVerifier(source: InMemoryKeySource([genuine.jwk]), clock: clock)
        await #expect(throws: AuthError.badSignature) {
            try await verifier.verify(try impostor.token(now: clock.now, role: .operator))
        }
    }

    @Test func unknownKidIsRefused() async throws {
        let clock = ManualClock()
        let known = try TokenFactory(keyID: "k1")
        let stranger = try TokenFactory(keyID: "k-unknown")
        let verifier = makeVerifier(source: InMemoryKeySource([known.jwk]), clock: clock)
        await #expect(throws: AuthError.unknownKey) { try await verifier.verify(try stranger.token(now: clock.now)) }
    }

    @Test func algNoneIsRefusedBeforeAnyCryptography() async throws {
        let clock = ManualClock()
        let factory = try TokenFactory(keyID: "k1")
        let source = InMemoryKeySource([factory.jwk])
        let verifier = makeVerifier(source: source, clock: clock)
        let payload = Base64URL.encode(factory.claims(now: clock.now, role: .operator).json)
        for header in [#"{"alg":"none","typ":"JWT","kid":"k1"}"#, #"{"alg":"none"}"#, #"{"alg":"NONE","kid":"k1"}"#] {
            let unsigned = Base64URL.encode(Array(header.utf8)) + "." + payload + "."
            await #expect(throws: AuthError.unsupportedAlgorithm) { try await verifier.verify(unsigned) }
            let padded = unsigned + Base64URL.encode([UInt8](repeating: 7, count: 64))
            await #expect(throws: AuthError.unsupportedAlgorithm) { try await verifier.verify(padded) }
        }
        #expect(source.fetches == 0)
    }

    @Test(arguments: ["HS256", "RS256", "ES256", "PS256", "EdDSA ", "eddsa", "Ed25519"])
    func otherAlgorithmsAreRefused(algorithm: String) async throws {
        let clock = ManualClock()
        let factory = try TokenFactory(keyID: "k1")
        let verifier = makeVerifier(source: InMemoryKeySource([factory.jwk]), clock: clock)
        // The classic confusion attack: an HMAC keyed with the public key bytes.
        let header = #"{"alg":"\#(algorithm)","typ":"JWT","kid":"k1"}"#
        let input = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(factory.claims(now: clock.now).json)
        var mac = [UInt8](repeating: 0, count: 32)
        let key = factory.jwk.publicKey.rawRepresentation
        var macLength: UInt32 = 0
        _ = HMACSHA256(key: key, message: Array(input.utf8), into: &mac, length: &macLength)
        await #expect(throws: AuthError.unsupportedAlgorithm) {
            try await verifier.verify(input + "." + Base64URL.encode(mac))
        }
    }

    @Test func criticalHeaderExtensionsAreRefused() async throws {
        let clock = ManualClock()
        let factory = try TokenFactory(keyID: "k1")
        let verifier = makeVerifier(source: InMemoryKeySource([factory.jwk]), clock: clock)
        let token = try factory.rawToken(
            header: #"{"alg":"EdDSA","kid":"k1","crit":["exp"],"exp":1}"#,
            payload: String(decoding: factory.claims(now: clock.now).json, as: UTF8.self))
        await #expect(throws: AuthError.unsupportedHeader) { try await verifier.verify(token) }
    }

    static let badlyTypedPayloads = [
        #"[1,2,3]"#,
        #""just a string""#,
        #"{"iss":"purser-identity","sub":"a","aud":"purser","exp":"1800000900","iat":1800000000,"jti":"j","tenant":"t","role":"agent"}"#,
        #"{"iss":"purser-identity","sub":"a","aud":7,"exp":1800000900,"iat":1800000000,"jti":"j","tenant":"t","role":"agent"}"#,
        #"{"iss":"purser-identity","sub":"a","aud":"purser","exp":1800000900,"iat":1800000000,"jti":"j","tenant":"t","role":"superuser"}"#,
        #"{"iss":"purser-identity","sub":null,"aud":"purser","exp":1800000900,"iat":1800000000,"jti":"j","tenant":"t","role":"agent"}"#,
        #"{"iss":"purser-identity","sub":"a","aud":"purser","exp":true,"iat":1800000000,"jti":"j","tenant":"t","role":"agent"}"#,
        #"{"iss":"purser-identity","sub":"a","aud":"purser","exp":1e400,"iat":1800000000,"jti":"j","tenant":"t","role":"agent"}"#,
        #"{"iss":"purser-identity","sub":"a","aud":["purser",3],"exp":1800000900,"iat":1800000000,"jti":"j","role":"agent"}"#,
        #"{"iss":"purser-identity","sub":"a","aud":"purser","iat":1800000000,"jti":"j","tenant":"t","role":"agent"}"#,
        #"{"iss":"purser-identity""#,
        "",
    ]

    @Test(arguments: badlyTypedPayloads)
    func signedButBadlyTypedClaimsAreMalformed(payload: String) async throws {
        let clock = ManualClock()
        let factory = try TokenFactory(keyID: "k1")
        let verifier = makeVerifier(source: InMemoryKeySource([factory.jwk]), clock: clock)
        let token = try factory.rawToken(header: #"{"alg":"EdDSA","typ":"JWT","kid":"k1"}"#, payload: payload)
        await #expect(throws: AuthError.tokenMalformed) { try await verifier.verify(token) }
    }

    @Test(arguments: [TokenRole.admin, .finance, .agent])
    func tenantRolesWithoutATenantAreRefused(role: TokenRole) async throws {
        let clock = ManualClock()
        let factory = try TokenFactory(keyID: "k1")
        let verifier = makeVerifier(source: InMemoryKeySource([factory.jwk]), clock: clock)
        await #expect(throws: AuthError.missingTenant) {
            try await verifier.verify(try factory.token(now: clock.now, tenant: nil, role: role))
        }
    }

    @Test func revokedSubjectIsRefusedEvenWhenTheTokenIsCached() async throws {
        let clock = ManualClock()
        let factory = try TokenFactory(keyID: "k1")
        let verifier = makeVerifier(source: InMemoryKeySource([factory.jwk]), clock: clock)
        let token = try factory.token(now: clock.now, lifetime: 900, subject: "agent-7")
        let bystander = try factory.token(now: clock.now, lifetime: 900, subject: "agent-8")
        _ = try await verifier.verify(token)
        _ = try await verifier.verify(bystander)
        #expect(verifier.statistics.cachedTokens == 2)

        verifier.revoke(subject: "agent-7", until: clock.now + 900)
        await #expect(throws: AuthError.subjectRevoked) { try await verifier.verify(token) }
        _ = try await verifier.verify(bystander)
        #expect(verifier.isRevoked(subject: "agent-7"))

        let fresh = try factory.token(now: clock.now, lifetime: 600, subject: "agent-7")
        await #expect(throws: AuthError.subjectRevoked) { try await verifier.verify(fresh) }
        #expect(verifier.statistics.cachedTokens == 2)
    }

    @Test func anEndedSessionsTokenIsRefusedCachedOrNotWhileTheSubjectsOtherTokensPass() async throws {
        let clock = ManualClock()
        let factory = try TokenFactory(keyID: "k1")
        let verifier = makeVerifier(source: InMemoryKeySource([factory.jwk]), clock: clock)
        let session = try factory.token(now: clock.now, lifetime: 900, subject: "agent-7")
        let other = try factory.token(now: clock.now, lifetime: 900, subject: "agent-7")
        let sessionID = try await verifier.verify(session).claims.tokenID
        let otherID = try await verifier.verify(other).claims.tokenID
        #expect(sessionID != otherID)

        verifier.applyRevocations([Revocation(subject: sessionID, until: clock.now + 900)])
        await #expect(throws: AuthError.subjectRevoked) { try await verifier.verify(session) }
        #expect(try await verifier.verify(other).claims.subject == "agent-7")
        #expect(!verifier.isRevoked(subject: "agent-7"))
    }

    @Test func appliedRevocationsExpireAtTheirUntilTime() async throws {
        let clock = ManualClock()
        let factory = try TokenFactory(keyID: "k1")
        let verifier = makeVerifier(source: InMemoryKeySource([factory.jwk]), clock: clock)
        let token = try factory.token(now: clock.now, lifetime: 900, subject: "agent-3")
        verifier.applyRevocations([
            Revocation(subject: "agent-3", until: clock.now + 100),
            Revocation(subject: "agent-4", until: clock.now - 1),
        ])
        #expect(verifier.statistics.revokedSubjects == 1)
        await #expect(throws: AuthError.subjectRevoked) { try await verifier.verify(token) }
        clock.advance(by: 100)
        #expect(try await verifier.verify(token).claims.subject == "agent-3")
    }

    @Test func repeatVerificationIsServedFromTheCacheWithTheSamePrincipal() async throws {
        let clock = ManualClock()
        let factory = try TokenFactory(keyID: "k1")
        let source = InMemoryKeySource([factory.jwk])
        let verifier = makeVerifier(source: source, clock: clock)
        let token = try factory.token(now: clock.now, subject: "p-1", tenant: nil, role: .provider)
        let first = try await verifier.verify(token)
        let second = try await verifier.verify(token)
        #expect(first == second)
        #expect(second.principal == .provider(providerID: "p-1"))
        let stats = verifier.statistics
        #expect(stats.cacheHits == 1)
        #expect(stats.cachedTokens == 1)
        #expect(stats.keyFetches == 1)
        #expect(source.fetches == 1)
    }

    @Test func cacheStaysWithinItsCapacityAndEvictsExpiredTokensFirst() async throws {
        let clock = ManualClock()
        let factory = try TokenFactory(keyID: "k1")
        let verifier = makeVerifier(source: InMemoryKeySource([factory.jwk]), clock: clock, cacheCapacity: 16)
        for index in 0..<16 {
            _ = try await verifier.verify(try factory.token(now: clock.now, lifetime: 60, subject: "short-\(index)"))
        }
        #expect(verifier.statistics.cachedTokens == 16)
        clock.advance(by: 61)
        let survivor = try factory.token(now: clock.now, lifetime: 600, subject: "long")
        _ = try await verifier.verify(survivor)
        #expect(verifier.statistics.cachedTokens == 1)

        for index in 0..<100 {
            _ = try await verifier.verify(try factory.token(now: clock.now, lifetime: 600, subject: "s-\(index)"))
            #expect(verifier.statistics.cachedTokens <= 16)
        }
    }

    @Test func verifierWithoutKeysAndAnUnreachableSourceSaysKeysAreUnavailable() async throws {
        let clock = ManualClock()
        let factory = try TokenFactory(keyID: "k1")
        let source = InMemoryKeySource([factory.jwk])
        source.setReachable(false)
        let verifier = makeVerifier(source: source, clock: clock)
        let token = try factory.token(now: clock.now)
        await #expect(throws: AuthError.signingKeysUnavailable) { try await verifier.verify(token) }
        await #expect(throws: AuthError.signingKeysUnavailable) { try await verifier.verify(token) }
        #expect(source.fetches == 1)
        await #expect(throws: AuthError.signingKeysUnavailable) { try await verifier.refreshKeys() }
        #expect(source.fetches == 2)

        source.setReachable(true)
        clock.advance(by: 10)
        #expect(try await verifier.verify(token).keyID == "k1")
        #expect(source.fetches == 3)
    }

    @Test func concurrentVerificationsAgreeAndShareOneKeyFetch() async throws {
        let clock = ManualClock()
        let factory = try TokenFactory(keyID: "k1")
        let source = InMemoryKeySource([factory.jwk])
        let verifier = makeVerifier(source: source, clock: clock)
        let tokens = try (0..<8).map { try factory.token(now: clock.now, subject: "agent-\($0)") }
        let subjects = try await withThrowingTaskGroup(of: String.self) { group in
            for round in 0..<64 {
                let token = tokens[round % tokens.count]
                group.addTask { try await verifier.verify(token).claims.subject }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(subjects.count == 64)
        #expect(Set(subjects) == Set((0..<8).map { "agent-\($0)" }))
        #expect(source.fetches == 1)
    }
}
