import Testing
@testable import PurserAuth

@Suite struct KeyRotationTests {
    @Test func tokensFromOldAndNewKeysAreBothAcceptedUntilTheOldTokenExpires() async throws {
        let clock = ManualClock()
        let old = try TokenFactory(keyID: "2026-01")
        let new = try TokenFactory(keyID: "2026-02")
        let source = InMemoryKeySource([old.jwk])
        let verifier = makeVerifier(source: source, clock: clock)
        let oldToken = try old.token(now: clock.now, lifetime: 300, subject: "agent-old")
        _ = try await verifier.verify(oldToken)

        source.publish([old.jwk, new.jwk])
        clock.advance(by: 100)
        let newToken = try new.token(now: clock.now, lifetime: 900, subject: "agent-new")
        #expect(try await verifier.verify(newToken).keyID == "2026-02")
        #expect(try await verifier.verify(oldToken).keyID == "2026-01")
        #expect(try await verifier.verify(try old.token(now: clock.now, subject: "late-old")).keyID == "2026-01")

        clock.advance(by: 200)
        await #expect(throws: AuthError.tokenExpired) { try await verifier.verify(oldToken) }
        #expect(try await verifier.verify(newToken).claims.subject == "agent-new")
    }

    @Test func tokensOfAKeyDroppedFromTheSetAreRefusedEvenWhenCached() async throws {
        let clock = ManualClock()
        let old = try TokenFactory(keyID: "old")
        let new = try TokenFactory(keyID: "new")
        let source = InMemoryKeySource([old.jwk, new.jwk])
        let verifier = makeVerifier(source: source, clock: clock)
        let oldToken = try old.token(now: clock.now)
        let newToken = try new.token(now: clock.now)
        _ = try await verifier.verify(oldToken)
        _ = try await verifier.verify(newToken)
        #expect(verifier.statistics.cachedTokens == 2)

        source.publish([new.jwk])
        try await verifier.refreshKeys()
        #expect(verifier.statistics.cachedTokens == 1)
        await #expect(throws: AuthError.unknownKey) { try await verifier.verify(oldToken) }
        _ = try await verifier.verify(newToken)
    }

    @Test func unknownKidTriggersOneRefreshAndThenSucceeds() async throws {
        let clock = ManualClock()
        let first = try TokenFactory(keyID: "first")
        let second = try TokenFactory(keyID: "second")
        let source = InMemoryKeySource([first.jwk])
        let verifier = makeVerifier(source: source, clock: clock, cooldown: 10)
        _ = try await verifier.verify(try first.token(now: clock.now))
        #expect(source.fetches == 1)

        clock.advance(by: 10)
        source.publish([first.jwk, second.jwk])
        let token = try second.token(now: clock.now)
        #expect(try await verifier.verify(token).keyID == "second")
        #expect(source.fetches == 2)
        _ = try await verifier.verify(try second.token(now: clock.now, subject: "another"))
        #expect(source.fetches == 2)
    }

    @Test func garbageKidsCannotHammerTheKeySource() async throws {
        let clock = ManualClock()
        let known = try TokenFactory(keyID: "known")
        let source = InMemoryKeySource([known.jwk])
        let verifier = makeVerifier(source: source, clock: clock, cooldown: 10)
        _ = try await verifier.verify(try known.token(now: clock.now))
        #expect(source.fetches == 1)

        clock.advance(by: 10)
        for index in 0..<50 {
            let garbage = try TokenFactory(keyID: "garbage-\(index)")
            await #expect(throws: AuthError.unknownKey) { try await verifier.verify(try garbage.token(now: clock.now)) }
        }
        #expect(source.fetches == 2)

        clock.advance(by: 10)
        let garbage = try TokenFactory(keyID: "garbage-late")
        await #expect(throws: AuthError.unknownKey) { try await verifier.verify(try garbage.token(now: clock.now)) }
        #expect(source.fetches == 3)
    }

    @Test func staleKeysAreRefreshedInTheBackgroundAndKeptWhenTheSourceIsDown() async throws {
        let clock = ManualClock()
        let key = try TokenFactory(keyID: "k")
        let next = try TokenFactory(keyID: "next")
        let source = InMemoryKeySource([key.jwk])
        let verifier = makeVerifier(source: source, clock: clock, refreshInterval: 300, cooldown: 10)
        _ = try await verifier.verify(try key.token(now: clock.now))
        #expect(source.fetches == 1)

        source.setReachable(false)
        clock.advance(by: 300)
        _ = try await verifier.verify(try key.token(now: clock.now, subject: "during-outage"))
        await verifier.waitForKeyFetch()
        #expect(source.fetches == 2)
        _ = try await verifier.verify(try key.token(now: clock.now, subject: "still-during-outage"))
        await #expect(throws: AuthError.signingKeysUnavailable) { try await verifier.refreshKeys() }
        _ = try await verifier.verify(try key.token(now: clock.now, subject: "after-failed-refresh"))
        #expect(verifier.statistics.knownKeys == 1)

        source.setReachable(true)
        source.publish([key.jwk, next.jwk])
        clock.advance(by: 10)
        _ = try await verifier.verify(try key.token(now: clock.now, subject: "after-outage"))
        await verifier.waitForKeyFetch()
        #expect(verifier.statistics.knownKeys == 2)
    }
}
