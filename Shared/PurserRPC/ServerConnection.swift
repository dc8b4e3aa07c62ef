import CLinux
import PurserKit

/// One accepted client connection: validates streams against the limits,
/// dispatches requests to handler tasks, enforces deadlines, honours CANCEL,
/// answers PING and drains on GOAWAY. Confined to its event loop.
final class ServerConnection: FramedConnection, @unchecked Sendable {
    private struct Stream {
        var token: UInt64
        var task: Task<Void, Never>?
        var timer: LoopTimer?
    }

    let shared: ServerShared
    let remoteAddress: String
    var onClose: ((ServerConnection) -> Void)?
    private var streams: [UInt32: Stream] = [:]
    private var nextToken: UInt64 = 0
    private var highestStream: UInt32 = 0
    private var drainingAbove: UInt32?
    private var peerIdentity: String?
    private var peerDNSNames: [String] = []
    private var lastActivity: UInt64 = 0
    private var idleTimer: LoopTimer?
    private var malformedLogged = false

    init(loop: EventLoop, fd: Int32, tls: TLSSession, shared: ServerShared, remoteAddress: String) {
        self.shared = shared
        self.remoteAddress = remoteAddress
        super.init(loop: loop, fd: fd, tls: tls, connecting: false,
                   maximumFrameSize: shared.limits.maximumFrameSize,
                   maximumBufferedBytes: shared.limits.maximumBufferedBytes)
    }

    override func connectionOpened() {
        peerIdentity = tls.peerCommonName
        peerDNSNames = peerIdentity == nil ? [] : tls.peerDNSNames
        lastActivity = purser_monotonic_ns()
        scheduleIdleCheck(after: shared.limits.idleTimeout.nanoseconds)
        if shared.draining.load(ordering: .acquiring) { beginDrain() }
    }

    override func received(_ frame: Frame) {
        lastActivity = purser_monotonic_ns()
        switch frame {
        case .request(let stream, let method, let timeout, let metadata, let message):
            startCall(stream: stream, method: method, timeoutMilliseconds: timeout, metadata: metadata, message: message)
        case .cancel(let stream):
            guard let entry = streams.removeValue(forKey: stream) else { return }
            entry.task?.cancel()
            if let timer = entry.timer { loop.cancel(timer) }
            finishIfDrained()
        case .ping(let payload):
            send(.pong(payload))
        case .pong:
            break
        case .goAway:
            beginDrain()
        case .response:
            protocolViolation("client sent a RESPONSE frame")
        }
    }

    override func receivedMalformed(_ error: FrameError) {
        logMalformedOnce(error.description)
        send(.goAway(lastStream: highestStream, status: .invalidArgument, message: "malformed frame: \(error.reason)"))
    }

    override func connectionClosed(reason: String?) {
        if let reason, !malformedLogged {
            shared.logger.debug("rpc connection closed", ["remote": remoteAddress, "reason": reason])
        }
        for entry in streams.values {
            entry.task?.cancel()
            if let timer = entry.timer { loop.cancel(timer) }
        }
        streams.removeAll()
        if let idleTimer { loop.cancel(idleTimer) }
        idleTimer = nil
        onClose?(self)
        onClose = nil
    }

    /// Sends GOAWAY with the highest stream seen so far; streams above it are
    /// refused, those in flight finish, then the connection closes.
    func beginDrain() {
        guard state == .open, drainingAbove == nil else { return }
        drainingAbove = highestStream
        send(.goAway(lastStream: highestStream, status: .unavailable, message: "server is shutting down"))
        finishIfDrained()
    }

