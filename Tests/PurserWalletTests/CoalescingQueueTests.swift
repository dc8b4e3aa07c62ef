import Testing
@testable import PurserWallet

@Suite struct CoalescingQueueTests {
    @Test func theFirstArrivalRunsAtOnceAndLaterOnesWaitInOrder() {
        var queue = CoalescingQueue<String, Int>(maximumBatch: 3)
        #expect(queue.arrive("a", 1) == [1])
        #expect(queue.arrive("a", 2) == nil)
        #expect(queue.arrive("a", 3) == nil)
        #expect(queue.arrive("a", 4) == nil)
        #expect(queue.arrive("a", 5) == nil)
        #expect(queue.finished("a") == [2, 3, 4])
        #expect(queue.arrive("a", 6) == nil)
        #expect(queue.finished("a") == [5, 6])
        #expect(queue.finished("a") == nil)
        #expect(queue.busyKeys == 0)
        #expect(queue.arrive("a", 7) == [7])
    }

    @Test func keysAreIndependent() {
        var queue = CoalescingQueue<String, Int>(maximumBatch: 128)
        #expect(queue.arrive("a", 1) == [1])
        #expect(queue.arrive("b", 2) == [2])
        #expect(queue.arrive("a", 3) == nil)
        #expect(queue.busyKeys == 2)
        #expect(queue.finished("b") == nil)
        #expect(queue.arrive("b", 4) == [4])
        #expect(queue.finished("a") == [3])
        #expect(queue.finished("a") == nil)
        #expect(queue.finished("b") == nil)
        #expect(queue.busyKeys == 0)
    }

    @Test(arguments: [1, 2, 7, 128])
    func everyArrivalRunsExactlyOnceInArrivalOrder(maximumBatch: Int) {
        var queue = CoalescingQueue<Int, Int>(maximumBatch: maximumBatch)
        var ran: [Int] = []
        var inFlight: [Int]? = nil
        for element in 0..<500 {
            if let batch = queue.arrive(0, element) {
                #expect(inFlight == nil)
                inFlight = batch
            }
            if element % 11 == 10, let batch = inFlight {
                #expect(batch.count <= maximumBatch)
                ran += batch
                inFlight = queue.finished(0)
            }
        }
        while let batch = inFlight {
            #expect(batch.count <= maximumBatch)
            ran += batch
            inFlight = queue.finished(0)
        }
        #expect(ran == Array(0..<500))
        #expect(queue.busyKeys == 0)
    }
}
