import Testing
@testable import PurserRPC

/// The server's stream rules, without sockets.
@Suite struct ServerStreamsTests {
    @Test func admitsUpToTheLimitThenRefusesWithResourceExhausted() {
        var streams = ServerStreams<String>(maximumConcurrentStreams: 3)
        for stream in UInt32(1)...3 {
            guard case .admit = streams.admit(stream: stream, methodKnown: true) else {
                Issue.record("stream \(stream) should be admitted")
                return
            }
        }
        #expect(streams.admit(stream: 4, methodKnown: true) == .refuse(
            .resourceExhausted, message: "too many calls in flight on this connection (limit 3)", reason: "too_many_streams"))
        #expect(streams.inFlightCount == 3)
    }

    @Test func finishingACallFreesItsSlot() throws {
        var streams = ServerStreams<String>(maximumConcurrentStreams: 1)
        guard case .admit(let token) = streams.admit(stream: 1, methodKnown: true) else {
            Issue.record("stream 1 should be admitted")
            return
        }
        streams.attach("task-1", stream: 1, token: token)
        #expect(streams.finish(stream: 1, token: token) == .some("task-1"))
        guard case .admit = streams.admit(stream: 2, methodKnown: true) else {
            Issue.record("stream 2 should be admitted once stream 1 finished")
            return
        }
    }

    @Test func unknownMethodIsRefusedWithoutTakingASlot() {
        var streams = ServerStreams<String>(maximumConcurrentStreams: 4)
        #expect(streams.admit(stream: 9, methodKnown: false) == .refuse(.unimplemented, message: "method is not implemented", reason: "unknown_method"))
        #expect(streams.inFlightCount == 0)
        #expect(streams.highestStream == 9)
    }

    @Test func duplicateStreamInFlightIsAProtocolViolation() {
        var streams = ServerStreams<String>(maximumConcurrentStreams: 4)
        _ = streams.admit(stream: 5, methodKnown: true)
        #expect(streams.admit(stream: 5, methodKnown: true) == .protocolViolation("stream 5 is already in flight"))
    }

    @Test func staleCompletionAfterCancelAndReuseIsIgnored() {
        var streams = ServerStreams<String>(maximumConcurrentStreams: 4)
        guard case .admit(let first) = streams.admit(stream: 7, methodKnown: true) else { return }
        streams.attach("first", stream: 7, token: first)
        #expect(streams.cancel(stream: 7) == .some("first"))
        #expect(streams.cancel(stream: 7) == nil)
        guard case .admit(let second) = streams.admit(stream: 7, methodKnown: true) else {
            Issue.record("a cancelled stream id may be reused")
            return
        }
        #expect(streams.finish(stream: 7, token: first) == nil, "the first call's late completion must not answer the second")
        #expect(streams.finish(stream: 7, token: second) != nil)
    }

    @Test func drainRefusesStreamsAboveTheLastAndFinishesTheRest() {
        var streams = ServerStreams<String>(maximumConcurrentStreams: 8)
        guard case .admit(let token1) = streams.admit(stream: 1, methodKnown: true),
              case .admit(let token3) = streams.admit(stream: 3, methodKnown: true) else { return }
        #expect(streams.beginDrain() == 3)
        #expect(streams.beginDrain() == nil, "GOAWAY is announced once")
        #expect(streams.admit(stream: 5, methodKnown: true) == .refuse(.unavailable, message: "server is shutting down", reason: "draining"))
        #expect(!streams.isDrained)
        _ = streams.finish(stream: 1, token: token1)
        #expect(!streams.isDrained)
        _ = streams.finish(stream: 3, token: token3)
        #expect(streams.isDrained)
    }

    @Test func lowerStreamArrivingDuringDrainIsStillServed() {
        var streams = ServerStreams<String>(maximumConcurrentStreams: 8)
        _ = streams.admit(stream: 10, methodKnown: true)
        _ = streams.beginDrain()
        guard case .admit = streams.admit(stream: 8, methodKnown: true) else {
            Issue.record("streams at or below last_stream are accepted while draining")
            return
        }
    }

    @Test func closingHandsBackEveryAttachedHandle() {
        var streams = ServerStreams<String>(maximumConcurrentStreams: 8)
        for stream in UInt32(1)...3 {
            if case .admit(let token) = streams.admit(stream: stream, methodKnown: true) { streams.attach("t\(stream)", stream: stream, token: token) }
        }
        #expect(streams.removeAll().sorted() == ["t1", "t2", "t3"])
        #expect(streams.inFlightCount == 0)
    }
}

/// The event loop's timer heap, without a loop.
@Suite struct TimerHeapTests {
    @Test func popsInDeadlineOrderAndSkipsRemovedTimers() {
        var heap = TimerHeap()
        var generator = SystemRandomNumberGenerator()
        let timers = (0..<500).map { _ in LoopTimer(deadline: UInt64.random(in: 1...1_000_000, using: &generator), callback: {}) }
        for timer in timers { heap.insert(timer) }
        let removed = Set(timers.indices.filter { $0 % 3 == 0 }.map { ObjectIdentifier(timers[$0]) })
        for timer in timers where removed.contains(ObjectIdentifier(timer)) { heap.remove(timer) }
        var popped: [UInt64] = []
        while let timer = heap.popExpired(now: .max) {
            #expect(!removed.contains(ObjectIdentifier(timer)))
            popped.append(timer.deadline)
        }
        #expect(popped == popped.sorted())
        #expect(popped.count == timers.count - removed.count)
    }

    @Test func onlyExpiredTimersPop() {
        var heap = TimerHeap()
        let early = LoopTimer(deadline: 10, callback: {})
        let late = LoopTimer(deadline: 20, callback: {})
        heap.insert(late)
        heap.insert(early)
        #expect(heap.popExpired(now: 5) == nil)
        #expect(heap.popExpired(now: 15) === early)
        #expect(heap.popExpired(now: 15) == nil)
        #expect(heap.earliestDeadline == 20)
        heap.remove(late)
        heap.remove(late)
        #expect(heap.earliestDeadline == nil)
    }
}
