import CLinux
import PurserKit
import PurserRPC
import Synchronization

/// One accepted HTTP/1.1 connection on a `StreamConnection`: parses requests,
/// runs one handler at a time (pipelined requests wait in the parser, so
/// answers leave in order), streams request bodies to the handler with
/// back-pressure, writes responses, and enforces the header-read and idle
/// timeouts. Confined to its event loop.
final class HTTPServerConnection: StreamConnectionDelegate, @unchecked Sendable {
    /// Where the connection is in its request cycle.
    private enum Phase {
        /// Waiting for (the rest of) a request head.
        case awaitingHead
        /// A handler runs; its request body is still arriving.
        case receivingBody(HTTPRequestBodySource, limit: Int64, received: Int64)
        /// A handler runs; the request was read completely (or abandoned).
        case responding
        /// Nothing more is read: the connection closes after the output.
        case closing
    }

    let stream: StreamConnection
    let shared: HTTPServerShared
    let remoteAddress: String
    var onClose: ((HTTPServerConnection) -> Void)?
    private var loop: EventLoop { stream.loop }
    private var parser: HTTPRequestParser
    private var phase: Phase = .awaitingHead
    private var timer: LoopTimer?
    /// What `timer` enforces.
    private var timerKind: TimerKind?
    private enum TimerKind { case idle, headerRead }
    /// The current request's head asked for `100 Continue`, not yet sent.
    private var continuePending = false
    /// The current request's body was read to its end.
    private var requestComplete = false
    private var keepAlive = true
    private var task: Task<Void, Never>?
    private var held = false
    /// Set by `beginDrain`: the request in progress is the last.
    private var draining = false
    /// Producers of a streamed response waiting for the output buffer to drain.
    private var drainWaiters: [CheckedContinuation<Void, any Error>] = []

    /// Request bytes buffered (in the parser or for a handler) before reading pauses.
    private static let readAhead = 64 * 1024
    /// After an answer that ends a connection with request bytes maybe still
    /// coming (a refusal, a body not read): how long and how much of them is
    /// read and dropped, so the client reads the answer rather than a reset.
    static let lingering: (time: Duration, bytes: Int) = (.seconds(2), 8 << 20)

    init(loop: EventLoop, fd: Int32, transport: StreamTransport, shared: HTTPServerShared, remoteAddress: String) {
        self.stream = StreamConnection(loop: loop, fd: fd, transport: transport, connecting: false,
                                       maximumBufferedBytes: shared.limits.maximumBufferedBytes)
        self.shared = shared
        self.remoteAddress = remoteAddress
        self.parser = HTTPRequestParser(maximumHeadSize: shared.limits.maximumHeadSize)
    }

    func begin() {
        stream.onOutputDrained = { [unowned self] in
            let waiters = drainWaiters
            drainWaiters = []
            for waiter in waiters { waiter.resume() }
        }
        stream.begin(delegate: self, handshakeTimeout: shared.handshakeTimeout)
    }

    func close(because reason: String?) { stream.close(because: reason) }

    /// The server is shutting down: a connection waiting for a request head
    /// (none of it received) closes now; one in the middle of a request
    /// answers it with `Connection: close` and closes after that response.
    func beginDrain() {
        draining = true
        keepAlive = false
        guard case .awaitingHead = phase, parser.isAtMessageBoundary else { return }
        phase = .closing
        cancelTimer()
        stream.closeAfterFlush()
    }

    // MARK: Stream events

    /// A new connection that sends nothing is closed after the idle timeout; its
    /// first byte starts the header-read timeout.
    func streamOpened() { armTimer(.idle) }

    func streamReceived(_ bytes: UnsafeRawBufferPointer) {
        if case .awaitingHead = phase, timerKind != .headerRead {
            // The first byte of a request: from now on the head must be complete within the
            // header-read timeout, however the bytes trickle in (empty lines included).
            armTimer(.headerRead)
        }
        parser.append(bytes)
        pump()
    }

