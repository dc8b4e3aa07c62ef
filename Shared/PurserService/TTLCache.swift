import PurserRPC
import Synchronization

/// Answers fetched over RPC and reused for a while: the one TTL cache of the
/// services (Identity's facts in the Wallet, Policy and Email-alias; effective
/// policies in the Wallet).
///
/// Guarantees:
/// - an entry is served only while less than `ttl` has passed since its fetch
///   *started*, so whatever was committed more than `ttl` before a lookup is
///   visible to it;
/// - concurrent misses for one key share one fetch (a fetch still running
///   `ttl` after it started takes no more joiners: the next miss starts
///   another);
/// - a failed fetch is never cached: the next lookup fetches again (to
///   remember that something does not exist, make `Value` say so, e.g. an
///   optional);
/// - at most about `capacity` entries: a miss at capacity first drops the
///   expired entries, then all of them if it is still full.
package final class TTLCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    package typealias Instant = ContinuousClock.Instant

    /// How long a fetched value is served after its fetch started.
    package let ttl: Duration
    /// Entries kept before a miss drops expired ones (and then all).
    package let capacity: Int
    private let now: @Sendable () -> Instant
    private let entries = Mutex<[Key: Entry]>([:])

    private enum Entry {
        case ready(Value, fetchedAt: Instant)
        case loading(Task<Value, any Error>, started: Instant)
    }

    private enum Lookup {
        case hit(Value)
        case wait(Task<Value, any Error>)
    }

    /// A cache serving values for `ttl`; `now` is the clock (tests move it by hand).
    package init(ttl: Duration, capacity: Int, now: @escaping @Sendable () -> Instant = { ContinuousClock.now }) {
        self.ttl = ttl
        self.capacity = max(1, capacity)
        self.now = now
    }

    /// The value of `key`: the cached one while fresh, otherwise the one
    /// `fetch` answers (one fetch for all concurrent misses of `key`). Throws
    /// what `fetch` throws, and caches nothing then.
    package func value(
        for key: Key, fetch: @escaping @Sendable () async throws(RPCError) -> Value
    ) async throws(RPCError) -> Value {
        let now = self.now()
        let ttl = self.ttl
        let lookup: Lookup = entries.withLock { entries in
            switch entries[key] {
            case .ready(let value, let fetchedAt) where now < fetchedAt.advanced(by: ttl):
                return .hit(value)
            case .loading(let task, let started) where now < started.advanced(by: ttl):
                return .wait(task)
            default:
                if entries.count >= capacity { evict(&entries, now: now) }
                let task = Task { () async throws -> Value in try await fetch() }
                entries[key] = .loading(task, started: now)
                return .wait(task)
            }
        }
        let task: Task<Value, any Error>
        switch lookup {
        case .hit(let value): return value
        case .wait(let waiting): task = waiting
        }
        do {
            let value = try await task.value
            entries.withLock { entries in
                if case .loading(let current, let started) = entries[key], current == task {
                    entries[key] = .ready(value, fetchedAt: started)
                }
            }
            return value
        } catch {
            entries.withLock { entries in
                if case .loading(let current, _) = entries[key], current == task { entries[key] = nil }
            }
            if let error = error as? RPCError { throw error }
            throw RPCError(.internal, "a cached fetch failed: \(error)", reason: "internal", cause: error)
        }
    }

    /// Drops the entry of `key`, so the next lookup fetches.
    package func invalidate(_ key: Key) {
        _ = entries.withLock { $0.removeValue(forKey: key) }
    }

    /// Drops every entry whose key matches `predicate`.
    package func invalidate(where predicate: (Key) -> Bool) {
        entries.withLock { entries in
            entries = entries.filter { !predicate($0.key) }
        }
    }

    /// Entries held now, fresh or not, fetched or being fetched.
    package var count: Int { entries.withLock { $0.count } }

    private func evict(_ entries: inout [Key: Entry], now: Instant) {
        let ttl = self.ttl
        entries = entries.filter { _, entry in
            switch entry {
            case .ready(_, let fetchedAt): now < fetchedAt.advanced(by: ttl)
            case .loading: true
            }
        }
        if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
    }
}
