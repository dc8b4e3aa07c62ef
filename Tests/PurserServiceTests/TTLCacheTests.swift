import PurserRPC
import PurserService
import PurserTestSupport
import Synchronization
import Testing

@Suite("The TTL cache over RPC (pure, a hand-moved clock)")
struct TTLCacheTests {
    /// A clock that moves only when told to.
    final class HandClock: Sendable {
        private let start = ContinuousClock.now
        private let offset = Mutex<Duration>(.zero)

        var now: ContinuousClock.Instant { start.advanced(by: offset.withLock { $0 }) }
        func advance(by duration: Duration) { offset.withLock { $0 += duration } }
    }

    /// A fetch that counts its calls and answers `"<key>#<call>"`.
    final class Source: Sendable {
        let calls = Atomic<Int>(0)
        func fetch(_ key: String) -> @Sendable () async throws(RPCError) -> String {
            { "\(key)#\(self.calls.add(1, ordering: .relaxed).newValue)" }
        }
    }

    static let ttl = Duration.seconds(10)

    @Test func aValueIsServedUntilTTLHasPassedSinceItsFetch() async throws {
        let clock = HandClock()
        let cache = TTLCache<String, String>(ttl: Self.ttl, capacity: 10, now: { clock.now })
        let source = Source()
        #expect(try await cache.value(for: "a", fetch: source.fetch("a")) == "a#1")
        clock.advance(by: Self.ttl - .nanoseconds(1))
        #expect(try await cache.value(for: "a", fetch: source.fetch("a")) == "a#1")
        clock.advance(by: .nanoseconds(1))
        #expect(try await cache.value(for: "a", fetch: source.fetch("a")) == "a#2")
        #expect(try await cache.value(for: "b", fetch: source.fetch("b")) == "b#3")
        #expect(source.calls.load(ordering: .relaxed) == 3)
    }

    @Test func aFailedFetchIsNotCachedAndKeepsItsStatusAndReason() async throws {
        let cache = TTLCache<String, String>(ttl: Self.ttl, capacity: 10)
        let down = RPCError(.unavailable, "identity is down", reason: "identity_unavailable")
        let error = await rpcError { _ = try await cache.value(for: "a") { () async throws(RPCError) -> String in throw down } }
        #expect(error == down)
        #expect(cache.count == 0)
        let source = Source()
        #expect(try await cache.value(for: "a", fetch: source.fetch("a")) == "a#1")
        #expect(cache.count == 1)
    }

    @Test func concurrentMissesShareOneFetch() async throws {
        let cache = TTLCache<String, String>(ttl: Self.ttl, capacity: 10)
        let calls = Atomic<Int>(0)
        let (gate, open) = AsyncStream<Void>.makeStream()
        let fetch: @Sendable () async throws(RPCError) -> String = {
            calls.add(1, ordering: .relaxed)
            for await _ in gate { break }
            return "shared"
        }
        let answers = try await withThrowingTaskGroup(of: String.self) { group in
            group.addTask { try await cache.value(for: "a", fetch: fetch) }
            try await waitUntil("the first fetch started", timeout: .seconds(10)) { calls.load(ordering: .relaxed) == 1 }
            for _ in 0..<20 { group.addTask { try await cache.value(for: "a", fetch: fetch) } }
            open.yield()
            open.finish()
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(answers == Array(repeating: "shared", count: 21))
        #expect(calls.load(ordering: .relaxed) == 1)
    }

    @Test func atCapacityExpiredEntriesGoFirstThenAll() async throws {
        let clock = HandClock()
        let cache = TTLCache<String, String>(ttl: Self.ttl, capacity: 2, now: { clock.now })
        let source = Source()
        _ = try await cache.value(for: "a", fetch: source.fetch("a"))
        clock.advance(by: Self.ttl)
        _ = try await cache.value(for: "b", fetch: source.fetch("b"))
        #expect(cache.count == 2)
        // Full: the expired "a" goes, the fresh "b" stays.
        _ = try await cache.value(for: "c", fetch: source.fetch("c"))
        #expect(cache.count == 2)
        #expect(try await cache.value(for: "b", fetch: source.fetch("b")) == "b#2")
        // Full of fresh entries: all go.
        _ = try await cache.value(for: "d", fetch: source.fetch("d"))
        #expect(cache.count == 1)
        #expect(try await cache.value(for: "b", fetch: source.fetch("b")) == "b#5")
    }

    @Test func invalidatedEntriesAreFetchedAgain() async throws {
        let cache = TTLCache<String, String>(ttl: Self.ttl, capacity: 10)
        let source = Source()
        for key in ["t1/a", "t1/b", "t2/a"] { _ = try await cache.value(for: key, fetch: source.fetch(key)) }
        cache.invalidate("t2/a")
        #expect(try await cache.value(for: "t2/a", fetch: source.fetch("t2/a")) == "t2/a#4")
        cache.invalidate { $0.hasPrefix("t1/") }
        #expect(cache.count == 1)
        #expect(try await cache.value(for: "t1/b", fetch: source.fetch("t1/b")) == "t1/b#5")
    }
}
