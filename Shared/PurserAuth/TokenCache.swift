/// Verified tokens keyed by the SHA-256 of the token text, each kept until
/// its `exp`. Bounded: when full, expired entries go first, then an arbitrary
/// eighth of the rest, so inserts stay amortized O(1). Pure value type.
struct TokenCache: Sendable {
    struct Entry: Sendable {
        let verified: VerifiedToken
        let expiresAt: Int64
    }

    let capacity: Int
    private(set) var entries: [TokenHash: Entry] = [:]

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    var count: Int { entries.count }

    subscript(hash: TokenHash) -> Entry? {
        entries[hash]
    }

    mutating func remove(_ hash: TokenHash) {
        entries[hash] = nil
    }

    mutating func insert(_ entry: Entry, for hash: TokenHash, isExpired: (Int64) -> Bool) {
        if entries.count >= capacity, entries[hash] == nil {
            entries = entries.filter { !isExpired($0.value.expiresAt) }
            if entries.count >= capacity {
                let victims = Array(entries.keys.prefix(max(1, capacity / 8)))
                for victim in victims { entries[victim] = nil }
            }
        }
        entries[hash] = entry
    }

    /// Drops every token verified with a key that is no longer published.
    mutating func removeTokens(signedByKeysOutside keyIDs: Set<String>) {
        entries = entries.filter { keyIDs.contains($0.value.verified.keyID) }
    }
}