    func streamClosed(reason: String?) {
        cancelTimer()
        task?.cancel()
        let waiters = drainWaiters
        drainWaiters = []
        for waiter in waiters { waiter.resume(throwing: HTTPError(.internalServerError, reason: "connection_closed")) }
        if case .receivingBody(let source, _, _) = phase {
            source.fail(HTTPError(.badRequest, reason: "connection_closed"))
        }
        phase = .closing
        onClose?(self)
        onClose = nil
    }

    // MARK: Parsing

    /// Pulls parser events as far as the phase allows, then pauses or resumes reading.
    private func pump() {
        while stream.state == .open && !stream.isClosing {
            let event: HTTPRequestParser.Event?
            switch phase {
            case .awaitingHead:
                break
            case .receivingBody(let source, _, _):
                guard source.bufferedBytes < Self.readAhead else { return updateHold() }
            case .responding:
                // Only the end of the request being answered is taken; the next request waits.
                guard !requestComplete && keepAlive else { return updateHold() }
            case .closing:
                return updateHold()
            }
            do {
                event = try parser.next()
            } catch {
                parseFailed(error)
                return
            }
            guard let event else { return updateHold() }
            switch event {
            case .head(let head):
                cancelTimer()
                dispatch(head)
            case .body(let bytes):
                // Outside `receivingBody` the body is not wanted (its reader failed): drop it.
                guard case .receivingBody(let source, let limit, let received) = phase else { continue }
                let total = received + Int64(bytes.count)
                guard total <= limit else {
                    source.fail(HTTPError(.contentTooLarge, reason: "content_too_large"))
                    phase = .responding
                    keepAlive = false
                    return updateHold()
                }
                phase = .receivingBody(source, limit: limit, received: total)
                source.push(bytes)
            case .end:
                if case .receivingBody(let source, _, _) = phase {
                    source.finish()
                    phase = .responding
                }
                requestComplete = true
            }
        }
    }

    /// Holds reading while the phase cannot take more bytes: a body not yet
    /// accepted (`100 Continue` owed) or not being read, or requests piling
    /// up behind the one being answered.
    private func updateHold() {
        let hold: Bool
        switch phase {
        case .awaitingHead: hold = false
        case .receivingBody(let source, _, _): hold = continuePending || source.bufferedBytes >= Self.readAhead
        case .responding, .closing: hold = parser.bufferedByteCount >= Self.readAhead
        }
        guard hold != held else { return }
        held = hold
        if hold { stream.holdReceiving() } else { stream.resumeReceiving() }
    }

    private func parseFailed(_ error: HTTPParseError) {
        if case .receivingBody(let source, _, _) = phase {
            source.fail(HTTPError(error.status, reason: error.reason))
            phase = .responding
            keepAlive = false
            return updateHold()
        }
        if case .responding = phase {
            keepAlive = false
            return updateHold()
        }
        shared.logger.debug("malformed http request", ["remote": remoteAddress, "reason": error.reason])
        respondAndClose(HTTPError(error.status, reason: error.reason).response)
    }

    // MARK: Requests

