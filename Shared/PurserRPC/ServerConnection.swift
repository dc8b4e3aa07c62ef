import CLinux
import PurserKit

/// One accepted client connection: validates streams against the limits,
/// dispatches requests to handler tasks, enforces deadlines, honours CANCEL,
/// answers PING and drains on GOAWAY. Confined to its event loop.
final class ServerConnection: FramedConnection, @unchecked Sendable {
    /// What the connection keeps per call in flight.
    struct CallHandle {
        var task: Task<Void, Never>
        var timer: LoopTimer?
        /// Monotonic nanoseconds at the request's arrival, and where the outcome is counted.
        var started: UInt64
        var metrics: RPCMethodSeries?

        func record(_ status: StatusCode) { metrics?.record(status, started: started) }
    }

    let shared: ServerShared
    let remoteAddress: String
    var onClose: ((ServerConnection) -> Void)?
    private var streams: ServerStreams<CallHandle>
    private var peerIdentity: String?
    private var peerDNSNames: [String] = []
    private var lastActivity: UInt64 = 0
    private var idleTimer: LoopTimer?
    private var malformedLogged = false

    init(loop: EventLoop, fd: Int32, tls: TLSSession, shared: ServerShared, remoteAddress: String) {
        self.shared = shared
        self.remoteAddress = remoteAddress
        self.streams = ServerStreams(maximumConcurrentStreams: shared.limits.maximumConcurrentStreams)
        super.init(loop: loop, fd: fd, tls: tls, connecting: false,
                   maximumFrameSize: shared.limits.maximumFrameSize,
                   maximumBufferedBytes: shared.limits.maximumBufferedBytes)
    }

    override func connectionOpened() {
        peerIdentity = tls.peerCommonName
        peerDNSNames = peerIdentity == nil ? [] : tls.peerDNSNames
        lastActivity = purser_monotonic_ns()
        scheduleIdleCheck(after: shared.limits.idleTimeout.unsignedNanoseconds)
        if shared.draining.load(ordering: .acquiring) { beginDrain() }
    }