    private func startCall(stream: UInt32, method: String, timeoutMilliseconds: UInt32, metadata: Metadata, message: [UInt8]) {
        if let lastStream = drainingAbove, stream > lastStream {
            reject(stream, .unavailable, "server is shutting down", reason: "draining")
            return
        }
        guard streams[stream] == nil else {
            protocolViolation("stream \(stream) is already in flight")
            return
        }
        highestStream = max(highestStream, stream)
        guard streams.count < shared.limits.maximumConcurrentStreams else {
            reject(stream, .resourceExhausted, "too many calls in flight on this connection (limit \(shared.limits.maximumConcurrentStreams))", reason: "too_many_streams")
            return
        }
        guard let handler = shared.routes[method] else {
            reject(stream, .unimplemented, "method \(method) is not implemented", reason: "unknown_method")
            return
        }
        nextToken &+= 1
        let token = nextToken
        var deadline: ContinuousClock.Instant?
        var timer: LoopTimer?
        if timeoutMilliseconds > 0 {
            deadline = ContinuousClock.now.advanced(by: .milliseconds(Int64(timeoutMilliseconds)))
            timer = loop.schedule(afterNanoseconds: UInt64(timeoutMilliseconds) * 1_000_000) { [unowned self] in
                deadlinePassed(stream: stream, token: token)
            }
        }
        var logger = shared.logger
        logger[metadataKey: "rpc_method"] = method
        if let requestID = metadata["request-id"] { logger[metadataKey: "request_id"] = requestID }
        let context = ServerContext(method: method, metadata: metadata, deadline: deadline, peerIdentity: peerIdentity,
                                    peerDNSNames: peerDNSNames, remoteAddress: remoteAddress, logger: logger)
        let maximumFrameSize = self.maximumFrameSize
        streams[stream] = Stream(token: token, task: nil, timer: timer)
        let task = Task { [loop] in
            let response = await ServerCall.run(handler, message: message, context: context, stream: stream, maximumFrameSize: maximumFrameSize)
            loop.execute { self.complete(stream: stream, token: token, response: response) }
        }
        streams[stream]?.task = task
    }

    private func complete(stream: UInt32, token: UInt64, response: [UInt8]) {
        guard let entry = streams[stream], entry.token == token else { return }
        streams[stream] = nil
        if let timer = entry.timer { loop.cancel(timer) }
        sendEncoded(response)
        finishIfDrained()
    }

    private func deadlinePassed(stream: UInt32, token: UInt64) {
        guard let entry = streams[stream], entry.token == token else { return }
        streams[stream] = nil
        entry.task?.cancel()
        send(.response(stream: stream, status: .deadlineExceeded, statusMessage: "deadline exceeded", metadata: [:], message: []))
        finishIfDrained()
    }

    private func reject(_ stream: UInt32, _ status: StatusCode, _ message: String, reason: String) {
        send(.response(stream: stream, status: status, statusMessage: message, metadata: ["reason": reason], message: []))
    }

    private func finishIfDrained() {
        if drainingAbove != nil && streams.isEmpty { closeAfterFlush() }
    }

    private func protocolViolation(_ message: String) {
        logMalformedOnce(message)
        send(.goAway(lastStream: highestStream, status: .invalidArgument, message: message))
        closeAfterFlush()
    }

    private func logMalformedOnce(_ message: String) {
        guard !malformedLogged else { return }
        malformedLogged = true
        shared.logger.warning("closing rpc connection after a protocol violation", ["remote": remoteAddress, "error": message])
    }

    private func scheduleIdleCheck(after delay: UInt64) {
        idleTimer = loop.schedule(afterNanoseconds: delay) { [unowned self] in
            idleTimer = nil
            guard state == .open else { return }
            let idleFor = purser_monotonic_ns() &- lastActivity
            let limit = shared.limits.idleTimeout.nanoseconds
            if streams.isEmpty && idleFor >= limit {
                send(.goAway(lastStream: highestStream, status: .ok, message: "idle timeout"))
                closeAfterFlush()
            } else {
                scheduleIdleCheck(after: streams.isEmpty ? limit - idleFor : limit)
            }
        }
    }
}

/// Runs one handler and encodes its outcome as a RESPONSE frame, off the loop.
enum ServerCall {
    static func run(_ handler: RPCRouter.Handler, message: [UInt8], context: ServerContext, stream: UInt32, maximumFrameSize: Int) async -> [UInt8] {
        let frame: Frame
        do {
            let body = try await handler(message, context)
            frame = .response(stream: stream, status: .ok, statusMessage: "", metadata: [:], message: body)
        } catch let error as RPCError {
            frame = .response(stream: stream, status: error.code, statusMessage: error.message, metadata: error.wireMetadata, message: [])
        } catch is CancellationError {
            frame = .response(stream: stream, status: .cancelled, statusMessage: "call cancelled", metadata: [:], message: [])
        } catch {
            context.logger.error("handler failed", ["error": "\(error)"])
            frame = .response(stream: stream, status: .internal, statusMessage: "internal error", metadata: ["reason": "internal"], message: [])
        }
        do {
            return try frame.encoded(maximumSize: maximumFrameSize)
        } catch {
            context.logger.error("response could not be encoded", ["error": error.description])
            let fallback = Frame.response(stream: stream, status: .internal, statusMessage: "response could not be encoded",
                                          metadata: ["reason": "response_too_large"], message: [])
            return (try? fallback.encoded(maximumSize: maximumFrameSize)) ?? []
        }
    }
}
