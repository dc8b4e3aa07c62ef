import CLinux
import Foundation
import Synchronization

/// Something registered with an `SMTPEventLoop`; called only on the loop's thread.
protocol SMTPEventHandler: AnyObject {
    /// epoll reported `events` for the handler's descriptor.
    func handleEvent(_ events: UInt32)
    /// The loop's periodic deadline check (monotonic nanoseconds).
    func checkDeadline(now: UInt64)
}

/// epoll readiness bits (`<sys/epoll.h>`).
enum SMTPEpoll {
    static let readable: UInt32 = 0x001
    static let writable: UInt32 = 0x004
    static let error: UInt32 = 0x008
    static let hangUp: UInt32 = 0x010
}

/// One thread running an epoll loop for SMTP connections. Descriptors and
/// connection state registered here are touched only by this thread; other
/// threads (database completions, shutdown) hand work over with `execute`.
/// Deadlines are checked every `tick` while anything is registered, so an
/// idle client is closed within one tick of its timeout.
final class SMTPEventLoop: @unchecked Sendable {
    let name: String
    private let epollFD: Int32
    private let wakeFD: Int32
    private let queue = Mutex<[@Sendable () -> Void]>([])
    private let wakePending = Atomic<Bool>(false)
    private let stopping = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    private let tickNanoseconds: UInt64 = 100_000_000

    // Confined to the loop thread.
    private var handlers: [Int32: SMTPEventHandler] = [:]
    private var lastTick: UInt64 = 0
    /// Scratch space for reads, shared by every connection of this loop.
    let readBuffer: UnsafeMutableRawBufferPointer

    init(name: String) throws(SMTPListenerError) {
        self.name = name
        epollFD = purser_epoll_create()
        wakeFD = purser_eventfd(0)
        readBuffer = .allocate(byteCount: 64 * 1024, alignment: 16)
        guard epollFD >= 0, wakeFD >= 0 else {
            throw SMTPListenerError(reason: "event_loop_failed", "cannot create epoll/eventfd: errno \(purser_errno())")
        }
        _ = purser_epoll_ctl(epollFD, EPOLL_CTL_ADD, wakeFD, SMTPEpoll.readable, UInt64(UInt32(bitPattern: wakeFD)))
    }

    deinit {
        close(epollFD)
        close(wakeFD)
        readBuffer.deallocate()
    }

    /// Starts the loop's thread.
    func start() {
        let thread = Thread { [self] in
            run()
            finished.signal()
        }
        thread.name = name
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Asks the loop to exit after its current round and waits for it.
    func stopAndWait() {
        stopping.store(true, ordering: .releasing)
        wake()
        finished.wait()
    }

    /// Runs `work` on the loop thread, in submission order.
    func execute(_ work: @escaping @Sendable () -> Void) {
        queue.withLock { $0.append(work) }
        wake()
    }

    private func wake() {
        if !wakePending.exchange(true, ordering: .acquiringAndReleasing) {
            _ = purser_eventfd_signal(wakeFD)
        }
    }

    // MARK: Loop-thread API

    /// Watches `fd` for `events`, delivering readiness to `handler`.
    func register(_ fd: Int32, events: UInt32, handler: SMTPEventHandler) -> Bool {
        handlers[fd] = handler
        return purser_epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, events, UInt64(UInt32(bitPattern: fd))) == 0
    }

    /// Changes the events watched on a registered `fd`.
    func modify(_ fd: Int32, events: UInt32) {
        _ = purser_epoll_ctl(epollFD, EPOLL_CTL_MOD, fd, events, UInt64(UInt32(bitPattern: fd)))
    }

    /// Stops watching `fd` (the caller closes it).
    func unregister(_ fd: Int32) {
        _ = purser_epoll_ctl(epollFD, EPOLL_CTL_DEL, fd, 0, 0)
        handlers[fd] = nil
    }

    /// Every handler registered now (for shutdown).
    var registeredHandlers: [SMTPEventHandler] { Array(handlers.values) }

    private func run() {
        let capacity = 256
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: capacity)
        defer { events.deallocate() }
        while !stopping.load(ordering: .acquiring) {
            let timeout: Int32 = handlers.isEmpty ? -1 : Int32(tickNanoseconds / 1_000_000)
            let count = purser_epoll_wait(epollFD, events, Int32(capacity), timeout)
            if count > 0 {
                for index in 0..<Int(count) {
                    let fd = Int32(bitPattern: UInt32(truncatingIfNeeded: purser_epoll_event_data(events + index)))
                    if fd == wakeFD {
                        _ = purser_eventfd_drain(wakeFD)
                        continue
                    }
                    handlers[fd]?.handleEvent(purser_epoll_event_events(events + index))
                }
            }
            runQueuedWork()
            let now = purser_monotonic_ns()
            if now &- lastTick >= tickNanoseconds {
                lastTick = now
                for handler in Array(handlers.values) { handler.checkDeadline(now: now) }
            }
        }
        runQueuedWork()
    }

    private func runQueuedWork() {
        wakePending.store(false, ordering: .releasing)
        let work = queue.withLock { pending -> [@Sendable () -> Void] in
            let taken = pending
            pending.removeAll(keepingCapacity: true)
            return taken
        }
        for item in work { item() }
    }
}
