import PurserRPC
import Synchronization

/// The producer side of a request body: the connection pushes pieces on its
/// loop, the handler's task pulls them. Pulling when nothing is buffered
/// asks the connection for more (`demand`), which is how back-pressure and
/// `100 Continue` work.
final class HTTPRequestBodySource: Sendable {
    private struct State {
        var pieces: [[UInt8]] = []
        var bufferedBytes = 0
        var finished = false
        var failure: HTTPError?
        var waiter: CheckedContinuation<[UInt8]?, any Error>?
    }

    private let state: Mutex<State>
    /// Called (from any thread) when the reader wants more and nothing is buffered.
    private let demand: @Sendable () -> Void

    init(demand: @escaping @Sendable () -> Void) {
        state = Mutex(State())
        self.demand = demand
    }

    static func complete(_ bytes: [UInt8]) -> HTTPRequestBodySource {
        let source = HTTPRequestBodySource(demand: {})
        if !bytes.isEmpty { source.push(bytes) }
        source.finish()
        return source
    }

    /// Bytes pushed and not yet read.
    var bufferedBytes: Int { state.withLock { $0.bufferedBytes } }

    /// Adds a piece; wakes the reader.
    func push(_ bytes: [UInt8]) {
        let waiter = state.withLock { state -> CheckedContinuation<[UInt8]?, any Error>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.pieces.append(bytes)
            state.bufferedBytes += bytes.count
            return nil
        }
        waiter?.resume(returning: bytes)
    }

    /// Ends the body; reads return what is buffered, then nil.
    func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<[UInt8]?, any Error>? in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// Fails the body; reads throw `error` once the buffered pieces are read.
    func fail(_ error: HTTPError) {
        let waiter = state.withLock { state -> CheckedContinuation<[UInt8]?, any Error>? in
            guard !state.finished, state.failure == nil else { return nil }
            state.failure = error
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(throwing: error)
    }

    func next() async throws -> [UInt8]? {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[UInt8]?, any Error>) in
            enum Outcome { case piece([UInt8]), end, failure(HTTPError), wait }
            let outcome = state.withLock { state -> Outcome in
                if !state.pieces.isEmpty {
                    let piece = state.pieces.removeFirst()
                    state.bufferedBytes -= piece.count
                    return .piece(piece)
                }
                if let failure = state.failure { return .failure(failure) }
                if state.finished { return .end }
                state.waiter = continuation
                return .wait
            }
            switch outcome {
            case .piece(let piece): continuation.resume(returning: piece)
            case .end: continuation.resume(returning: nil)
            case .failure(let error): continuation.resume(throwing: error)
            case .wait: demand()
            }
        }
    }
}
