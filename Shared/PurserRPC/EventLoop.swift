import CLinux
import Foundation
import Synchronization

/// Something registered with an event loop that reacts to epoll readiness.
/// Called only on its loop's thread.
public protocol EventHandler: AnyObject {
    /// epoll reported `events` (a mask of `EpollEvents`) for the handler's descriptor.
    func handleEvent(_ events: UInt32)
}

/// epoll readiness bits (`<sys/epoll.h>`).
public enum EpollEvents {
    /// `EPOLLIN`: data to read, or a connection to accept.
    public static let readable: UInt32 = 0x001
    /// `EPOLLOUT`: room to write.
    public static let writable: UInt32 = 0x004
    /// `EPOLLERR`: an error on the descriptor (always reported).
    public static let error: UInt32 = 0x008
    /// `EPOLLHUP`: the peer hung up (always reported).
    public static let hangUp: UInt32 = 0x010
    /// `EPOLLRDHUP`: the peer shut down its writing half.
    public static let readHangUp: UInt32 = 0x2000
    /// `EPOLLEXCLUSIVE`: wake one of the loops watching a shared descriptor.
    public static let exclusive: UInt32 = 1 << 28
}

/// One thread running an epoll loop. Sockets, timers and connection state
/// registered here are touched only by this thread; other threads hand work
/// over with `execute`, which costs one lock and at most one eventfd write per
/// batch (the loop drains the whole queue per wakeup).
///
/// After each round of events the loop runs its flush list, so many responses
/// completed in one round leave in one TLS write.
///
/// The RPC server and client run on these loops, and so does any other
/// protocol of the services that needs non-blocking sockets (the SMTP
/// listener): the methods marked loop-thread must be called on the loop's
/// own thread (from a handler, a timer, or work passed to `execute`).
public final class EventLoop: @unchecked Sendable {
    /// The loop thread's name.
    public let name: String
    private let epollFD: Int32
    private let wakeFD: Int32
    private let queue = Mutex<WorkQueue>(WorkQueue())
    /// Serialises work submitted after the loop thread ended (see `execute`).
    private let afterStop = Mutex<Void>(())
    private let wakePending = Atomic<Bool>(false)
    private let stopping = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)

    // Confined to the loop thread.
    private var handlers: [Int32: EventHandler] = [:]
    private var timers = TimerHeap()
    private var flushList: [() -> Void] = []
    private var nextRound: [() -> Void] = []
    /// Scratch space for reads, reused by every connection on this loop;
    /// loop-thread only, and its contents last until the handler returns.
    public let readBuffer: UnsafeMutableRawBufferPointer

    /// A loop (not yet running) with its epoll and wake-up descriptors; also
    /// makes SIGPIPE ignored for the process. Throws `event_loop_failed`
    /// when the kernel refuses them.
    public init(name: String) throws(RPCError) {
        EventLoop.ignoreBrokenPipes
        self.name = name
        epollFD = purser_epoll_create()
        wakeFD = purser_eventfd(0)
        readBuffer = .allocate(byteCount: 64 * 1024, alignment: 16)
        guard epollFD >= 0, wakeFD >= 0 else {
            throw RPCError(.internal, "cannot create epoll/eventfd: errno \(purser_errno())", reason: "event_loop_failed")
        }
        _ = purser_epoll_ctl(epollFD, EPOLL_CTL_ADD, wakeFD, EpollEvents.readable, UInt64(UInt32(bitPattern: wakeFD)))
    }

    /// OpenSSL writes to sockets with write(2), so a peer that vanished would
    /// raise SIGPIPE and kill the process; the error return is handled instead.
    private static let ignoreBrokenPipes: Void = {
        _ = signal(SIGPIPE, SIG_IGN)
    }()

    deinit {
        close(epollFD)
        close(wakeFD)
        readBuffer.deallocate()
    }

    /// Starts the loop's thread.
    public func start() {
        let thread = Thread { [self] in
            run()
            finished.signal()
        }
        thread.name = name
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Asks the loop to finish its current round and exit, then waits for it.
    public func stopAndWait() {
        stopping.store(true, ordering: .releasing)
        wake()
        finished.wait()
    }

    /// Runs `work` on the loop thread, in submission order. Once the loop has
    /// stopped, `work` runs at once on the caller's thread, one item at a time,
    /// so late completions still resume their waiters instead of vanishing.
    public func execute(_ work: @escaping @Sendable () -> Void) {
        let queued = queue.withLock { queue -> Bool in
            guard !queue.terminated else { return false }
            queue.items.append(work)
            return true
        }
        if queued {
            wake()
        } else {
            afterStop.withLock { _ in work() }
        }
    }

    private func wake() {
        if !wakePending.exchange(true, ordering: .acquiringAndReleasing) {
            _ = purser_eventfd_signal(wakeFD)
        }
    }

    // MARK: Loop-thread API

    /// Watches `fd` for `events`, delivering readiness to `handler`, which the
    /// loop keeps until `unregister`; `false` when epoll refuses the
    /// descriptor. Loop-thread only.
    public func register(_ fd: Int32, events: UInt32, handler: EventHandler) -> Bool {
        handlers[fd] = handler
        return purser_epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, events, UInt64(UInt32(bitPattern: fd))) == 0
    }

    /// Changes the events watched on a registered `fd`. Loop-thread only.
    public func modify(_ fd: Int32, events: UInt32) {
        _ = purser_epoll_ctl(epollFD, EPOLL_CTL_MOD, fd, events, UInt64(UInt32(bitPattern: fd)))
    }

    /// Stops watching `fd` and releases its handler (the caller closes it). Loop-thread only.
    public func unregister(_ fd: Int32) {
        _ = purser_epoll_ctl(epollFD, EPOLL_CTL_DEL, fd, 0, 0)
        handlers[fd] = nil
    }

    /// Every handler registered now, e.g. to tell each connection to drain. Loop-thread only.
    public var registeredHandlers: [EventHandler] { Array(handlers.values) }

    /// Runs `callback` on the loop after `delay` nanoseconds (monotonic clock,
    /// to the next millisecond) unless cancelled first. Loop-thread only.
    public func schedule(afterNanoseconds delay: UInt64, _ callback: @escaping () -> Void) -> LoopTimer {
        let timer = LoopTimer(deadline: purser_monotonic_ns() &+ delay, callback: callback)
        timers.insert(timer)
        return timer
    }

    /// Cancels a timer scheduled on this loop; harmless if it already fired. Loop-thread only.
    public func cancel(_ timer: LoopTimer) {
        timers.remove(timer)
    }

    /// Runs `flush` once after the current round of events.
    package func enqueueFlush(_ flush: @escaping () -> Void) {
        flushList.append(flush)
    }

    /// Runs `work` in the next round, after other ready sockets had their turn.
    package func deferToNextRound(_ work: @escaping () -> Void) {
        nextRound.append(work)
    }

    private func run() {
        let capacity = 256
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: capacity)
        defer { events.deallocate() }
        while !stopping.load(ordering: .acquiring) {
            var timeout: Int32 = -1
            if let next = timers.earliestDeadline {
                let now = purser_monotonic_ns()
                timeout = next <= now ? 0 : Int32(min((next - now + 999_999) / 1_000_000, 60_000))
            }
            if !flushList.isEmpty || !nextRound.isEmpty { timeout = 0 }
            let deferred = nextRound
            nextRound.removeAll(keepingCapacity: true)
            let count = purser_epoll_wait(epollFD, events, Int32(capacity), timeout)
            if count > 0 {
                for index in 0..<Int(count) {
                    let fd = Int32(bitPattern: UInt32(truncatingIfNeeded: purser_epoll_event_data(events + index)))
                    let mask = purser_epoll_event_events(events + index)
                    if fd == wakeFD {
                        _ = purser_eventfd_drain(wakeFD)
                        continue
                    }
                    handlers[fd]?.handleEvent(mask)
                }
            }
            for work in deferred { work() }
            runQueuedWork()
            runExpiredTimers()
            runFlushes()
        }
        queue.withLock { $0.terminated = true }
        runQueuedWork()
    }

    private func runQueuedWork() {
        wakePending.store(false, ordering: .releasing)
        let work = queue.withLock { queue -> [@Sendable () -> Void] in
            let taken = queue.items
            queue.items.removeAll(keepingCapacity: true)
            return taken
        }
        for item in work { item() }
    }

    private func runExpiredTimers() {
        guard timers.earliestDeadline != nil else { return }
        let now = purser_monotonic_ns()
        while let timer = timers.popExpired(now: now) {
            timer.callback()
        }
    }

    private func runFlushes() {
        while !flushList.isEmpty {
            let list = flushList
            flushList.removeAll(keepingCapacity: true)
            for flush in list { flush() }
        }
    }
}

