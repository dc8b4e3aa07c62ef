import Synchronization

/// Verifies bearer tokens offline for one service: EdDSA only, a known `kid`,
/// a valid signature, the time rules, the expected issuer and audience, and
/// the revoked-subject set.
///
/// - Keys: fetched from a `SigningKeySource` on first use, refreshed in the
///   background once older than the refresh interval, and fetched at once when
///   a token names an unknown `kid` (at most once per cooldown, so garbage
///   kids cannot hammer the source; concurrent callers share one fetch). When
///   the source is unreachable, the cached keys stay in use. Tokens verified
///   with a key that disappears from the set are dropped from the cache.
/// - Cache: a verified token is remembered by the SHA-256 of its text until
///   its `exp`, so repeat verification is a hash and a lookup.
/// - Revocation: the revoked-subject set is checked on every verification,
///   cached or not, for the token's subject and for its `jti` (one ended
///   session, `Identity/EndSession`).
///
/// Thread-safe: all state sits behind one `Mutex`; no lock is held across an
/// `await` or a signature check.
public final class TokenVerifier: Sendable {
    public let configuration: Configuration
    private let source: any SigningKeySource
    private let now: @Sendable () -> Int64
    private let state: Mutex<State>

    private struct State: Sendable {
        var keys: [String: Ed25519.PublicKey] = [:]
        var keysLoadedAt: Int64?
        var lastFetchStartedAt: Int64?
        var fetch: Task<Bool, Never>?
        var fetchCount = 0
        var cacheHits = 0
        var tokens: TokenCache
        var revocations = RevocationSet()
    }

    /// A verifier for `configuration`, with keys from `keySource` and time from
    /// `clock` (Unix seconds; injectable for tests).
    public init(
        configuration: Configuration, keySource: any SigningKeySource,
        clock: @escaping @Sendable () -> Int64 = TokenVerifier.systemClock
    ) {
        self.configuration = configuration
        self.source = keySource
        self.now = clock
        self.state = Mutex(State(tokens: TokenCache(capacity: configuration.tokenCacheCapacity)))
    }

    /// Verifies a token and returns who it speaks for; throws `AuthError`
    /// (`token_missing`, `token_malformed`, `unsupported_algorithm`,
    /// `unknown_key`, `bad_signature`, `token_expired`, `wrong_audience`,
    /// `subject_revoked`, …).
    public func verify(_ token: String) async throws(AuthError) -> VerifiedToken {
        guard !token.isEmpty else { throw .tokenMissing }
        guard token.utf8.count <= configuration.maximumTokenLength else { throw .tokenTooLarge }
        let hash = TokenHash(token)
        let now = self.now()
        let rules = configuration.rules

        enum Lookup { case hit(VerifiedToken), miss, expired, revoked }
        let lookup: Lookup = state.withLock { state in
            guard let entry = state.tokens[hash] else { return .miss }
            if rules.isExpired(expiresAt: entry.expiresAt, now: now) {
                state.tokens.remove(hash)
                return .expired
            }
            if state.revocations.isRevoked(entry.verified.claims, now: now) { return .revoked }
            state.cacheHits += 1
            return .hit(entry.verified)
        }
        switch lookup {
        case .hit(let verified): return verified
        case .expired: throw .tokenExpired
        case .revoked: throw .subjectRevoked
        case .miss: break
        }

        let jws = try withBytes(of: token) { bytes throws(AuthError) in
            try CompactJWS.parse(bytes, maximumLength: configuration.maximumTokenLength)
        }
        let key = try await publicKey(for: jws.keyID, now: now)
        let signatureValid = withBytes(of: token) { bytes in jws.hasValidSignature(token: bytes, key: key) }
        guard signatureValid else { throw .badSignature }
        let claims = try jws.claims()
        try claims.validate(against: rules, now: now)
        let verified = VerifiedToken(principal: try Principal(claims: claims), claims: claims, keyID: jws.keyID)

        let revoked: Bool = state.withLock { state in
            if state.revocations.isRevoked(claims, now: now) { return true }
            // A key removed while this token was being checked must not let it into the cache.
            if state.keys[jws.keyID] != nil {
                state.tokens.insert(
                    TokenCache.Entry(verified: verified, expiresAt: claims.expiresAt), for: hash,
                    isExpired: { rules.isExpired(expiresAt: $0, now: now) })
            }
            return false
        }
        if revoked { throw .subjectRevoked }
        return verified
    }

    /// Verifies the value of an `authorization` metadata entry, `Bearer <jwt>`
    /// (scheme case-insensitive). A missing or empty value is `token_missing`;
    /// another scheme is `token_malformed`.
    public func verify(authorization: String?) async throws(AuthError) -> VerifiedToken {
        guard let authorization, !authorization.isEmpty else { throw .tokenMissing }
        let scheme = "bearer "
        guard authorization.utf8.count > scheme.utf8.count,
            authorization.prefix(scheme.count).lowercased() == scheme
        else { throw .tokenMalformed }
        return try await verify(String(authorization.dropFirst(scheme.count)))
    }

    /// Refuses every token of `subject` until `until` (Unix seconds), cached or not.
    public func revoke(subject: String, until: Int64) {
        applyRevocations([Revocation(subject: subject, until: until)])
    }

    /// Adds a batch of revocations (as `Identity/ListRevocations` reports them)
    /// and forgets entries whose time has passed.
    public func applyRevocations(_ revocations: [Revocation]) {
        let now = self.now()
        state.withLock { state in
            for revocation in revocations { state.revocations.insert(revocation) }
            state.revocations.removeExpired(now: now)
        }
    }

