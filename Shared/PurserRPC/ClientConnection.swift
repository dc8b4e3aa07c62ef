import CLinux
import PurserKit
import Synchronization

/// How one attempt of a call ended, before retry policy is applied.
enum CallOutcome: Sendable {
    /// When a failed attempt may be repeated.
    enum Retry: Sendable {
        /// Never (the server answered, or the caller gave up).
        case never
        /// Always: the server provably never processed the call (not sent, or above GOAWAY's last stream).
        case safe
        /// Only for idempotent calls: the connection broke while the call was in flight.
        case ifIdempotent
    }

    case response(status: StatusCode, message: String, metadata: Metadata, body: [UInt8])
    case failed(RPCError, Retry)
}

/// Set by the caller's cancellation handler, read on the loop: closes the race
/// between a cancellation and the call reaching its connection.
final class CallCancellation: Sendable {
    let cancelled = Atomic<Bool>(false)
}

/// One client connection multiplexing many calls by stream id. Confined to its
/// loop except `isUsable` and `allocateStream`, which the pool reads from any thread.
final class ClientConnection: FramedConnection, @unchecked Sendable {
    private struct Pending {
        var continuation: CheckedContinuation<CallOutcome, Never>
        var timer: LoopTimer?
    }

    private let usable = Atomic<Bool>(true)
    private let streamCounter = Atomic<UInt32>(0)
    private var pending: [UInt32: Pending] = [:]
    private var opened = false
    private var goAwayLastStream: UInt32?
    /// Why the connection closed, reported to calls that arrive afterwards.
    private var closeReason: String?
    /// Told why the connection failed (not called for an orderly close).
    var onFailure: ((String) -> Void)?

    /// Whether new calls may start here (false after GOAWAY or closure).
    var isUsable: Bool { usable.load(ordering: .relaxed) }

    /// A fresh stream id (never 0); ids are unique among this connection's calls.
    func allocateStream() -> UInt32 {
        var stream = streamCounter.add(1, ordering: .relaxed).newValue
        if stream == 0 { stream = streamCounter.add(1, ordering: .relaxed).newValue }
        return stream
    }

    override func connectionOpened() { opened = true }

    /// Registers a call and buffers its REQUEST frame.
    func start(stream: UInt32, frame: Frame, timeout: Duration?, cancellation: CallCancellation,
               continuation: CheckedContinuation<CallOutcome, Never>) {
        if cancellation.cancelled.load(ordering: .acquiring) {
            continuation.resume(returning: .failed(RPCError(.cancelled, "call cancelled"), .never))
            return
        }
        guard state != .closed, goAwayLastStream == nil else {
            let message = closeReason ?? "connection is closing"
            continuation.resume(returning: .failed(RPCError(.unavailable, message, reason: "connection_lost"), .safe))
            return
        }
        do {
            try trySend(frame)
        } catch {
            continuation.resume(returning: .failed(RPCError(.invalidArgument, "request cannot be sent: \(error)", reason: error.reason), .never))
            return
        }
        var timer: LoopTimer?
        if let timeout {
            timer = loop.schedule(afterNanoseconds: timeout.unsignedNanoseconds) { [unowned self] in
                guard let entry = pending.removeValue(forKey: stream) else { return }
                send(.cancel(stream: stream))
                entry.continuation.resume(returning: .failed(RPCError(.deadlineExceeded, "deadline exceeded"), .never))
                closeIfDrained()
            }
        }
        pending[stream] = Pending(continuation: continuation, timer: timer)
    }

    /// The caller abandoned the call: send CANCEL and stop waiting.
    func cancel(stream: UInt32) {
        guard let entry = pending.removeValue(forKey: stream) else { return }
        if let timer = entry.timer { loop.cancel(timer) }
        send(.cancel(stream: stream))
        entry.continuation.resume(returning: .failed(RPCError(.cancelled, "call cancelled"), .never))
        closeIfDrained()
    }

    override func received(_ frame: Frame) {
        switch frame {
        case .response(let stream, let status, let message, let metadata, let body):
            guard let entry = pending.removeValue(forKey: stream) else { return }
            if let timer = entry.timer { loop.cancel(timer) }
            entry.continuation.resume(returning: .response(status: status, message: message, metadata: metadata, body: body))
            closeIfDrained()
        case .goAway(let lastStream, _, let message):
            usable.store(false, ordering: .relaxed)
            goAwayLastStream = lastStream
            for stream in pending.keys where stream > lastStream {
                guard let entry = pending.removeValue(forKey: stream) else { continue }
                if let timer = entry.timer { loop.cancel(timer) }
                entry.continuation.resume(returning: .failed(RPCError(.unavailable, "server refused the call: \(message)", reason: "draining"), .safe))
            }
            closeIfDrained()
        case .ping(let payload):
            send(.pong(payload))
        case .pong, .cancel, .request:
            break
        }
    }

    override func connectionClosed(reason: String?) {
        usable.store(false, ordering: .relaxed)
        if let reason { onFailure?(reason) }
        onFailure = nil
        let failures = pending
        pending.removeAll()
        let message = reason ?? "connection closed by the server"
        closeReason = message
        // A server that is not the service meant is never sent a request, and trying again cannot help.
        let error = tls.wrongPeer
            ? RPCError(.unavailable, message, reason: "wrong_peer")
            : RPCError(.unavailable, message, reason: "connection_lost")
        let retry: CallOutcome.Retry = tls.wrongPeer ? .never : opened ? .ifIdempotent : .safe
        for entry in failures.values {
            if let timer = entry.timer { loop.cancel(timer) }
            entry.continuation.resume(returning: .failed(error, retry))
        }
    }

    private func closeIfDrained() {
        if goAwayLastStream != nil && pending.isEmpty { close(because: nil) }
    }
}