    private func dispatch(_ head: HTTPRequestHead) {
        keepAlive = head.keepAlive && !draining
        requestComplete = false
        switch shared.router.match(method: head.method, path: head.path) {
        case .notFound:
            answerWithoutHandler(head, HTTPError(.notFound, reason: "not_found").response)
        case .methodNotAllowed(let allowed):
            var response = HTTPError(.methodNotAllowed, reason: "method_not_allowed").response
            response.headers.replaceOrAdd(name: "Allow", value: allowed.joined(separator: ", "))
            answerWithoutHandler(head, response)
        case .route(let route, let parameters):
            if case .length(let length) = head.framing, length > route.maximumBodySize {
                // Refused before a byte of the body is read: the connection cannot be reused.
                respondAndClose(HTTPError(.contentTooLarge, reason: "content_too_large").response)
                return
            }
            let hasBody: Bool
            switch head.framing {
            case .length(let length): hasBody = length > 0
            case .chunked: hasBody = true
            case .none, .untilClose: hasBody = false
            }
            let source: HTTPRequestBodySource
            if hasBody {
                continuePending = head.expectsContinue
                source = HTTPRequestBodySource(demand: { [loop, weak self] in
                    let connection = self
                    loop.execute { connection?.bodyDemanded() }
                })
                phase = .receivingBody(source, limit: route.maximumBodySize, received: 0)
            } else {
                source = .complete([])
                phase = .responding
            }
            let request = HTTPRequest(head: head, parameters: parameters, remoteAddress: remoteAddress, body: HTTPRequestBody(source: source))
            let handler = route.handler
            let logger = shared.logger
            // The task keeps the connection until the handler returns (it is cancelled when the connection closes).
            task = Task { [loop, self] in
                let response: HTTPResponse
                do {
                    response = try await handler(request)
                } catch let error as HTTPError {
                    response = error.response
                } catch {
                    logger.error("http handler failed", ["error": "\(error)"])
                    response = HTTPError(.internalServerError, reason: "internal").response
                }
                loop.execute { self.respond(response, to: head) }
            }
        }
    }

    /// A response decided before any handler ran: the connection stays open only
    /// when the request has no body to skip.
    private func answerWithoutHandler(_ head: HTTPRequestHead, _ response: HTTPResponse) {
        if head.framing == .none {
            phase = .responding
            requestComplete = true
            respond(response, to: head)
        } else {
            respondAndClose(response)
        }
    }

    /// The handler read from an empty body: send `100 Continue` if owed, and read on.
    private func bodyDemanded() {
        guard stream.state == .open else { return }
        if continuePending {
            continuePending = false
            stream.write(HTTPResponseWriter.continueHead)
        }
        updateHold()
        pump()
    }

    // MARK: Responses

    private func respondAndClose(_ response: HTTPResponse) {
        phase = .closing
        keepAlive = false
        cancelTimer()
        guard case .bytes(let bytes) = response.body.content else { return stream.closeAfterFlush(lingering: Self.lingering) }
        stream.write { output in
            HTTPResponseWriter.head(status: response.status, headers: response.headers, framing: .length(Int64(bytes.count)), close: true,
                                    date: HTTPDate.now(), into: &output)
            output.append(contentsOf: bytes)
        }
        stream.closeAfterFlush(lingering: Self.lingering)
    }

    /// Writes the handler's response; streams a producer's body piece by piece.
    private func respond(_ response: HTTPResponse, to head: HTTPRequestHead) {
        guard stream.state == .open else { return }
        if case .receivingBody(let source, _, _) = phase {
            // The handler answered without reading the whole body: the rest is not read, so the connection ends here.
            source.fail(HTTPError(.badRequest, reason: "response_sent"))
            phase = .responding
        }
        let close = !keepAlive || !requestComplete
        let noContent = response.status.isInformational || response.status.code == 204 || response.status.code == 304
        let bodyless = noContent || head.method == "HEAD"
        switch response.body.content {
        case .bytes(let bytes):
            stream.write { output in
                let framing: HTTPBodyFraming = noContent ? .none : .length(Int64(bytes.count))
                HTTPResponseWriter.head(status: response.status, headers: response.headers, framing: framing, close: close,
                                        date: HTTPDate.now(), into: &output)
                if !bodyless { output.append(contentsOf: bytes) }
            }
            finishResponse(close: close)
        case .stream(let length, let produce):
            let framing: HTTPBodyFraming = bodyless ? .none : length.map { .length($0) } ?? .chunked
            stream.write { output in
                HTTPResponseWriter.head(status: response.status, headers: response.headers, framing: framing, close: close,
                                        date: HTTPDate.now(), into: &output)
            }
            guard !bodyless else { return finishResponse(close: close) }
            let chunked = framing == .chunked
            task = Task { [loop, self] in
                let written = WrittenBytes()
                let writer = HTTPBodyWriter { bytes in
                    let total = written.add(bytes.count)
                    if let length, total > length { throw HTTPError(.internalServerError, reason: "body_longer_than_declared") }
                    try await Self.send(on: loop, to: self, bytes, chunked: chunked)
                }
                let intact: Bool
                do {
                    try await produce(writer)
                    intact = length == nil || written.total == length
                } catch {
                    intact = false
                }
                loop.execute {
                    if intact {
                        if chunked { self.stream.write(HTTPResponseWriter.lastChunk) }
                        self.finishResponse(close: close)
                    } else {
                        // A body cut short cannot be told apart from a complete one except by closing.
                        self.stream.close(because: "response body failed")
                    }
                }
            }
        }
    }