    /// True when `subject` is currently revoked.
    public func isRevoked(subject: String) -> Bool {
        let now = self.now()
        return state.withLock { $0.revocations.isRevoked(subject, now: now) }
    }

    /// Fetches the key set now, whatever the cooldown; throws
    /// `signing_keys_unavailable` when the source fails (cached keys stay).
    public func refreshKeys() async throws(AuthError) {
        let task = state.withLock { state in startFetch(&state, now: now()) }
        guard await task.value else { throw .signingKeysUnavailable }
    }

    /// Whether a key set has been fetched, so tokens can be verified at all.
    public var holdsSigningKeys: Bool {
        state.withLock { $0.keysLoadedAt != nil && !$0.keys.isEmpty }
    }

    /// True when the verifier holds keys; otherwise starts a fetch (or joins
    /// the one under way; at most one per cooldown, so frequent callers such as
    /// health checks cannot hammer the source) and says whether keys are held
    /// once it has ended.
    public func loadKeysIfMissing() async -> Bool {
        let now = self.now()
        let configuration = self.configuration
        let fetch: Task<Bool, Never>? = state.withLock { state in
            if state.keysLoadedAt != nil && !state.keys.isEmpty { return nil }
            if let fetch = state.fetch { return fetch }
            let cooledDown = state.lastFetchStartedAt.map { now - $0 >= configuration.refreshCooldownSeconds } ?? true
            return cooledDown ? startFetch(&state, now: now) : nil
        }
        if let fetch { _ = await fetch.value }
        return holdsSigningKeys
    }

    /// Counters for metrics and diagnostics.
    public struct Statistics: Sendable, Hashable {
        /// Verified tokens currently cached.
        public var cachedTokens: Int
        /// Verifications answered from the cache.
        public var cacheHits: Int
        /// Key-set fetches started.
        public var keyFetches: Int
        /// Keys currently known.
        public var knownKeys: Int
        /// Subjects currently revoked.
        public var revokedSubjects: Int
    }

    /// A snapshot of the counters.
    public var statistics: Statistics {
        state.withLock {
            Statistics(
                cachedTokens: $0.tokens.count, cacheHits: $0.cacheHits, keyFetches: $0.fetchCount,
                knownKeys: $0.keys.count, revokedSubjects: $0.revocations.count)
        }
    }

    /// Waits for a background key fetch in progress, if any.
    func waitForKeyFetch() async {
        let task = state.withLock { $0.fetch }
        _ = await task?.value
    }

    // MARK: Keys

    /// The key for `keyID`, fetching the set when it is unknown (rate-limited)
    /// and starting a background refresh when the set is stale.
    private func publicKey(for keyID: String, now: Int64) async throws(AuthError) -> Ed25519.PublicKey {
        let configuration = self.configuration
        enum Plan { case use(Ed25519.PublicKey), wait(Task<Bool, Never>), unknown, unavailable }
        let plan: Plan = state.withLock { state in
            let cooledDown = state.lastFetchStartedAt.map { now - $0 >= configuration.refreshCooldownSeconds } ?? true
            if let key = state.keys[keyID] {
                let stale = state.keysLoadedAt.map { now - $0 >= configuration.keyRefreshIntervalSeconds } ?? true
                if stale, state.fetch == nil, cooledDown { _ = startFetch(&state, now: now) }
                return .use(key)
            }
            if let fetch = state.fetch { return .wait(fetch) }
            if cooledDown { return .wait(startFetch(&state, now: now)) }
            return state.keysLoadedAt == nil ? .unavailable : .unknown
        }
        switch plan {
        case .use(let key):
            return key
        case .unknown:
            throw .unknownKey
        case .unavailable:
            throw .signingKeysUnavailable
        case .wait(let fetch):
            _ = await fetch.value
            guard let key = state.withLock({ $0.keys[keyID] }) else {
                throw state.withLock({ $0.keysLoadedAt == nil }) ? .signingKeysUnavailable : .unknownKey
            }
            return key
        }
    }

    /// Starts (or joins) a fetch; the task yields whether it succeeded.
    private func startFetch(_ state: inout State, now: Int64) -> Task<Bool, Never> {
        if let fetch = state.fetch { return fetch }
        state.lastFetchStartedAt = now
        state.fetchCount += 1
        let task = Task { [self] in await performFetch() }
        state.fetch = task
        return task
    }

    private func performFetch() async -> Bool {
        let fetched: JWKSet?
        do {
            fetched = try await source.fetchSigningKeys()
        } catch {
            fetched = nil
        }
        let now = self.now()
        return state.withLock { state in
            state.fetch = nil
            guard let fetched else { return false }
            var keys: [String: Ed25519.PublicKey] = [:]
            for jwk in fetched.keys where keys[jwk.keyID] == nil { keys[jwk.keyID] = jwk.publicKey }
            let unchanged = Set(state.keys.filter { keys[$0.key] == $0.value }.keys)
            if unchanged.count != state.keys.count { state.tokens.removeTokens(signedByKeysOutside: unchanged) }
            state.keys = keys
            state.keysLoadedAt = now
            return true
        }
    }
}

/// Runs `body` over the UTF-8 bytes of `string` without copying when the
/// string is native.
@inline(__always)
func withBytes<R, E: Error>(of string: String, _ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
    let result: Result<R, E>? = string.utf8.withContiguousStorageIfAvailable { buffer in
        do throws(E) {
            return .success(try body(UnsafeRawBufferPointer(buffer)))
        } catch {
            return .failure(error)
        }
    }
    if let result { return try result.get() }
    let copy = Array(string.utf8)
    let copied: Result<R, E> = copy.withUnsafeBytes { buffer in
        do throws(E) {
            return .success(try body(buffer))
        } catch {
            return .failure(error)
        }
    }
    return try copied.get()
}
