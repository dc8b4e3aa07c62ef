/// The stream rules of one server connection as a pure state machine (no I/O):
/// which REQUESTs are admitted, refused or a protocol violation, which
/// completions still count, and when a draining connection may close.
///
/// `Handle` is whatever the connection keeps per call (its task and timer).
/// Each admitted stream gets a token, so a completion that arrives after its
/// stream was cancelled or timed out (and the id reused) is recognised as stale.
struct ServerStreams<Handle> {
    /// What to do with an incoming REQUEST.
    enum Admission: Equatable {
        /// Run the call; `token` identifies this admission.
        case admit(token: UInt64)
        /// Answer at once with this status and `reason` metadata.
        case refuse(StatusCode, message: String, reason: String)
        /// The peer broke the protocol; send GOAWAY and close.
        case protocolViolation(String)
    }

    private struct Entry {
        var token: UInt64
        var handle: Handle?
    }

    let maximumConcurrentStreams: Int
    private var entries: [UInt32: Entry] = [:]
    private var nextToken: UInt64 = 0
    /// Highest stream id admitted or refused so far: the GOAWAY `last_stream`.
    private(set) var highestStream: UInt32 = 0
    /// Set once draining: streams above it are refused.
    private(set) var lastStreamWhileDraining: UInt32?

    init(maximumConcurrentStreams: Int) {
        self.maximumConcurrentStreams = maximumConcurrentStreams
    }

    var inFlightCount: Int { entries.count }
    var isDraining: Bool { lastStreamWhileDraining != nil }
    /// Draining and nothing left in flight: the connection may close.
    var isDrained: Bool { isDraining && entries.isEmpty }

    /// Decides a REQUEST on `stream` for a method that is (or is not) registered.
    mutating func admit(stream: UInt32, methodKnown: Bool) -> Admission {
        if let last = lastStreamWhileDraining, stream > last {
            return .refuse(.unavailable, message: "server is shutting down", reason: "draining")
        }
        guard entries[stream] == nil else { return .protocolViolation("stream \(stream) is already in flight") }
        highestStream = max(highestStream, stream)
        guard entries.count < maximumConcurrentStreams else {
            return .refuse(.resourceExhausted, message: "too many calls in flight on this connection (limit \(maximumConcurrentStreams))",
                           reason: "too_many_streams")
        }
        guard methodKnown else { return .refuse(.unimplemented, message: "method is not implemented", reason: "unknown_method") }
        nextToken &+= 1
        entries[stream] = Entry(token: nextToken, handle: nil)
        return .admit(token: nextToken)
    }

    /// Stores the handle of an admitted call (if it is still in flight).
    mutating func attach(_ handle: Handle, stream: UInt32, token: UInt64) {
        guard entries[stream]?.token == token else { return }
        entries[stream]?.handle = handle
    }

    /// Ends an admitted call (answered, timed out). Returns its handle, or nil
    /// when the stream is no longer this admission's (stale completion).
    mutating func finish(stream: UInt32, token: UInt64) -> Handle?? {
        guard let entry = entries[stream], entry.token == token else { return nil }
        entries[stream] = nil
        return .some(entry.handle)
    }

    /// The client cancelled `stream`. Returns the handle to cancel, or nil when nothing was in flight.
    mutating func cancel(stream: UInt32) -> Handle?? {
        guard let entry = entries.removeValue(forKey: stream) else { return nil }
        return .some(entry.handle)
    }

    /// Starts draining. Returns the `last_stream` to announce in GOAWAY, or nil when already draining.
    mutating func beginDrain() -> UInt32? {
        guard lastStreamWhileDraining == nil else { return nil }
        lastStreamWhileDraining = highestStream
        return highestStream
    }

    /// Forgets every call (the connection closed), returning their handles.
    mutating func removeAll() -> [Handle] {
        defer { entries.removeAll() }
        return entries.values.compactMap(\.handle)
    }
}
