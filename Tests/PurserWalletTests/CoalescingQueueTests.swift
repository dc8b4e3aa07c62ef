import PurserTestSupport
import Testing
@testable import PurserWallet

/// Plain names share one partition, so batches mix them freely.
extension String: CoalescingKey {
    public var partition: Int { 0 }
}

/// A key whose partition is its tenant, as the coalescer's keys are.
struct TenantAgent: CoalescingKey {
    var tenant: String
    var agent: String
    public var partition: String { tenant }
}

@Suite struct CoalescingQueueTests {
    typealias Queue = CoalescingQueue<String, Int>

    @Test func theFirstArrivalRunsAtOnceAndLaterOnesOfItsKeyWaitInOrder() throws {
        var queue = Queue(maximumBatch: 3)
        let first = queue.arrive("a", 1)
        #expect(first == [Queue.Group(key: "a", elements: [1])])
        #expect(queue.arrive("a", 2) == nil)
        #expect(queue.arrive("a", 3) == nil)
        #expect(queue.arrive("a", 4) == nil)
        #expect(queue.arrive("a", 5) == nil)
        let second = queue.finished(try #require(first))
        #expect(second == [[Queue.Group(key: "a", elements: [2, 3, 4])]])
        #expect(queue.arrive("a", 6) == nil)
        let third = queue.finished(second[0])
        #expect(third == [[Queue.Group(key: "a", elements: [5, 6])]])
        #expect(queue.finished(third[0]).isEmpty)
        #expect(queue.busyKeys == 0)
        #expect(queue.inFlight == 0)
        #expect(queue.arrive("a", 7) == [Queue.Group(key: "a", elements: [7])])
    }

    @Test func waitingRequestsOfDifferentKeysShareOneBatchGroupedByKey() throws {
        var queue = Queue(maximumBatch: 128, maximumInFlight: 1)
        let first = queue.arrive("a", 1)
        #expect(queue.arrive("b", 2) == nil)
        #expect(queue.arrive("c", 3) == nil)
        #expect(queue.arrive("b", 4) == nil)
        #expect(queue.arrive("a", 5) == nil)
        let next = queue.finished(try #require(first))
        #expect(next == [[
            Queue.Group(key: "b", elements: [2, 4]), Queue.Group(key: "c", elements: [3]), Queue.Group(key: "a", elements: [5]),
        ]])
        #expect(queue.busyKeys == 3)
    }

    @Test func aBusyKeyWaitsWhileOtherKeysUseFreeSlots() throws {
        var queue = Queue(maximumBatch: 128, maximumInFlight: 2)
        let a = queue.arrive("a", 1)
        #expect(a != nil)
        #expect(queue.arrive("a", 2) == nil)
        let b = queue.arrive("b", 3)
        #expect(b == [Queue.Group(key: "b", elements: [3])])
        #expect(queue.arrive("c", 4) == nil)
        #expect(queue.inFlight == 2)
        let afterB = queue.finished(try #require(b))
        #expect(afterB == [[Queue.Group(key: "c", elements: [4])]])
        #expect(queue.waitingCount == 1)
        let afterA = queue.finished(try #require(a))
        #expect(afterA == [[Queue.Group(key: "a", elements: [2])]])
    }

    @Test func aFullBatchLeavesTheRestOfAKeyForTheNextOne() throws {
        var queue = Queue(maximumBatch: 2, maximumInFlight: 1)
        let first = queue.arrive("x", 0)
        for element in 1...3 { #expect(queue.arrive("a", element) == nil) }
        #expect(queue.arrive("b", 4) == nil)
        let second = queue.finished(try #require(first))
        #expect(second == [[Queue.Group(key: "a", elements: [1, 2])]])
        let third = queue.finished(second[0])
        #expect(third == [[Queue.Group(key: "a", elements: [3]), Queue.Group(key: "b", elements: [4])]])
    }

    /// Random arrivals and completions: every element runs exactly once, a
    /// key's elements run in arrival order, batches respect both bounds and a
    /// key is never in two running batches.
    @Test(arguments: [(1, 1), (2, 1), (7, 2), (128, 4)])
    func everyArrivalRunsExactlyOnceInArrivalOrderPerKey(maximumBatch: Int, maximumInFlight: Int) {
        var generator = SeededGenerator(seed: UInt64(maximumBatch * 31 + maximumInFlight))
        var queue = Queue(maximumBatch: maximumBatch, maximumInFlight: maximumInFlight)
        var running: [[Queue.Group]] = []
        var ran: [String: [Int]] = [:]
        var arrived: [String: [Int]] = [:]
        func start(_ batch: [Queue.Group]) {
            #expect(batch.reduce(0) { $0 + $1.elements.count } <= maximumBatch)
            let keys = Set(batch.map(\.key))
            #expect(keys.count == batch.count)
            #expect(running.allSatisfy { Set($0.map(\.key)).isDisjoint(with: keys) })
            running.append(batch)
            #expect(running.count <= maximumInFlight)
        }
        func finishOne() {
            let index = Int(generator.next() % UInt64(running.count))
            let batch = running.remove(at: index)
            for group in batch { ran[group.key, default: []] += group.elements }
            for next in queue.finished(batch) { start(next) }
        }
        for element in 0..<600 {
            let key = "k\(generator.next() % 5)"
            arrived[key, default: []].append(element)
            if let batch = queue.arrive(key, element) { start(batch) }
            if generator.next() % 3 == 0, !running.isEmpty { finishOne() }
        }
        while !running.isEmpty { finishOne() }
        #expect(ran == arrived)
        #expect(queue.busyKeys == 0)
        #expect(queue.waitingCount == 0)
        #expect(queue.inFlight == 0)
    }

    @Test func aBatchTakesOnePartitionAndLeavesTheOthersForLaterBatches() throws {
        typealias Tenanted = CoalescingQueue<TenantAgent, Int>
        let a1 = TenantAgent(tenant: "t1", agent: "a"), b1 = TenantAgent(tenant: "t1", agent: "b")
        let a2 = TenantAgent(tenant: "t2", agent: "a"), c2 = TenantAgent(tenant: "t2", agent: "c")
        var queue = Tenanted(maximumBatch: 128, maximumInFlight: 1)
        let first = queue.arrive(a1, 0)
        #expect(queue.arrive(a2, 1) == nil)
        #expect(queue.arrive(b1, 2) == nil)
        #expect(queue.arrive(c2, 3) == nil)
        #expect(queue.arrive(b1, 4) == nil)
        let second = queue.finished(try #require(first))
        #expect(second == [[Tenanted.Group(key: a2, elements: [1]), Tenanted.Group(key: c2, elements: [3])]])
        let third = queue.finished(second[0])
        #expect(third == [[Tenanted.Group(key: b1, elements: [2, 4])]])
        #expect(queue.finished(third[0]).isEmpty)
        #expect(queue.waitingCount == 0)
    }

    @Test func aBusyKeyDoesNotChooseThePartitionOfTheNextBatch() throws {
        typealias Tenanted = CoalescingQueue<TenantAgent, Int>
        let a1 = TenantAgent(tenant: "t1", agent: "a"), b2 = TenantAgent(tenant: "t2", agent: "b")
        var queue = Tenanted(maximumBatch: 128, maximumInFlight: 2)
        let started = queue.arrive(a1, 0), alsoStarted = queue.arrive(b2, 1)
        let running = try #require(started), other = try #require(alsoStarted)
        #expect(queue.arrive(a1, 2) == nil)
        #expect(queue.arrive(b2, 3) == nil)
        // a1 is still running: the batch started when b2's finishes is t2's, not t1's.
        #expect(queue.finished(other) == [[Tenanted.Group(key: b2, elements: [3])]])
        #expect(queue.finished(running) == [[Tenanted.Group(key: a1, elements: [2])]])
    }
}