    override func received(_ frame: Frame) {
        lastActivity = purser_monotonic_ns()
        switch frame {
        case .request(let stream, let method, let timeout, let metadata, let message):
            // Once shutdown has begun, a request read before this loop ran its
            // drain step is refused like any other stream above GOAWAY's last.
            if !streams.isDraining && shared.draining.load(ordering: .acquiring) { beginDrain() }
            startCall(stream: stream, method: method, timeoutMilliseconds: timeout, metadata: metadata, message: message)
        case .cancel(let stream):
            guard let handle = streams.cancel(stream: stream) else { return }
            if let handle {
                handle.record(.cancelled)
                stop(handle)
            }
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
        send(.goAway(lastStream: streams.highestStream, status: .invalidArgument, message: "malformed frame: \(error.reason)"))
    }

    override func connectionClosed(reason: String?) {
        if let reason, !malformedLogged {
            shared.logger.debug("rpc connection closed", ["remote": remoteAddress, "reason": reason])
        }
        for handle in streams.removeAll() { stop(handle) }
        if let idleTimer { loop.cancel(idleTimer) }
        idleTimer = nil
        onClose?(self)
        onClose = nil
    }

    /// Sends GOAWAY with the highest stream seen so far; streams above it are
    /// refused, those in flight finish, then the connection closes.
    func beginDrain() {
        guard state == .open, let lastStream = streams.beginDrain() else { return }
        send(.goAway(lastStream: lastStream, status: .unavailable, message: "server is shutting down"))
        finishIfDrained()
    }

    private func stop(_ handle: CallHandle) {
        handle.task.cancel()
        if let timer = handle.timer { loop.cancel(timer) }
    }

    private func startCall(stream: UInt32, method: String, timeoutMilliseconds: UInt32, metadata: Metadata, message: [UInt8]) {
        let started = purser_monotonic_ns()
        let served = shared.routes[method]
        let handler = served?.handler
        let token: UInt64
        switch streams.admit(stream: stream, methodKnown: handler != nil) {
        case .admit(let admitted):
            token = admitted
        case .refuse(let status, let text, let reason):
            let detail = status == .unimplemented ? "method \(method) is not implemented" : text
            send(.response(stream: stream, status: status, statusMessage: detail, metadata: ["reason": reason], message: []))
            return
        case .protocolViolation(let text):
            protocolViolation(text)
            return
        }
        guard let handler else { return }
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
        let task = Task { [loop] in
            let (response, status) = await ServerCall.run(
                handler, message: message, context: context, stream: stream, maximumFrameSize: maximumFrameSize)
            loop.execute { self.complete(stream: stream, token: token, response: response, status: status) }
        }
        streams.attach(CallHandle(task: task, timer: timer, started: started, metrics: served?.metrics), stream: stream, token: token)
    }

    private func complete(stream: UInt32, token: UInt64, response: [UInt8], status: StatusCode) {
        guard let handle = streams.finish(stream: stream, token: token) else { return }
        if let timer = handle?.timer { loop.cancel(timer) }
        handle?.record(status)
        sendEncoded(response)
        finishIfDrained()
    }

    private func deadlinePassed(stream: UInt32, token: UInt64) {
        guard let handle = streams.finish(stream: stream, token: token) else { return }
        handle?.task.cancel()
        handle?.record(.deadlineExceeded)
        send(.response(stream: stream, status: .deadlineExceeded, statusMessage: "deadline exceeded", metadata: [:], message: []))
        finishIfDrained()
    }

    private func finishIfDrained() {
        if streams.isDrained { closeAfterFlush() }
    }

    private func protocolViolation(_ message: String) {
        logMalformedOnce(message)
        send(.goAway(lastStream: streams.highestStream, status: .invalidArgument, message: message))
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
            let limit = shared.limits.idleTimeout.unsignedNanoseconds
            let idle = streams.inFlightCount == 0
            if idle && idleFor >= limit {
                send(.goAway(lastStream: streams.highestStream, status: .ok, message: "idle timeout"))
                closeAfterFlush()
            } else {
                scheduleIdleCheck(after: idle ? limit - idleFor : limit)
            }
        }
    }
}

/// Runs one handler and encodes its outcome as a RESPONSE frame, off the
/// loop; returns the frame and the status it carries.
enum ServerCall {
    static func run(
        _ handler: RPCRouter.Handler, message: [UInt8], context: ServerContext, stream: UInt32, maximumFrameSize: Int
    ) async -> ([UInt8], StatusCode) {
        let frame: Frame
        let status: StatusCode
        do {
            let body = try await handler(message, context)
            frame = .response(stream: stream, status: .ok, statusMessage: "", metadata: [:], message: body)
            status = .ok
        } catch let error as RPCError {
            if error.code == .internal, let cause = error.cause {
                context.logger.error("handler failed", ["error": error.message, "cause": "\(cause)"])
            }
            frame = .response(stream: stream, status: error.code, statusMessage: error.message, metadata: error.wireMetadata, message: [])
            status = error.code
        } catch is CancellationError {
            frame = .response(stream: stream, status: .cancelled, statusMessage: "call cancelled", metadata: [:], message: [])
            status = .cancelled
        } catch {
            context.logger.error("handler failed", ["error": "\(error)"])
            frame = .response(stream: stream, status: .internal, statusMessage: "internal error", metadata: ["reason": "internal"], message: [])
            status = .internal
        }
        do {
            return (try frame.encoded(maximumSize: maximumFrameSize), status)
        } catch {
            context.logger.error("response could not be encoded", ["error": error.description])
            let fallback = Frame.response(stream: stream, status: .internal, statusMessage: "response could not be encoded",
                                          metadata: ["reason": "response_too_large"], message: [])
            return ((try? fallback.encoded(maximumSize: maximumFrameSize)) ?? [], .internal)
        }
    }
}