/// Work handed to a loop from other threads.
struct WorkQueue {
    var items: [@Sendable () -> Void] = []
    /// Set when the loop thread has ended; later work runs on the submitter's thread.
    var terminated = false
}

/// A one-shot timer on an event loop; cancel it with `EventLoop.cancel`.
public final class LoopTimer {
    let deadline: UInt64
    let callback: () -> Void
    fileprivate var heapIndex = -1

    init(deadline: UInt64, callback: @escaping () -> Void) {
        self.deadline = deadline
        self.callback = callback
    }
}

/// Binary min-heap of timers by deadline with O(log n) removal.
struct TimerHeap {
    private var items: [LoopTimer] = []

    var earliestDeadline: UInt64? { items.first?.deadline }

    mutating func insert(_ timer: LoopTimer) {
        timer.heapIndex = items.count
        items.append(timer)
        siftUp(items.count - 1)
    }

    mutating func remove(_ timer: LoopTimer) {
        let index = timer.heapIndex
        guard index >= 0, index < items.count, items[index] === timer else { return }
        timer.heapIndex = -1
        let last = items.removeLast()
        guard index < items.count else { return }
        items[index] = last
        last.heapIndex = index
        siftDown(index)
        siftUp(index)
    }

    mutating func popExpired(now: UInt64) -> LoopTimer? {
        guard let first = items.first, first.deadline <= now else { return nil }
        remove(first)
        return first
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child].deadline < items[parent].deadline else { return }
            swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < items.count else { return }
            var smallest = left
            if left + 1 < items.count && items[left + 1].deadline < items[left].deadline { smallest = left + 1 }
            guard items[smallest].deadline < items[parent].deadline else { return }
            swapAt(smallest, parent)
            parent = smallest
        }
    }

    private mutating func swapAt(_ a: Int, _ b: Int) {
        items.swapAt(a, b)
        items[a].heapIndex = a
        items[b].heapIndex = b
    }
}
