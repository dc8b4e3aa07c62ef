import PurserTestSupport
import Testing
@testable import PurserWallet

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
}