    /// Buffers one piece of a streamed body; returns once the output buffer is
    /// within its limit again. Throws when the connection closed.
    private static func send(on loop: EventLoop, to connection: HTTPServerConnection, _ bytes: [UInt8], chunked: Bool) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            loop.execute {
                guard connection.stream.state == .open else {
                    continuation.resume(throwing: HTTPError(.internalServerError, reason: "connection_closed"))
                    return
                }
                connection.stream.write { output in
                    if chunked { HTTPResponseWriter.chunk(bytes, into: &output) } else { output.append(contentsOf: bytes) }
                }
                // A client that reads slowly holds the producer back instead of filling memory.
                if connection.stream.bufferedOutputBytes > connection.stream.maximumBufferedBytes {
                    connection.drainWaiters.append(continuation)
                } else {
                    continuation.resume()
                }
            }
        }
    }

    /// The response is buffered: close, or go on with the next (pipelined) request.
    private func finishResponse(close: Bool) {
        task = nil
        if close || draining {
            phase = .closing
            stream.closeAfterFlush(lingering: requestComplete ? nil : Self.lingering)
            return
        }
        phase = .awaitingHead
        continuePending = false
        updateHold()
        // The end of the request just answered may still wait in the parser (an
        // answer without a handler comes before it is pulled): pull first, then
        // time the wait by what is left.
        pump()
        if case .awaitingHead = phase, stream.state == .open, !stream.isClosing {
            armTimer(parser.isAtMessageBoundary ? .idle : .headerRead)
        }
    }

    // MARK: Timers

    /// Starts the idle or header-read timeout (replacing any other). When it
    /// fires while the connection waits for a request head: a header-read
    /// timeout is answered 408 `header_read_timeout` and closed; an idle
    /// connection is closed quietly.
    private func armTimer(_ kind: TimerKind) {
        cancelTimer()
        let duration = kind == .idle ? shared.limits.idleTimeout : shared.limits.headerReadTimeout
        timerKind = kind
        timer = loop.schedule(afterNanoseconds: duration.unsignedNanoseconds) { [weak self] in
            guard let self else { return }
            self.timer = nil
            self.timerKind = nil
            guard case .awaitingHead = self.phase, self.stream.state == .open else { return }
            if kind == .headerRead {
                self.shared.logger.debug("http header read timed out", ["remote": self.remoteAddress])
                self.respondAndClose(HTTPError(.requestTimeout, reason: "header_read_timeout").response)
            } else {
                self.phase = .closing
                self.stream.closeAfterFlush()
            }
        }
    }

    private func cancelTimer() {
        if let timer { loop.cancel(timer) }
        timer = nil
        timerKind = nil
    }
}

/// Bytes a streamed response body has written so far.
private final class WrittenBytes: Sendable {
    private let count = Mutex<Int64>(0)

    /// Adds `n` and returns the new total.
    func add(_ n: Int) -> Int64 { count.withLock { $0 += Int64(n); return $0 } }

    var total: Int64 { count.withLock { $0 } }
}
