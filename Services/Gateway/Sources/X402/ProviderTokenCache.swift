import PurserAuth
import Synchronization

/// Provider bearer tokens Identity has accepted, by SHA-256 of the token,
/// until the earlier of the token's own expiry and `lifetime`, as every
/// service caches verified tokens: a provider's verify-then-settle costs one
/// Identity check instead of two. Only tokens Identity accepted are stored (a
/// refusal is never cached); at `capacity` the expired entries go, and if none
/// has expired, all do.
final class ProviderTokenCache: Sendable {
    private let lifetime: Int64
    private let capacity: Int
    private let entries = Mutex<[[UInt8]: (provider: String, until: Int64)]>([:])

    init(lifetimeSeconds: Int64 = 60, capacity: Int = 10_000) {
        lifetime = lifetimeSeconds
        self.capacity = capacity
    }

    /// The provider `token` was accepted for, while the entry lasts at `now` (Unix seconds).
    func provider(of token: String, now: Int64) -> String? {
        let key = SHA256Digest.hash(Array(token.utf8))
        return entries.withLock { entries in
            guard let entry = entries[key] else { return nil }
            guard now < entry.until else {
                entries[key] = nil
                return nil
            }
            return entry.provider
        }
    }

    /// Remembers that Identity accepted `token` as `provider`'s, until its `expiresAt` (at most `lifetime` from `now`).
    func insert(_ token: String, provider: String, expiresAt: Int64, now: Int64) {
        let key = SHA256Digest.hash(Array(token.utf8))
        let until = min(expiresAt, now + lifetime)
        guard until > now else { return }
        entries.withLock { entries in
            if entries.count >= capacity {
                entries = entries.filter { now < $0.value.until }
                if entries.count >= capacity { entries.removeAll() }
            }
            entries[key] = (provider, until)
        }
    }
}
